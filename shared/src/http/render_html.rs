//! Previews of CSV/TSV, XML and plain text as self-contained, script-free HTML5 pages.
//!
//! Safety rests on one rule: every byte that comes from the file (or its name) goes through
//! `escape_into` before it reaches the page, so the only markup in the output is ours. The page
//! is meant to be served with [`PREVIEW_CSP`] as well, which forbids scripts, plugins, forms and
//! framing even if that rule were ever broken.
//!
//! Work is bounded: only [`RenderLimits::max_bytes`] of input are looked at, at most
//! [`RenderLimits::max_rows`] table rows or XML nodes are shown, cells and texts are capped, and
//! every parser is linear in its input (no DTD, no entity expansion, no backtracking).

use std::borrow::Cow;
use std::collections::VecDeque;

/// How a file is previewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenderKind {
    /// CSV, TSV and friends: an HTML table.
    Delimited,
    /// An indented element tree.
    Xml,
    /// Escaped, preformatted text.
    Text,
}

/// Picks the preview kind from the media type and, when the media type is generic
/// (`text/plain`, `application/octet-stream` or missing), the file extension.
///
/// A specific media type wins over the extension, so a PDF named `notes.txt` is not shown as text.
/// SVG and XHTML are excluded from the XML tree: they are documents with their own previews.
pub fn render_kind(mime: &str, extension: Option<&str>) -> Option<RenderKind> {
    let essence = mime
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "image/svg+xml" | "application/xhtml+xml" => return None,
        "text/csv"
        | "text/x-csv"
        | "application/csv"
        | "text/comma-separated-values"
        | "text/tab-separated-values"
        | "text/tsv" => return Some(RenderKind::Delimited),
        "application/xml" | "text/xml" => return Some(RenderKind::Xml),
        other if other.ends_with("+xml") => return Some(RenderKind::Xml),
        _ => {}
    }
    let generic = matches!(
        essence.as_str(),
        "" | "text/plain" | "application/octet-stream" | "binary/octet-stream"
    );
    if generic {
        let extension = extension
            .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
            .unwrap_or_default();
        match extension.as_str() {
            "csv" | "tsv" | "tab" => return Some(RenderKind::Delimited),
            "xml" => return Some(RenderKind::Xml),
            "txt" | "text" | "log" | "md" | "markdown" => return Some(RenderKind::Text),
            _ => {}
        }
    }
    match essence.as_str() {
        "text/plain" | "text/markdown" | "text/x-markdown" | "text/x-log" => Some(RenderKind::Text),
        _ => None,
    }
}

/// Bounds on the work and output of one preview.
#[derive(Debug, Clone, Copy)]
pub struct RenderLimits {
    /// Table rows (not counting the header row) or XML nodes shown; text is bounded by bytes only.
    pub max_rows: usize,
    /// Input bytes looked at; anything after them is ignored and a notice says so.
    pub max_bytes: usize,
}

impl Default for RenderLimits {
    fn default() -> Self {
        RenderLimits {
            max_rows: 1000,
            max_bytes: 1024 * 1024,
        }
    }
}

/// The `Content-Security-Policy` to serve previews with: nothing may load or run, and `sandbox`
/// gives the page an opaque origin so it cannot reach the service's cookies or storage.
pub const PREVIEW_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; \
script-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox";

/// Characters shown of one table cell, XML text or attribute value before it is cut with `…`.
const MAX_CELL_CHARS: usize = 2_000;
/// Table columns shown.
const MAX_COLUMNS: usize = 200;
/// Attributes shown on one XML element.
const MAX_ATTRIBUTES: usize = 100;
/// Characters of the file name used for the title.
const MAX_TITLE_CHARS: usize = 256;
/// Input looked at to guess the delimiter.
const SNIFF_BYTES: usize = 64 * 1024;
/// Records looked at to guess the delimiter.
const SNIFF_RECORDS: usize = 20;
/// An XML element whose only content is a text up to this long is shown on one line.
const INLINE_TEXT_CHARS: usize = 120;

/// Renders a complete HTML page previewing `bytes`, the content of `file_name`.
///
/// `truncated_input` says the caller read only a prefix of the file; the page then says the
/// preview is truncated, as it does when `bytes` is longer than `limits.max_bytes`. Invalid UTF-8
/// is shown as U+FFFD.
///
/// For [`RenderKind::Delimited`], a `.tsv` or `.tab` extension on `file_name` forces tab as the
/// delimiter; otherwise it is guessed with [`detect_delimiter`] (which recognises tabs too, so a
/// TSV served as `text/tab-separated-values` under another name still comes out right).
pub fn render_html(
    kind: RenderKind,
    file_name: &str,
    bytes: &[u8],
    truncated_input: bool,
    limits: RenderLimits,
) -> String {
    let considered = &bytes[..bytes.len().min(limits.max_bytes)];
    let bytes_truncated = truncated_input || bytes.len() > limits.max_bytes;
    let decoded = decode(considered, bytes_truncated);
    let text = decoded.strip_prefix('\u{FEFF}').unwrap_or(&decoded);

    let mut notices = Vec::new();
    if bytes_truncated {
        notices.push(Notice::truncated(format!(
            "Preview truncated: showing only the first {} of the file.",
            human_size(considered.len())
        )));
    }
    let body = if text.is_empty() && bytes_truncated {
        "<p class=\"empty\">Nothing to preview.</p>\n".to_owned()
    } else if text.is_empty() {
        "<p class=\"empty\">This file is empty.</p>\n".to_owned()
    } else {
        match kind {
            RenderKind::Delimited => {
                let delimiter = if has_tsv_extension(file_name) {
                    '\t'
                } else {
                    detect_delimiter(sniff_sample(text))
                };
                render_table(text, delimiter, bytes_truncated, limits, &mut notices)
            }
            RenderKind::Xml => render_xml(text, bytes_truncated, limits, &mut notices),
            RenderKind::Text => render_pre(text),
        }
    };
    page(file_name, &notices, &body)
}

// --- Page -------------------------------------------------------------------------------------

/// A message shown above the content.
struct Notice {
    class: &'static str,
    text: String,
}

impl Notice {
    fn truncated(text: String) -> Self {
        Notice {
            class: "truncated",
            text,
        }
    }
}

const STYLE: &str = "\
body{font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;margin:1rem;color:#1f2328;background:#fff}\
h1{font-size:1.05rem;margin:0 0 .75rem;overflow-wrap:anywhere}\
.truncated,.notice{background:#fff8c5;border:1px solid #d4a72c;border-radius:4px;padding:.4rem .7rem}\
.empty{color:#656d76}\
.table-wrap{overflow:auto}\
table{border-collapse:collapse;font-size:13px}\
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top;white-space:pre-wrap;overflow-wrap:anywhere;max-width:40rem}\
thead th{background:#eaeef2;position:sticky;top:0}\
tbody tr:nth-child(even){background:#f6f8fa}\
pre,ul.xml{font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}\
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0}\
ul.xml,ul.xml ul{list-style:none;margin:0;padding-left:1.5rem}\
ul.xml{padding-left:0}\
ul.xml li{overflow-wrap:anywhere}\
ul.xml .text,ul.xml .comment,ul.xml .meta{white-space:pre-wrap}\
.tag{color:#116329}.attr{color:#953800}.value{color:#0a3069}.comment{color:#6e7781;font-style:italic}.meta{color:#8250df}";

fn page(file_name: &str, notices: &[Notice], body: &str) -> String {
    let title: String = file_name.chars().take(MAX_TITLE_CHARS).collect();
    let mut out = String::with_capacity(body.len() + STYLE.len() + 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // Belt and braces for when the page is saved and opened without the response header.
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'\">\n",
    );
    out.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
    escape_into(&mut out, &title);
    out.push_str("</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<h1>");
    escape_into(&mut out, &title);
    out.push_str("</h1>\n");
    for notice in notices {
        out.push_str("<p class=\"");
        out.push_str(notice.class);
        out.push_str("\">");
        escape_into(&mut out, &notice.text);
        out.push_str("</p>\n");
    }
    out.push_str(body);
    out.push_str("</body>\n</html>\n");
    out
}

/// Appends `text` HTML-escaped: `& < > " '` become references, so it is inert both in element
/// content and in quoted attributes. Control characters other than tab, LF and CR (parse errors in
/// HTML) become U+FFFD.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// Like [`escape_into`], cutting `text` after `max` characters with an ellipsis.
fn escape_capped_into(out: &mut String, text: &str, max: usize) {
    match text.char_indices().nth(max) {
        Some((cut, _)) => {
            escape_into(out, &text[..cut]);
            out.push('…');
        }
        None => escape_into(out, text),
    }
}

fn human_size(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    // Display only: precision loss on huge sizes does not matter.
    let as_f64 = |n: usize| n as f64;
    if bytes >= MIB {
        format!("{:.1} MiB", as_f64(bytes) / as_f64(MIB))
    } else if bytes >= KIB {
        format!("{:.1} KiB", as_f64(bytes) / as_f64(KIB))
    } else if bytes == 1 {
        "1 byte".to_owned()
    } else {
        format!("{bytes} bytes")
    }
}

/// Lossy UTF-8. When the input is a prefix of the file, a character cut in half at the end is
/// dropped rather than shown as U+FFFD.
fn decode(bytes: &[u8], truncated: bool) -> Cow<'_, str> {
    let bytes = if truncated {
        &bytes[..complete_utf8_len(bytes)]
    } else {
        bytes
    };
    String::from_utf8_lossy(bytes)
}

/// Length of `bytes` without a trailing incomplete UTF-8 sequence.
fn complete_utf8_len(bytes: &[u8]) -> usize {
    // The last character starts at most 3 bytes before the end.
    for back in 1..=bytes.len().min(4) {
        let at = bytes.len() - back;
        let b = bytes[at];
        if b & 0xC0 == 0x80 {
            continue; // continuation byte: keep looking for the lead byte
        }
        let needed = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        return if back < needed { at } else { bytes.len() };
    }
    bytes.len()
}

fn render_pre(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    out.push_str("<pre>");
    if text.starts_with(['\n', '\r']) {
        // HTML drops one newline right after `<pre>`: give it one to drop.
        out.push('\n');
    }
    escape_into(&mut out, text);
    out.push_str("</pre>\n");
    out
}

// --- Delimited --------------------------------------------------------------------------------

fn has_tsv_extension(file_name: &str) -> bool {
    file_name
        .rsplit_once('.')
        .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("tsv") || ext.eq_ignore_ascii_case("tab"))
}

/// The start of `text` used to guess the delimiter: at most [`SNIFF_BYTES`], ending at a line end
/// when it was cut.
fn sniff_sample(text: &str) -> &str {
    if text.len() <= SNIFF_BYTES {
        return text;
    }
    let mut end = SNIFF_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    match sample.rfind('\n') {
        Some(newline) => &sample[..=newline],
        None => sample,
    }
}

/// Guesses the delimiter of a CSV-like sample among `,` `;` tab and `|`: the one that splits the
/// first records into the same number (two or more) of fields most consistently, then into the
/// most fields. Exact ties go to tab, then `;` (European CSV uses `;` precisely because its
/// numbers contain commas), then `,`, then `|`. Falls back to `,`.
pub fn detect_delimiter(sample: &str) -> char {
    let sample = sample.strip_prefix('\u{FEFF}').unwrap_or(sample);
    // (rows agreeing with the mode, rows looked at, mode, delimiter)
    let mut best: Option<(usize, usize, usize, char)> = None;
    for delimiter in ['\t', ';', ',', '|'] {
        let mut records: Vec<Record> = Records::new(sample, delimiter)
            .take(SNIFF_RECORDS)
            .collect();
        // A last line cut off by the sample would skew the counts.
        if records.len() > 1 && records.last().is_some_and(|r| !r.terminated) {
            records.pop();
        }
        let counts: Vec<usize> = records.iter().map(|r| r.fields.len()).collect();
        let Some((mode, agreeing)) = mode_of(&counts) else {
            continue;
        };
        if mode < 2 {
            continue;
        }
        let total = counts.len();
        let better = match best {
            None => true,
            // Compare agreeing/total as fractions, then the number of fields.
            Some((b_agreeing, b_total, b_mode, _)) => {
                let (lhs, rhs) = (agreeing * b_total, b_agreeing * total);
                lhs > rhs || (lhs == rhs && mode > b_mode)
            }
        };
        if better {
            best = Some((agreeing, total, mode, delimiter));
        }
    }
    best.map_or(',', |(_, _, _, delimiter)| delimiter)
}

/// The most frequent value and its frequency; ties go to the larger value.
fn mode_of(values: &[usize]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for &value in values {
        let frequency = values.iter().filter(|&&v| v == value).count();
        let better = match best {
            None => true,
            Some((b_value, b_frequency)) => {
                frequency > b_frequency || (frequency == b_frequency && value > b_value)
            }
        };
        if better {
            best = Some((value, frequency));
        }
    }
    best
}

/// One CSV record.
#[derive(Debug)]
struct Record {
    fields: Vec<String>,
    /// Ended by a line break rather than by the end of the input (or inside an open quote).
    terminated: bool,
}

/// An RFC 4180 record reader: fields separated by the delimiter, records by CRLF, LF or CR;
/// a field starting with `"` is quoted, may contain the delimiter and line breaks, and writes a
/// quote as `""`. Lenient where RFC 4180 is silent: text after a closing quote is kept, an
/// unterminated quote runs to the end, blank lines are skipped (so a trailing newline does not
/// add an empty row).
struct Records<'a> {
    src: &'a str,
    pos: usize,
    delimiter: u8,
}

impl<'a> Records<'a> {
    fn new(src: &'a str, delimiter: char) -> Self {
        // All candidate delimiters are ASCII; a non-ASCII one would never match a byte.
        let delimiter = u8::try_from(delimiter).unwrap_or(b',');
        Records {
            src,
            pos: 0,
            delimiter,
        }
    }

    /// Where an unquoted run starting at `from` ends: the next delimiter, line break or the end.
    fn unquoted_end(&self, from: usize) -> usize {
        let bytes = self.src.as_bytes();
        bytes[from..]
            .iter()
            .position(|&b| b == self.delimiter || b == b'\n' || b == b'\r')
            .map_or(bytes.len(), |offset| from + offset)
    }

    /// Reads the field at `self.pos` and leaves `self.pos` on what ends it. Every index used to
    /// slice is at an ASCII byte, hence a character boundary.
    fn field(&mut self) -> String {
        let bytes = self.src.as_bytes();
        let start = self.pos;
        if bytes.get(start) != Some(&b'"') {
            let end = self.unquoted_end(start);
            self.pos = end;
            return self.src[start..end].to_owned();
        }
        let mut value = String::new();
        let mut pos = start + 1;
        loop {
            match bytes[pos..].iter().position(|&b| b == b'"') {
                None => {
                    // Unterminated quote: the rest of the input is this field.
                    value.push_str(&self.src[pos..]);
                    self.pos = bytes.len();
                    return value;
                }
                Some(offset) => {
                    let quote = pos + offset;
                    value.push_str(&self.src[pos..quote]);
                    if bytes.get(quote + 1) == Some(&b'"') {
                        value.push('"');
                        pos = quote + 2;
                    } else {
                        pos = quote + 1;
                        break;
                    }
                }
            }
        }
        let end = self.unquoted_end(pos);
        value.push_str(&self.src[pos..end]);
        self.pos = end;
        value
    }
}

impl Iterator for Records<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let bytes = self.src.as_bytes();
        while matches!(bytes.get(self.pos), Some(b'\n' | b'\r')) {
            self.pos += 1;
        }
        if self.pos >= bytes.len() {
            return None;
        }
        let mut fields = Vec::new();
        loop {
            fields.push(self.field());
            match bytes.get(self.pos) {
                Some(&b) if b == self.delimiter => self.pos += 1,
                Some(b'\r') => {
                    self.pos += 1;
                    if bytes.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                    }
                    return Some(Record {
                        fields,
                        terminated: true,
                    });
                }
                Some(b'\n') => {
                    self.pos += 1;
                    return Some(Record {
                        fields,
                        terminated: true,
                    });
                }
                // `field` stops only at a delimiter, a line break or the end.
                _ => {
                    return Some(Record {
                        fields,
                        terminated: false,
                    })
                }
            }
        }
    }
}

fn render_table(
    text: &str,
    delimiter: char,
    bytes_truncated: bool,
    limits: RenderLimits,
    notices: &mut Vec<Notice>,
) -> String {
    let mut records = Records::new(text, delimiter);
    let header = records.next().map(|r| r.fields).unwrap_or_default();
    let mut rows = Vec::new();
    let mut more_rows = false;
    for record in records {
        if bytes_truncated && !record.terminated {
            break; // the last line was cut off with the input
        }
        if rows.len() >= limits.max_rows {
            more_rows = true;
            break;
        }
        rows.push(record.fields);
    }
    let widest = rows
        .iter()
        .map(Vec::len)
        .chain([header.len()])
        .max()
        .unwrap_or(0);
    let columns = widest.min(MAX_COLUMNS);
    if more_rows {
        notices.push(Notice::truncated(format!(
            "Preview truncated: showing the first {} rows; the file has more.",
            rows.len()
        )));
    }
    if widest > MAX_COLUMNS {
        notices.push(Notice::truncated(format!(
            "Preview truncated: showing the first {MAX_COLUMNS} of {widest} columns."
        )));
    }

    let mut out = String::with_capacity(text.len() * 2 + 256);
    out.push_str("<div class=\"table-wrap\"><table>\n<thead><tr>");
    push_cells(&mut out, "th", &header, columns);
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &rows {
        out.push_str("<tr>");
        push_cells(&mut out, "td", row, columns);
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table></div>\n");
    out
}

/// Writes `columns` cells, padding short rows so the grid stays rectangular.
fn push_cells(out: &mut String, tag: &str, cells: &[String], columns: usize) {
    for index in 0..columns {
        out.push('<');
        out.push_str(tag);
        out.push('>');
        if let Some(cell) = cells.get(index) {
            escape_capped_into(out, cell, MAX_CELL_CHARS);
        }
        out.push_str("</");
        out.push_str(tag);
        out.push('>');
    }
}

// --- XML --------------------------------------------------------------------------------------

/// A piece of an XML document. Text and attribute values are raw: references such as `&amp;` or
/// `&lol9;` stay as written and are displayed literally.
#[derive(Debug)]
enum XmlNode<'a> {
    Open {
        name: &'a str,
        attributes: Vec<(&'a str, &'a str)>,
        self_closing: bool,
    },
    Close(&'a str),
    Text(&'a str),
    CData(&'a str),
    Comment(&'a str),
    /// The content between `<?` and `?>`.
    Instruction(&'a str),
    /// The whole `<!DOCTYPE …>`, internal subset included, never interpreted.
    Doctype(&'a str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum XmlErrorKind {
    /// The input ended inside markup or with elements open: expected for a truncated prefix.
    Eof,
    Malformed,
}

#[derive(Debug)]
struct XmlError {
    kind: XmlErrorKind,
    reason: String,
    offset: usize,
}

/// A small well-formedness-checking XML tokenizer: matching tags, one root element, quoted and
/// unique attributes, no `<` in attribute values, syntactically valid references, no stray text
/// outside the root. It yields nodes until the end or the first error, which it yields last.
struct XmlTokens<'a> {
    src: &'a str,
    pos: usize,
    open: Vec<&'a str>,
    seen_root: bool,
    done: bool,
}

impl<'a> XmlTokens<'a> {
    fn new(src: &'a str) -> Self {
        XmlTokens {
            src,
            pos: 0,
            open: Vec::new(),
            seen_root: false,
            done: false,
        }
    }

    fn eof(&self, reason: &str) -> XmlError {
        XmlError {
            kind: XmlErrorKind::Eof,
            reason: reason.to_owned(),
            offset: self.src.len(),
        }
    }

    fn malformed(&self, reason: impl Into<String>, offset: usize) -> XmlError {
        XmlError {
            kind: XmlErrorKind::Malformed,
            reason: reason.into(),
            offset,
        }
    }

    fn skip_whitespace(&self, mut pos: usize) -> usize {
        while matches!(
            self.src.as_bytes().get(pos),
            Some(b' ' | b'\t' | b'\r' | b'\n')
        ) {
            pos += 1;
        }
        pos
    }

    /// The XML name starting at `pos`, `Err(Eof)` at the end of input, `Err(Malformed)` if what is
    /// there cannot start a name.
    fn name_at(&self, pos: usize, what: &str) -> Result<&'a str, XmlError> {
        let rest = self.src.get(pos..).unwrap_or_default();
        let mut chars = rest.char_indices();
        match chars.next() {
            None => return Err(self.eof(&format!("unterminated {what}"))),
            Some((_, c)) if is_name_start(c) => {}
            Some(_) => return Err(self.malformed(format!("invalid {what} name"), pos)),
        }
        let end = chars
            .find(|&(_, c)| !is_name_char(c))
            .map_or(rest.len(), |(i, _)| i);
        Ok(&rest[..end])
    }

    fn step(&mut self) -> Result<Option<XmlNode<'a>>, XmlError> {
        loop {
            let start = self.pos;
            let rest = &self.src[start..];
            if rest.is_empty() {
                if !self.open.is_empty() {
                    return Err(self.eof("unclosed element"));
                }
                if !self.seen_root {
                    return Err(self.malformed("no root element", start));
                }
                return Ok(None);
            }
            if let Some(body) = rest.strip_prefix("<!--") {
                let end = body
                    .find("-->")
                    .ok_or_else(|| self.eof("unterminated comment"))?;
                self.pos = start + 4 + end + 3;
                return Ok(Some(XmlNode::Comment(&body[..end])));
            }
            if let Some(body) = rest.strip_prefix("<![CDATA[") {
                if self.open.is_empty() {
                    return Err(self.malformed("CDATA section outside the root element", start));
                }
                let end = body
                    .find("]]>")
                    .ok_or_else(|| self.eof("unterminated CDATA section"))?;
                self.pos = start + 9 + end + 3;
                return Ok(Some(XmlNode::CData(&body[..end])));
            }
            if rest.starts_with("<!DOCTYPE") {
                if self.seen_root {
                    return Err(self.malformed("DOCTYPE after the root element", start));
                }
                let len = doctype_len(rest).ok_or_else(|| self.eof("unterminated DOCTYPE"))?;
                self.pos = start + len;
                return Ok(Some(XmlNode::Doctype(&rest[..len])));
            }
            if rest.starts_with("<!") {
                // A prefix of a declaration cut off by the end of the input.
                if ["<!DOCTYPE", "<![CDATA[", "<!--"]
                    .iter()
                    .any(|opener| opener.starts_with(rest))
                {
                    return Err(self.eof("unterminated markup"));
                }
                return Err(self.malformed("unknown markup declaration", start));
            }
            if let Some(body) = rest.strip_prefix("<?") {
                let end = body
                    .find("?>")
                    .ok_or_else(|| self.eof("unterminated processing instruction"))?;
                self.pos = start + 2 + end + 2;
                return Ok(Some(XmlNode::Instruction(&body[..end])));
            }
            if rest.starts_with("</") {
                return self.end_tag(start).map(Some);
            }
            if rest.starts_with('<') {
                return self.start_tag(start).map(Some);
            }

            let end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..end];
            self.pos = start + end;
            if self.open.is_empty() {
                if !text
                    .bytes()
                    .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                {
                    return Err(self.malformed("text outside the root element", start));
                }
                continue;
            }
            if end == rest.len() {
                // Runs into the end of input with elements open: the next step reports that;
                // the text may be cut anywhere, so it is not checked.
                return Ok(Some(XmlNode::Text(text)));
            }
            if let Some(at) = text.find("]]>") {
                return Err(self.malformed("']]>' in text", start + at));
            }
            if let Some(at) = invalid_reference(text) {
                return Err(self.malformed("invalid entity or character reference", start + at));
            }
            return Ok(Some(XmlNode::Text(text)));
        }
    }

    /// `<name attr="value" …>` or `<name …/>` at `start`.
    fn start_tag(&mut self, start: usize) -> Result<XmlNode<'a>, XmlError> {
        if self.seen_root && self.open.is_empty() {
            return Err(self.malformed("more than one root element", start));
        }
        let bytes = self.src.as_bytes();
        let name = self.name_at(start + 1, "start tag")?;
        let mut pos = start + 1 + name.len();
        let mut attributes: Vec<(&'a str, &'a str)> = Vec::new();
        let self_closing = loop {
            let after_space = self.skip_whitespace(pos);
            let had_space = after_space > pos;
            pos = after_space;
            match bytes.get(pos) {
                None => return Err(self.eof("unterminated start tag")),
                Some(b'>') => {
                    pos += 1;
                    break false;
                }
                Some(b'/') => match bytes.get(pos + 1) {
                    None => return Err(self.eof("unterminated start tag")),
                    Some(b'>') => {
                        pos += 2;
                        break true;
                    }
                    Some(_) => return Err(self.malformed("unexpected '/' in start tag", pos)),
                },
                Some(_) if !had_space => {
                    return Err(self.malformed("missing space before attribute", pos));
                }
                Some(_) => {
                    let attribute = self.name_at(pos, "attribute")?;
                    pos = self.skip_whitespace(pos + attribute.len());
                    match bytes.get(pos) {
                        None => return Err(self.eof("unterminated start tag")),
                        Some(b'=') => pos = self.skip_whitespace(pos + 1),
                        Some(_) => return Err(self.malformed("attribute without a value", pos)),
                    }
                    let quote = match bytes.get(pos) {
                        None => return Err(self.eof("unterminated start tag")),
                        Some(&q @ (b'"' | b'\'')) => q,
                        Some(_) => return Err(self.malformed("unquoted attribute value", pos)),
                    };
                    let value_start = pos + 1;
                    let value_end = bytes[value_start..]
                        .iter()
                        .position(|&b| b == quote)
                        .map(|offset| value_start + offset)
                        .ok_or_else(|| self.eof("unterminated attribute value"))?;
                    let value = &self.src[value_start..value_end];
                    if let Some(at) = value.find('<') {
                        return Err(self.malformed("'<' in attribute value", value_start + at));
                    }
                    if let Some(at) = invalid_reference(value) {
                        return Err(self
                            .malformed("invalid entity or character reference", value_start + at));
                    }
                    attributes.push((attribute, value));
                    pos = value_end + 1;
                }
            }
        };
        // Sorting names finds duplicates in O(n log n) even for a tag with huge numbers of them.
        if attributes.len() > 1 {
            let mut names: Vec<&str> = attributes.iter().map(|&(name, _)| name).collect();
            names.sort_unstable();
            if let Some(pair) = names.windows(2).find(|pair| pair[0] == pair[1]) {
                return Err(self.malformed(format!("duplicate attribute '{}'", pair[0]), start));
            }
        }
        self.seen_root = true;
        if !self_closing {
            self.open.push(name);
        }
        self.pos = pos;
        Ok(XmlNode::Open {
            name,
            attributes,
            self_closing,
        })
    }

    /// `</name>` at `start`, which must close the innermost open element.
    fn end_tag(&mut self, start: usize) -> Result<XmlNode<'a>, XmlError> {
        let name = self.name_at(start + 2, "end tag")?;
        let pos = self.skip_whitespace(start + 2 + name.len());
        match self.src.as_bytes().get(pos) {
            None => return Err(self.eof("unterminated end tag")),
            Some(b'>') => {}
            Some(_) => return Err(self.malformed("unexpected character in end tag", pos)),
        }
        match self.open.pop() {
            Some(open) if open == name => {}
            Some(open) => {
                return Err(
                    self.malformed(format!("</{name}> does not match the open <{open}>"), start)
                )
            }
            None => return Err(self.malformed(format!("</{name}> closes nothing"), start)),
        }
        self.pos = pos + 1;
        Ok(XmlNode::Close(name))
    }
}

impl<'a> Iterator for XmlTokens<'a> {
    type Item = Result<XmlNode<'a>, XmlError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(node)) => Some(Ok(node)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(error) => {
                self.done = true;
                Some(Err(error))
            }
        }
    }
}

/// Approximates the XML `NameStartChar` production (every non-ASCII letter is accepted).
fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':' || (!c.is_ascii() && c.is_alphanumeric())
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit() || c == '-' || c == '.' || c == '\u{B7}'
}

/// Length of the `<!DOCTYPE …>` at the start of `rest`, skipping over quoted strings, the
/// `[ … ]` internal subset and comments in it, or `None` if it does not end.
fn doctype_len(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut quote: Option<u8> = None;
    let mut in_subset = false;
    let mut i = "<!DOCTYPE".len();
    while let Some(&b) = bytes.get(i) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if in_subset && bytes[i..].starts_with(b"<!--") => {
                let end = rest[i + 4..].find("-->")?;
                i += 4 + end + 3;
                continue;
            }
            None if in_subset => in_subset = b != b']',
            None if b == b'[' => in_subset = true,
            None if b == b'>' => return Some(i + 1),
            None => {}
        }
        i += 1;
    }
    None
}

/// Offset of the first `&` that does not start `&name;`, `&#digits;` or `&#xhex;`. Linear: each
/// reference is scanned once, never past its own characters.
fn invalid_reference(text: &str) -> Option<usize> {
    for (at, _) in text.match_indices('&') {
        let after = &text[at + 1..];
        let (body_len, valid_body) = if let Some(hex) = after.strip_prefix("#x") {
            let digits = hex.bytes().take_while(u8::is_ascii_hexdigit).count();
            (2 + digits, digits > 0)
        } else if let Some(decimal) = after.strip_prefix('#') {
            let digits = decimal.bytes().take_while(u8::is_ascii_digit).count();
            (1 + digits, digits > 0)
        } else {
            let mut chars = after.char_indices();
            match chars.next() {
                Some((_, c)) if is_name_start(c) => {
                    let len = chars
                        .find(|&(_, c)| !is_name_char(c))
                        .map_or(after.len(), |(i, _)| i);
                    (len, true)
                }
                _ => (0, false),
            }
        };
        if !valid_body || after.as_bytes().get(body_len) != Some(&b';') {
            return Some(at);
        }
    }
    None
}

fn render_xml(
    text: &str,
    bytes_truncated: bool,
    limits: RenderLimits,
    notices: &mut Vec<Notice>,
) -> String {
    // First pass: is it well-formed? (The tokenizer is cheap; nothing is kept.)
    let error = XmlTokens::new(text).find_map(Result::err);
    match error {
        None => {}
        // A prefix of a document necessarily ends mid-way: show the part we have.
        Some(error) if bytes_truncated && error.kind == XmlErrorKind::Eof => {}
        Some(error) => {
            let line = text
                .as_bytes()
                .get(..error.offset)
                .unwrap_or(text.as_bytes())
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            notices.push(Notice {
                class: "notice",
                text: format!(
                    "This XML is not well-formed ({} on line {line}); showing it as plain text.",
                    error.reason
                ),
            });
            return render_pre(text);
        }
    }

    let mut out = String::with_capacity(text.len() * 2 + 256);
    let (shown, more) = render_xml_tree(&mut out, text, limits.max_rows);
    if more {
        notices.push(Notice::truncated(format!(
            "Preview truncated: showing the first {shown} nodes of the document."
        )));
    }
    out
}

/// Writes the nodes of `text` as nested lists, at most `max_nodes` of them (elements, texts,
/// comments…; end tags do not count). Returns how many were shown and whether more were left.
fn render_xml_tree(out: &mut String, text: &str, max_nodes: usize) -> (usize, bool) {
    let mut tokens = XmlTokens::new(text).map_while(Result::ok);
    let mut ahead: VecDeque<XmlNode> = VecDeque::new();
    let mut depth = 0usize;
    let mut shown = 0usize;
    let mut more = false;
    out.push_str("<ul class=\"xml\">\n");
    while let Some(node) = ahead.pop_front().or_else(|| tokens.next()) {
        if let XmlNode::Close(name) = node {
            if depth > 0 {
                out.push_str("</ul>");
                push_end_tag(out, name);
                out.push_str("</li>\n");
                depth -= 1;
            }
            continue;
        }
        if let XmlNode::Text(t) = node {
            if is_xml_whitespace(t) {
                continue;
            }
        }
        if shown >= max_nodes {
            more = true;
            break;
        }
        shown += 1;
        match node {
            XmlNode::Open {
                name,
                attributes,
                self_closing,
            } => {
                out.push_str("<li>");
                push_start_tag(out, name, &attributes, self_closing);
                if self_closing {
                    out.push_str("</li>\n");
                    continue;
                }
                // `<name>short text</name>` and `<name></name>` fit on one line.
                while ahead.len() < 2 {
                    match tokens.next() {
                        Some(next) => ahead.push_back(next),
                        None => break,
                    }
                }
                let inline_text = match (ahead.front(), ahead.get(1)) {
                    (Some(XmlNode::Close(_)), _) => Some(None),
                    (Some(XmlNode::Text(t)), Some(XmlNode::Close(_))) if is_inline(t) => {
                        Some(Some(*t))
                    }
                    _ => None,
                };
                match inline_text {
                    Some(content) => {
                        if let Some(t) = content {
                            out.push_str("<span class=\"text\">");
                            escape_into(out, trim_xml_whitespace(t));
                            out.push_str("</span>");
                            ahead.pop_front();
                        }
                        ahead.pop_front();
                        push_end_tag(out, name);
                        out.push_str("</li>\n");
                    }
                    None => {
                        out.push_str("\n<ul>\n");
                        depth += 1;
                    }
                }
            }
            XmlNode::Text(t) => push_leaf(out, "text", "", trim_xml_whitespace(t), ""),
            XmlNode::CData(t) => push_leaf(out, "text", "<![CDATA[", t, "]]>"),
            XmlNode::Comment(t) => push_leaf(out, "comment", "<!--", t, "-->"),
            XmlNode::Instruction(t) => push_leaf(out, "meta", "<?", t, "?>"),
            XmlNode::Doctype(t) => push_leaf(out, "meta", "", t, ""),
            XmlNode::Close(_) => {}
        }
    }
    // Elements left open by the node limit or a truncated input.
    for _ in 0..depth {
        out.push_str("</ul></li>\n");
    }
    out.push_str("</ul>\n");
    (shown, more)
}

fn push_start_tag(out: &mut String, name: &str, attributes: &[(&str, &str)], self_closing: bool) {
    out.push_str("<span class=\"tag\">&lt;");
    escape_into(out, name);
    out.push_str("</span>");
    for (attribute, value) in attributes.iter().take(MAX_ATTRIBUTES) {
        out.push_str(" <span class=\"attr\">");
        escape_into(out, attribute);
        out.push_str("</span>=<span class=\"value\">&quot;");
        escape_capped_into(out, value, MAX_CELL_CHARS);
        out.push_str("&quot;</span>");
    }
    if attributes.len() > MAX_ATTRIBUTES {
        out.push_str(&format!(
            " <span class=\"attr\">… {} more attributes</span>",
            attributes.len() - MAX_ATTRIBUTES
        ));
    }
    out.push_str(if self_closing {
        "<span class=\"tag\">/&gt;</span>"
    } else {
        "<span class=\"tag\">&gt;</span>"
    });
}

fn push_end_tag(out: &mut String, name: &str) {
    out.push_str("<span class=\"tag\">&lt;/");
    escape_into(out, name);
    out.push_str("&gt;</span>");
}

fn push_leaf(out: &mut String, class: &str, before: &str, content: &str, after: &str) {
    out.push_str("<li class=\"");
    out.push_str(class);
    out.push_str("\">");
    escape_into(out, before);
    escape_capped_into(out, content, MAX_CELL_CHARS);
    escape_into(out, after);
    out.push_str("</li>\n");
}

fn is_xml_whitespace(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

fn trim_xml_whitespace(text: &str) -> &str {
    text.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

fn is_inline(text: &str) -> bool {
    let trimmed = trim_xml_whitespace(text);
    !trimmed.contains('\n') && trimmed.chars().nth(INLINE_TEXT_CHARS).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> RenderLimits {
        RenderLimits::default()
    }

    fn render(kind: RenderKind, name: &str, input: &str) -> String {
        render_html(kind, name, input.as_bytes(), false, limits())
    }

    fn csv(input: &str) -> String {
        render(RenderKind::Delimited, "data.csv", input)
    }

    fn xml(input: &str) -> String {
        render(RenderKind::Xml, "doc.xml", input)
    }

    /// The HTML elements a preview may contain; anything else means file content leaked markup.
    const OUR_TAGS: &[&str] = &[
        "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1", "p", "div", "table",
        "thead", "tbody", "tr", "th", "td", "pre", "ul", "li", "span",
    ];

    /// Asserts `page` is one of ours: a complete document whose every tag is in [`OUR_TAGS`], with
    /// no script anywhere and no attribute other than the fixed ones we write.
    fn assert_safe_page(page: &str) {
        assert!(page.starts_with("<!DOCTYPE html>\n"), "{page}");
        assert!(page.contains("<meta charset=\"utf-8\">"));
        assert!(page.ends_with("</html>\n"));
        assert!(!page.to_ascii_lowercase().contains("<script"), "{page}");
        for (at, _) in page.match_indices('<') {
            let tag = &page[at + 1..];
            let tag = tag.strip_prefix('/').unwrap_or(tag);
            let name: String = tag
                .chars()
                .take_while(|&c| c == '!' || c.is_ascii_alphanumeric())
                .collect();
            assert!(
                OUR_TAGS.contains(&name.as_str()),
                "unexpected tag <{name} at {at} in {page}"
            );
            let end = page[at..].find('>').expect("tags are closed") + at;
            let inside = &page[at..end];
            for attribute in ["on", "src=", "href=", "style="] {
                assert!(
                    !inside.contains(&format!(" {attribute}")),
                    "unexpected attribute in {inside}"
                );
            }
        }
    }

    fn count(haystack: &str, needle: &str) -> usize {
        haystack.matches(needle).count()
    }

    /// The cells of the rendered table, in order, still escaped.
    fn cells(page: &str) -> Vec<String> {
        let mut found = Vec::new();
        for open in ["<th>", "<td>"] {
            let close = open.replace('<', "</");
            for (at, _) in page.match_indices(open) {
                let rest = &page[at + open.len()..];
                let end = rest.find(&close).expect("cell closed");
                found.push((at, rest[..end].to_owned()));
            }
        }
        found.sort();
        found.into_iter().map(|(_, cell)| cell).collect()
    }

    // --- render_kind ----------------------------------------------------------------------------

    #[test]
    fn render_kind_by_media_type() {
        use RenderKind::*;
        assert_eq!(render_kind("text/csv", None), Some(Delimited));
        assert_eq!(
            render_kind("text/csv; charset=utf-8", None),
            Some(Delimited)
        );
        assert_eq!(render_kind(" TEXT/CSV ", None), Some(Delimited));
        assert_eq!(
            render_kind("text/tab-separated-values", None),
            Some(Delimited)
        );
        assert_eq!(render_kind("application/xml", None), Some(Xml));
        assert_eq!(render_kind("text/xml; charset=utf-8", None), Some(Xml));
        assert_eq!(render_kind("application/atom+xml", None), Some(Xml));
        assert_eq!(render_kind("application/rss+xml", Some("rss")), Some(Xml));
        assert_eq!(render_kind("text/plain", None), Some(Text));
        assert_eq!(
            render_kind("text/plain; charset=us-ascii", None),
            Some(Text)
        );
        assert_eq!(render_kind("text/markdown", None), Some(Text));
    }

    #[test]
    fn render_kind_excludes_svg_and_xhtml() {
        assert_eq!(render_kind("image/svg+xml", None), None);
        assert_eq!(render_kind("image/svg+xml", Some("xml")), None);
        assert_eq!(render_kind("application/xhtml+xml", Some("xml")), None);
    }

    #[test]
    fn render_kind_by_extension_when_media_type_is_generic() {
        use RenderKind::*;
        assert_eq!(
            render_kind("application/octet-stream", Some("csv")),
            Some(Delimited)
        );
        assert_eq!(
            render_kind("application/octet-stream", Some(".TSV")),
            Some(Delimited)
        );
        assert_eq!(render_kind("text/plain", Some("csv")), Some(Delimited));
        assert_eq!(render_kind("", Some("xml")), Some(Xml));
        assert_eq!(
            render_kind("application/octet-stream", Some("txt")),
            Some(Text)
        );
        assert_eq!(
            render_kind("application/octet-stream", Some("log")),
            Some(Text)
        );
        assert_eq!(
            render_kind("application/octet-stream", Some("md")),
            Some(Text)
        );
        assert_eq!(render_kind("text/plain", Some("svg")), Some(Text));
    }

    #[test]
    fn render_kind_specific_media_type_wins_over_extension() {
        assert_eq!(render_kind("application/pdf", Some("txt")), None);
        assert_eq!(render_kind("image/png", Some("csv")), None);
        assert_eq!(render_kind("text/html", Some("txt")), None);
        assert_eq!(render_kind("application/json", None), None);
        assert_eq!(render_kind("application/octet-stream", None), None);
        assert_eq!(render_kind("application/octet-stream", Some("exe")), None);
    }

    #[test]
    fn csp_forbids_scripts_and_sandboxes() {
        for directive in [
            "default-src 'none'",
            "script-src 'none'",
            "frame-ancestors 'none'",
            "form-action 'none'",
            "base-uri 'none'",
            "sandbox",
        ] {
            assert!(PREVIEW_CSP.contains(directive), "{directive}");
        }
        assert!(http::HeaderValue::from_str(PREVIEW_CSP).is_ok());
    }

    #[test]
    fn default_limits() {
        let l = RenderLimits::default();
        assert_eq!((l.max_rows, l.max_bytes), (1000, 1024 * 1024));
    }

    // --- Delimited ------------------------------------------------------------------------------

    #[test]
    fn csv_first_row_is_the_header() {
        let page = csv("name,age\nAda,36\nAlan,41\n");
        assert_safe_page(&page);
        assert!(page.contains("<thead><tr><th>name</th><th>age</th></tr></thead>"));
        assert!(page.contains("<tr><td>Ada</td><td>36</td></tr>"));
        assert!(page.contains("<tr><td>Alan</td><td>41</td></tr>"));
        assert_eq!(count(&page, "<tr>"), 3);
        assert!(!page.contains("class=\"truncated\""));
    }

    #[test]
    fn csv_cells_are_escaped_and_never_run_scripts() {
        let page = csv("a,b\n<script>alert(1)</script>,\"x\"\"><img src=x onerror=alert(1)>\"\n");
        assert_safe_page(&page);
        assert!(page.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
        assert!(page.contains("<td>x&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</td>"));
    }

    #[test]
    fn rfc4180_2_6_quoted_commas_and_embedded_newlines() {
        let page = csv("name,notes\n\"Smith, J\",\"line1\nline2\"\nlast,\"a\r\nb\"\n");
        assert_safe_page(&page);
        assert_eq!(
            cells(&page),
            [
                "name",
                "notes",
                "Smith, J",
                "line1\nline2",
                "last",
                "a\r\nb"
            ]
        );
    }

    #[test]
    fn rfc4180_2_7_doubled_quotes() {
        let page = csv("q\n\"say \"\"hi\"\"\"\n\"\"\"\"\n");
        assert_eq!(cells(&page), ["q", "say &quot;hi&quot;", "&quot;"]);
    }

    #[test]
    fn rfc4180_2_1_crlf_and_lf_line_breaks() {
        let crlf = csv("a,b\r\n1,2\r\n3,4\r\n");
        assert_eq!(cells(&crlf), ["a", "b", "1", "2", "3", "4"]);
        let lf = csv("a,b\n1,2\n3,4");
        assert_eq!(cells(&lf), ["a", "b", "1", "2", "3", "4"]);
        let cr = csv("a,b\r1,2\r3,4\r");
        assert_eq!(cells(&cr), ["a", "b", "1", "2", "3", "4"]);
    }

    #[test]
    fn rfc4180_2_2_trailing_newline_adds_no_row() {
        let page = csv("a,b\n1,2\n");
        assert_eq!(count(&page, "<tr>"), 2);
        let page = csv("a,b\n1,2\n\n\n");
        assert_eq!(count(&page, "<tr>"), 2);
    }

    #[test]
    fn rfc4180_2_4_empty_fields_and_ragged_rows_are_padded() {
        let page = csv("a,b,c\n1,,3\n4\n,,\n");
        assert_eq!(
            cells(&page),
            ["a", "b", "c", "1", "", "3", "4", "", "", "", "", ""]
        );
    }

    #[test]
    fn rfc4180_lenient_unterminated_quote_and_text_after_quote() {
        let page = csv("a,b\n\"open,1\n2\n");
        assert_eq!(cells(&page), ["a", "b", "open,1\n2\n", ""]);
        let page = csv("a,b\n\"x\"y,z\n");
        assert_eq!(cells(&page), ["a", "b", "xy", "z"]);
    }

    #[test]
    fn csv_byte_order_mark_is_dropped() {
        let page = csv("\u{FEFF}a;b\n1;2\n");
        assert_eq!(cells(&page), ["a", "b", "1", "2"]);
    }

    #[test]
    fn detect_semicolon_delimiter() {
        assert_eq!(detect_delimiter("a;b;c\n1;2;3\n"), ';');
        // European decimals: commas inside the numbers, semicolons between them.
        assert_eq!(
            detect_delimiter("Name;Preis;Menge\nApfel;1,50;3\nBirne;2,25;4\n"),
            ';'
        );
        assert_eq!(detect_delimiter("x;1,5;2,5\ny;3,5;4,5\n"), ';');
        let page = csv("Name;Preis\nApfel;1,50\n");
        assert_eq!(cells(&page), ["Name", "Preis", "Apfel", "1,50"]);
    }

    #[test]
    fn detect_other_delimiters() {
        assert_eq!(detect_delimiter("a,b,c\n1,2,3\n"), ',');
        assert_eq!(detect_delimiter("a\tb\n1\t2\n"), '\t');
        assert_eq!(detect_delimiter("a|b|c\n1|2|3\n"), '|');
        // Quoted delimiters do not count.
        assert_eq!(detect_delimiter("a,b\n\"x;y;z\",2\n\"p;q;r\",3\n"), ',');
        // A comma inside the text of a TSV does not win.
        assert_eq!(
            detect_delimiter("name\taddress\nBob\t1 Main St, Springfield\nAl\tHere\n"),
            '\t'
        );
        // More consistent beats more fields.
        assert_eq!(detect_delimiter("a,b;c\n1,2;3;4\n5,6;7;8;9\n"), ',');
        // A single column, or nothing, defaults to comma.
        assert_eq!(detect_delimiter("one\ntwo\n"), ',');
        assert_eq!(detect_delimiter(""), ',');
        // A last line cut off by the sample is not counted.
        assert_eq!(detect_delimiter("a;b\n1;2\n3"), ';');
    }

    #[test]
    fn tsv_extension_forces_tab() {
        let input = "a,b,c\td\n1,2,3\t4\n";
        assert_eq!(detect_delimiter(input), ',');
        let page = render(RenderKind::Delimited, "data.TSV", input);
        assert_eq!(cells(&page), ["a,b,c", "d", "1,2,3", "4"]);
        let page = render(RenderKind::Delimited, "data.tab", input);
        assert_eq!(cells(&page), ["a,b,c", "d", "1,2,3", "4"]);
    }

    #[test]
    fn tsv_without_extension_is_detected() {
        let page = render(RenderKind::Delimited, "export", "id\tname\n1\tA, B\n2\tC\n");
        assert_eq!(cells(&page), ["id", "name", "1", "A, B", "2", "C"]);
    }

    #[test]
    fn truncated_notice_when_rows_exceed_max_rows() {
        let input = "h\n1\n2\n3\n4\n5\n";
        let small = RenderLimits {
            max_rows: 2,
            max_bytes: 1024,
        };
        let page = render_html(
            RenderKind::Delimited,
            "n.csv",
            input.as_bytes(),
            false,
            small,
        );
        assert_safe_page(&page);
        assert_eq!(cells(&page), ["h", "1", "2"]);
        assert!(page.contains("<p class=\"truncated\">Preview truncated: showing the first 2 rows"));

        // Exactly max_rows rows: nothing was cut.
        let page = render_html(RenderKind::Delimited, "n.csv", b"h\n1\n2\n", false, small);
        assert!(!page.contains("class=\"truncated\""));
    }

    #[test]
    fn truncated_notice_when_input_was_cut_by_the_caller() {
        let page = render_html(
            RenderKind::Delimited,
            "big.csv",
            b"a,b\n1,2\n3,",
            true,
            limits(),
        );
        assert!(page.contains("<p class=\"truncated\">"));
        assert!(page.contains("truncated"));
        // The half line at the end is not shown.
        assert_eq!(cells(&page), ["a", "b", "1", "2"]);
    }

    #[test]
    fn truncated_notice_when_input_exceeds_max_bytes() {
        let input = "a,b\n1,2\n3,4\n";
        let small = RenderLimits {
            max_rows: 1000,
            max_bytes: 10, // "a,b\n1,2\n3," -> the last line is cut
        };
        let page = render_html(
            RenderKind::Delimited,
            "x.csv",
            input.as_bytes(),
            false,
            small,
        );
        assert!(page
            .contains("<p class=\"truncated\">Preview truncated: showing only the first 10 bytes"));
        assert_eq!(cells(&page), ["a", "b", "1", "2"]);
    }

    #[test]
    fn cells_and_columns_are_capped() {
        let long = "x".repeat(MAX_CELL_CHARS + 500);
        let page = csv(&format!("h\n{long}\n"));
        let cell = &cells(&page)[1];
        assert_eq!(cell.chars().count(), MAX_CELL_CHARS + 1);
        assert!(cell.ends_with('…'));

        let wide = vec!["c"; MAX_COLUMNS + 50].join(",");
        let page = csv(&format!("{wide}\n{wide}\n"));
        assert_eq!(count(&page, "<th>"), MAX_COLUMNS);
        assert!(page.contains(&format!("showing the first {MAX_COLUMNS} of 250 columns")));
    }

    // --- XML ------------------------------------------------------------------------------------

    #[test]
    fn xml_renders_a_tree_with_attributes_and_text() {
        let page = xml(
            "<?xml version=\"1.0\"?>\n<!-- note -->\n<root id=\"1\" lang='en'>\n  <item n=\"a&amp;b\">Tom &amp; Jerry</item>\n  <empty/>\n  <nested><x>1</x></nested>\n</root>\n",
        );
        assert_safe_page(&page);
        assert!(!page.contains("not well-formed"));
        assert!(page.contains("&lt;?xml version=&quot;1.0&quot;?&gt;"));
        assert!(page.contains("&lt;!-- note --&gt;"));
        assert!(page
            .contains("<span class=\"attr\">id</span>=<span class=\"value\">&quot;1&quot;</span>"));
        // Entities are shown literally, never expanded.
        assert!(page.contains(
            "<span class=\"tag\">&lt;item</span> <span class=\"attr\">n</span>=<span class=\"value\">&quot;a&amp;amp;b&quot;</span><span class=\"tag\">&gt;</span><span class=\"text\">Tom &amp;amp; Jerry</span><span class=\"tag\">&lt;/item&gt;</span>"
        ));
        assert!(
            page.contains("<span class=\"tag\">&lt;empty</span><span class=\"tag\">/&gt;</span>")
        );
        assert!(page.contains("<span class=\"tag\">&lt;/root&gt;</span>"));
        assert_eq!(count(&page, "<ul"), count(&page, "</ul>"));
        assert_eq!(count(&page, "<li"), count(&page, "</li>"));
    }

    #[test]
    fn xml_markup_in_content_is_escaped() {
        let page = xml(
            "<script>alert(1)<![CDATA[<script>alert(2)</script>]]><img src=\"x\" onerror=\"alert(3)\"/></script>",
        );
        assert_safe_page(&page);
        assert!(page.contains("&lt;script"));
        assert!(page.contains("&lt;![CDATA[&lt;script&gt;alert(2)&lt;/script&gt;]]&gt;"));
        assert!(page.contains("onerror"));
    }

    #[test]
    fn xml_billion_laughs_shows_entities_literally_and_stays_small() {
        let mut input = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n <!ELEMENT lolz (#PCDATA)>\n");
        input.push_str(" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
        for i in 2..=9 {
            let prev = format!("&lol{};", i - 1).repeat(10);
            input.push_str(&format!(" <!ENTITY lol{i} \"{prev}\">\n"));
        }
        input.push_str("]>\n<lolz>&lol9;</lolz>\n");
        let page = xml(&input);
        assert_safe_page(&page);
        assert!(!page.contains("not well-formed"), "{page}");
        assert!(page.contains("<span class=\"text\">&amp;lol9;</span>"));
        assert!(page.contains("&lt;!DOCTYPE lolz ["));
        assert!(!page.contains("lollol"));
        assert!(page.len() < input.len() * 3 + 4096, "{} bytes", page.len());
    }

    #[test]
    fn xml_doctype_with_tricky_internal_subset() {
        let page = xml(
            "<!DOCTYPE a [ <!ENTITY x \"]>\"> <!-- ] > ' --> <!ENTITY y 'q\"'> ]>\n<a>&x;&y;&#65;&#x41;</a>",
        );
        assert!(!page.contains("not well-formed"), "{page}");
        assert!(page.contains("&amp;x;&amp;y;&amp;#65;&amp;#x41;"));
    }

    #[test]
    fn malformed_xml_falls_back_to_escaped_text() {
        for (input, reason) in [
            ("<a><b></a>", "does not match"),
            ("<a>", "unclosed element"),
            ("<a><b>text</b>", "unclosed element"),
            ("<a x=1/>", "unquoted attribute value"),
            ("<a x=\"1\" x=\"2\"/>", "duplicate attribute"),
            ("<a x=\"<\"/>", "in attribute value"),
            ("<a/><b/>", "more than one root"),
            ("text<a/>", "text outside the root"),
            ("<a/>tail", "text outside the root"),
            ("<a>&;</a>", "invalid entity"),
            ("<a>& b</a>", "invalid entity"),
            ("<a>&#xZ;</a>", "invalid entity"),
            ("<a>]]></a>", "']]>' in text"),
            ("</a>", "closes nothing"),
            ("<1a/>", "invalid start tag name"),
            ("<a b=\"1\"c=\"2\"/>", "missing space"),
            ("<a><!-- open", "unterminated comment"),
            ("<a x=\"1", "unterminated attribute value"),
            ("just text", "text outside the root"),
            ("<!ELEMENT a ANY><a/>", "unknown markup"),
            ("<a/><!DOCTYPE a>", "DOCTYPE after"),
            ("<![CDATA[x]]><a/>", "CDATA section outside"),
        ] {
            let page = xml(input);
            assert_safe_page(&page);
            assert!(page.contains("not well-formed"), "{input}: {page}");
            let mut escaped_reason = String::new();
            escape_into(&mut escaped_reason, reason);
            assert!(
                page.contains(&escaped_reason),
                "{input}: expected {reason:?} in {page}"
            );
            assert!(page.contains("<pre>"), "{input}");
        }
        let page = xml("<a>\n<b>\n</c>\n</a>");
        assert!(page.contains("on line 3"), "{page}");
        let escaped = xml("<a><script>alert(1)</a>");
        assert_safe_page(&escaped);
        assert!(escaped.contains("<pre>&lt;a&gt;&lt;script&gt;alert(1)&lt;/a&gt;</pre>"));
    }

    #[test]
    fn truncated_xml_shows_the_part_that_was_read() {
        let input = b"<root><item>1</item><item a=\"x\">2</item><item>3";
        let page = render_html(RenderKind::Xml, "big.xml", input, true, limits());
        assert_safe_page(&page);
        assert!(!page.contains("not well-formed"), "{page}");
        assert!(page.contains("<p class=\"truncated\">"));
        assert!(page.contains("<span class=\"text\">2</span>"));
        assert_eq!(count(&page, "<ul"), count(&page, "</ul>"));
        assert_eq!(count(&page, "<li"), count(&page, "</li>"));

        // Cut inside a tag or a reference.
        for input in [
            &b"<root><item a=\"x"[..],
            b"<root>a &am",
            b"<root><!DOC",
            b"<root></ro",
        ] {
            let page = render_html(RenderKind::Xml, "big.xml", input, true, limits());
            assert!(!page.contains("not well-formed"), "{page}");
        }
        // Truncation does not excuse real errors.
        let page = render_html(RenderKind::Xml, "big.xml", b"<a></b><c>", true, limits());
        assert!(page.contains("not well-formed"));
    }

    #[test]
    fn xml_node_limit() {
        let input = format!("<r>{}</r>", "<i>x</i>".repeat(500));
        let small = RenderLimits {
            max_rows: 100,
            max_bytes: 1 << 20,
        };
        let page = render_html(RenderKind::Xml, "r.xml", input.as_bytes(), false, small);
        assert_safe_page(&page);
        assert!(
            page.contains("<p class=\"truncated\">Preview truncated: showing the first 100 nodes")
        );
        assert_eq!(count(&page, "&lt;i"), 99);
        assert_eq!(count(&page, "<ul"), count(&page, "</ul>"));
        assert_eq!(count(&page, "<li"), count(&page, "</li>"));
    }

    #[test]
    fn xml_deep_nesting_and_many_attributes_stay_linear() {
        let deep = format!("{}{}", "<a>".repeat(50_000), "</a>".repeat(50_000));
        let page = xml(&deep);
        assert!(page.contains("showing the first 1000 nodes"));
        assert_eq!(count(&page, "<ul"), count(&page, "</ul>"));

        let attributes: String = (0..20_000).map(|i| format!(" a{i}=\"{i}\"")).collect();
        let page = xml(&format!("<r{attributes}/>"));
        assert!(!page.contains("not well-formed"));
        assert_eq!(count(&page, "<span class=\"attr\">"), MAX_ATTRIBUTES + 1);
        assert!(page.contains("… 19900 more attributes"));
        let page = xml(&format!("<r{attributes} a7=\"x\"/>"));
        assert!(page.contains("duplicate attribute &#39;a7&#39;"));

        let ampersands = format!("<r>{}</r>", "&".repeat(200_000));
        assert!(xml(&ampersands).contains("not well-formed"));
    }

    // --- Text, title, encoding ------------------------------------------------------------------

    #[test]
    fn text_is_escaped_in_pre() {
        let page = render(
            RenderKind::Text,
            "notes.txt",
            "1 < 2 && \"q\" 'a'\n<script>x</script>\n",
        );
        assert_safe_page(&page);
        assert!(page.contains(
            "<pre>1 &lt; 2 &amp;&amp; &quot;q&quot; &#39;a&#39;\n&lt;script&gt;x&lt;/script&gt;\n</pre>"
        ));
    }

    #[test]
    fn text_keeps_a_leading_newline() {
        let page = render(RenderKind::Text, "x.txt", "\nsecond line");
        assert!(page.contains("<pre>\n\nsecond line</pre>"));
    }

    #[test]
    fn title_is_escaped() {
        let name = "<img src=x onerror=alert(1)>\"'&.csv";
        let page = render(RenderKind::Delimited, name, "a\n");
        assert_safe_page(&page);
        let escaped = "&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;.csv";
        assert!(page.contains(&format!("<title>{escaped}</title>")));
        assert!(page.contains(&format!("<h1>{escaped}</h1>")));
        let long = render(RenderKind::Text, &"n".repeat(5000), "x");
        assert!(long.contains(&format!("<title>{}</title>", "n".repeat(MAX_TITLE_CHARS))));
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily() {
        let bytes = b"a,b\n\xff\xfe,caf\xc3\xa9\n";
        let page = render_html(RenderKind::Delimited, "x.csv", bytes, false, limits());
        assert_eq!(cells(&page), ["a", "b", "\u{FFFD}\u{FFFD}", "café"]);
        let page = render_html(RenderKind::Text, "x.txt", b"ok \xc0 ok", false, limits());
        assert!(page.contains("<pre>ok \u{FFFD} ok</pre>"));
        let page = render_html(RenderKind::Xml, "x.xml", b"<a>\xff</a>", false, limits());
        assert!(page.contains("<span class=\"text\">\u{FFFD}</span>"));
    }

    #[test]
    fn character_cut_by_truncation_is_dropped() {
        let bytes = "ab\u{e9}".as_bytes(); // é is two bytes
        let page = render_html(
            RenderKind::Text,
            "x.txt",
            bytes,
            false,
            RenderLimits {
                max_rows: 10,
                max_bytes: 3,
            },
        );
        assert!(page.contains("<pre>ab</pre>"), "{page}");
        assert_eq!(complete_utf8_len("€".as_bytes()), 3);
        assert_eq!(complete_utf8_len(&"€".as_bytes()[..2]), 0);
        assert_eq!(complete_utf8_len(&"a😀".as_bytes()[..4]), 1);
        assert_eq!(complete_utf8_len(b"a\xff"), 2);
        assert_eq!(complete_utf8_len(b""), 0);
    }

    #[test]
    fn control_characters_become_replacement_characters() {
        let page = render(RenderKind::Text, "x.txt", "a\0b\u{7}c\u{85}d\te\r\n");
        assert!(page.contains("<pre>a\u{FFFD}b\u{FFFD}c\u{FFFD}d\te\r\n</pre>"));
    }

    #[test]
    fn empty_file_says_so() {
        for kind in [RenderKind::Delimited, RenderKind::Xml, RenderKind::Text] {
            let page = render(kind, "empty", "");
            assert_safe_page(&page);
            assert!(page.contains("This file is empty."));
        }
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_size(0), "0 bytes");
        assert_eq!(human_size(1), "1 byte");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(1024 * 1024), "1.0 MiB");
    }

    /// Arbitrary mixtures of hostile fragments, in every kind: the page must stay ours.
    #[test]
    fn hostile_inputs_never_escape_the_page() {
        const PIECES: &[&[u8]] = &[
            b"<",
            b">",
            b"&",
            b"\"",
            b"'",
            b",",
            b";",
            b"\t",
            b"|",
            b"\n",
            b"\r\n",
            b"<script>",
            b"</script>",
            b"<img src=x onerror=alert(1)>",
            b"<!--",
            b"-->",
            b"<![CDATA[",
            b"]]>",
            b"<?",
            b"?>",
            b"<!DOCTYPE x [",
            b"]>",
            b"<a b='",
            b"</a>",
            b"&lt;",
            b"&#x3c;",
            b"\xff",
            b"\xc3",
            b"\0",
            "\u{202e}".as_bytes(),
            b"javascript:",
            b"<style>",
            b"</style>",
            b"<a>",
            b"x",
            b"\"\"",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..300 {
            let len = usize::try_from(next() % 40).unwrap_or(0);
            let mut input = Vec::new();
            for _ in 0..len {
                let index = usize::try_from(next() % PIECES.len() as u64).unwrap_or(0);
                input.extend_from_slice(PIECES[index]);
            }
            let name = String::from_utf8_lossy(&input[..input.len().min(30)]).into_owned();
            for kind in [RenderKind::Delimited, RenderKind::Xml, RenderKind::Text] {
                let small = RenderLimits {
                    max_rows: 5,
                    max_bytes: 200,
                };
                for truncated in [false, true] {
                    let page = render_html(kind, &name, &input, truncated, small);
                    assert_safe_page(&page);
                    assert_eq!(count(&page, "<ul"), count(&page, "</ul>"), "round {round}");
                    assert_eq!(count(&page, "<li"), count(&page, "</li>"), "round {round}");
                    assert_eq!(count(&page, "<tr>"), count(&page, "</tr>"), "round {round}");
                }
            }
        }
    }
}
