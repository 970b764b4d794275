//! `Content-Disposition` values (RFC 6266) carrying any file name safely: a quoted ASCII
//! `filename` every user agent understands, plus an RFC 8187 `filename*` with the exact UTF-8
//! name when the ASCII form is not faithful.
//!
//! The result is always a valid header value (visible ASCII and spaces only), whatever the name
//! holds: control characters, quotes, path separators, emoji, or thousands of characters.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// The disposition type (RFC 6266 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Display in the browser when it can.
    Inline,
    /// Download ("Save as").
    Attachment,
}

impl Disposition {
    /// The disposition-type token.
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Inline => "inline",
            Disposition::Attachment => "attachment",
        }
    }
}

/// Byte cap of the ASCII `filename` fallback: long enough to be useful, short enough for any
/// proxy's header limits.
const FALLBACK_MAX_BYTES: usize = 200;
/// Byte cap of the UTF-8 name in `filename*`: the common file-system limit (`NAME_MAX`), since a
/// longer name cannot be saved as is anyway.
const NAME_MAX_BYTES: usize = 255;
/// An extension longer than this is treated as part of the name when truncating.
const MAX_EXTENSION_BYTES: usize = 16;
/// Used when nothing usable is left of the name.
const DEFAULT_NAME: &str = "download";

/// Everything outside RFC 8187 `attr-char` (letters, digits, `!#$&+-.^_|~` and the backtick) is
/// percent-encoded.
const NOT_ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// Builds e.g. `attachment; filename="Resume.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf`.
///
/// `filename` comes first because some user agents take the first parameter they see
/// (RFC 6266 Appendix D); `filename*` is left out when the ASCII form already is the exact name.
pub fn content_disposition(disposition: Disposition, filename: &str) -> String {
    let name = clean_name(filename);
    let fallback = ascii_fallback(&name);
    let mut value = format!("{}; filename=\"{}\"", disposition.as_str(), fallback);
    if fallback != name {
        value.push_str("; filename*=UTF-8''");
        value.extend(utf8_percent_encode(&name, NOT_ATTR_CHAR));
    }
    value
}

/// The name we are willing to suggest in either form: no control characters or path separators
/// (a suggested name must never be a path, RFC 6266 §4.3), no invisible bidi/format characters
/// (they make `invoice<U+202E>fdp.exe` display as `invoiceexe.pdf`), no surrounding whitespace,
/// at most [`NAME_MAX_BYTES`], and never empty or just dots.
fn clean_name(filename: &str) -> String {
    let visible: String = filename
        .chars()
        .filter(|&c| !is_invisible_format(c))
        .collect();
    // Trim before replacing, so a trailing tab or newline is dropped rather than kept as `_`.
    let cleaned: String = visible
        .trim()
        .chars()
        .map(|c| {
            if c.is_control() || c == '/' || c == '\\' {
                '_'
            } else {
                c
            }
        })
        .collect();
    if cleaned.chars().all(|c| c == '.') {
        return DEFAULT_NAME.to_owned();
    }
    truncate_keeping_extension(&cleaned, NAME_MAX_BYTES)
}

/// Zero-width and bidirectional formatting characters.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// The `filename` quoted-string content: printable ASCII without `"` and `\` (escaping is not
/// implemented by some user agents), `%` (some decode `%XX`, some do not), `;` (naive parsers
/// split on it) and `/`. Common Latin letters lose their accents; other characters become `_`,
/// one per run, so the result stays readable.
fn ascii_fallback(name: &str) -> String {
    let mut out = String::with_capacity(name.len().min(FALLBACK_MAX_BYTES + 8));
    let mut substituted = false;
    let mut last_was_substitute = false;
    for c in name.chars() {
        match transliterate(c) {
            Some(Ascii::Char(a)) if is_fallback_safe(a) => {
                out.push(a);
                last_was_substitute = false;
            }
            Some(Ascii::Str(s)) => {
                out.push_str(s);
                last_was_substitute = false;
            }
            Some(Ascii::Drop) => {}
            Some(Ascii::Char(_)) | None => {
                substituted = true;
                if !last_was_substitute {
                    out.push('_');
                }
                last_was_substitute = true;
            }
        }
    }
    let trimmed = out.trim();
    let mut fallback = truncate_keeping_extension(trimmed, FALLBACK_MAX_BYTES);
    // "日本語.pdf" would give "_.pdf": say "download.pdf" instead, keeping the extension.
    if substituted {
        let (stem, extension) = split_extension(&fallback);
        if !stem.bytes().any(|b| b.is_ascii_alphanumeric()) {
            fallback = match extension {
                Some(ext) if ext.bytes().any(|b| b.is_ascii_alphanumeric()) => {
                    format!("{DEFAULT_NAME}.{ext}")
                }
                _ => DEFAULT_NAME.to_owned(),
            };
        }
    }
    if fallback.is_empty() {
        DEFAULT_NAME.to_owned()
    } else {
        fallback
    }
}

fn is_fallback_safe(c: char) -> bool {
    (' '..='~').contains(&c) && !matches!(c, '"' | '\\' | '%' | ';' | '/')
}

/// The ASCII stand-in for one character.
enum Ascii {
    Char(char),
    Str(&'static str),
    /// Combining marks: "e\u{301}" is "é" written in two characters.
    Drop,
}

/// Latin-1 letters U+00C0..=U+00FF; `?` marks the multi-letter or non-letter ones.
const LATIN_1: &[u8; 64] = b"AAAAAA?CEEEEIIIIDNOOOOOxOUUUUY??aaaaaa?ceeeeiiiidnooooo?ouuuuy?y";
/// Latin Extended-A U+0100..=U+017F; `?` marks the ligatures handled separately.
const LATIN_EXTENDED_A: &[u8; 128] = b"AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi??JjKkkLlLlLlLlLlNnNnNnnNnOoOoOo??RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

fn transliterate(c: char) -> Option<Ascii> {
    if c.is_ascii() {
        return Some(Ascii::Char(c));
    }
    let table_letter = |table: &[u8], index: u32| {
        table
            .get(usize::try_from(index).ok()?)
            .filter(|&&b| b != b'?')
            .map(|&b| Ascii::Char(char::from(b)))
    };
    match c {
        'Æ' => Some(Ascii::Str("AE")),
        'æ' => Some(Ascii::Str("ae")),
        'Þ' => Some(Ascii::Str("TH")),
        'þ' => Some(Ascii::Str("th")),
        'ß' => Some(Ascii::Str("ss")),
        'Ĳ' => Some(Ascii::Str("IJ")),
        'ĳ' => Some(Ascii::Str("ij")),
        'Œ' => Some(Ascii::Str("OE")),
        'œ' => Some(Ascii::Str("oe")),
        '\u{00C0}'..='\u{00FF}' => table_letter(LATIN_1, u32::from(c) - 0xC0),
        '\u{0100}'..='\u{017F}' => table_letter(LATIN_EXTENDED_A, u32::from(c) - 0x100),
        '\u{0300}'..='\u{036F}' => Some(Ascii::Drop),
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => {
            Some(Ascii::Char(' '))
        }
        '\u{2010}'..='\u{2015}' | '\u{2212}' => Some(Ascii::Char('-')),
        '\u{2018}'..='\u{201F}' | '\u{2032}' | '\u{2033}' => Some(Ascii::Char('\'')),
        '\u{2026}' => Some(Ascii::Str("...")),
        _ => None,
    }
}

/// `("name", Some("ext"))` for `name.ext` when `ext` is short and the dot is not the first
/// character (`.bashrc` has no extension).
fn split_extension(name: &str) -> (&str, Option<&str>) {
    match name.rfind('.') {
        Some(dot) if dot > 0 && name.len() - dot - 1 <= MAX_EXTENSION_BYTES => {
            (&name[..dot], Some(&name[dot + 1..]))
        }
        _ => (name, None),
    }
}

/// Cuts `name` to at most `max` bytes on a character boundary, keeping a short extension so the
/// downloaded file still opens with the right program.
fn truncate_keeping_extension(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    match split_extension(name) {
        (stem, Some(ext)) if ext.len() + 1 < max => {
            let stem = prefix_within(stem, max - ext.len() - 1);
            format!("{}.{ext}", stem.trim_end())
        }
        _ => prefix_within(name, max).trim_end().to_owned(),
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn prefix_within(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use percent_encoding::percent_decode_str;

    fn attachment(name: &str) -> String {
        content_disposition(Disposition::Attachment, name)
    }

    /// Splits a produced value into (fallback, decoded filename*), checking the shape on the way.
    fn parts(value: &str) -> (String, Option<String>) {
        let rest = value
            .strip_prefix("attachment; filename=\"")
            .or_else(|| value.strip_prefix("inline; filename=\""))
            .expect("starts with the type and filename");
        let (fallback, rest) = rest.split_once('"').expect("closing quote");
        if rest.is_empty() {
            return (fallback.to_owned(), None);
        }
        let encoded = rest
            .strip_prefix("; filename*=UTF-8''")
            .expect("filename* follows filename");
        let decoded = percent_decode_str(encoded)
            .decode_utf8()
            .expect("filename* is UTF-8")
            .into_owned();
        (fallback.to_owned(), Some(decoded))
    }

    #[test]
    fn rfc6266_4_1_ascii_name_is_a_plain_quoted_filename() {
        assert_eq!(
            attachment("report.pdf"),
            "attachment; filename=\"report.pdf\""
        );
        assert_eq!(
            attachment("Q3 report (final).pdf"),
            "attachment; filename=\"Q3 report (final).pdf\""
        );
    }

    #[test]
    fn rfc6266_4_2_inline_disposition_type() {
        assert_eq!(
            content_disposition(Disposition::Inline, "photo.jpg"),
            "inline; filename=\"photo.jpg\""
        );
        assert_eq!(Disposition::Attachment.as_str(), "attachment");
    }

    #[test]
    fn rfc6266_4_3_non_ascii_name_gets_filename_star() {
        assert_eq!(
            attachment("Résumé 2026 — final.pdf"),
            "attachment; filename=\"Resume 2026 - final.pdf\"; \
             filename*=UTF-8''R%C3%A9sum%C3%A9%202026%20%E2%80%94%20final.pdf"
        );
    }

    #[test]
    fn rfc6266_5_example_euro_rates() {
        // RFC 6266 §5's example name "€ rates"; the euro sign has no ASCII form.
        assert_eq!(
            attachment("€ rates"),
            "attachment; filename=\"_ rates\"; filename*=UTF-8''%E2%82%AC%20rates"
        );
    }

    #[test]
    fn rfc6266_appendix_d_filename_comes_before_filename_star() {
        let value = attachment("naïve.txt");
        let plain = value.find("filename=").expect("filename");
        let star = value.find("filename*=").expect("filename*");
        assert!(plain < star, "{value}");
        assert_eq!(
            parts(&value),
            ("naive.txt".into(), Some("naïve.txt".into()))
        );
    }

    #[test]
    fn rfc6266_appendix_d_quotes_are_not_passed_through() {
        assert_eq!(
            attachment("say \"hi\".txt"),
            "attachment; filename=\"say _hi_.txt\"; filename*=UTF-8''say%20%22hi%22.txt"
        );
    }

    #[test]
    fn rfc6266_appendix_d_backslash_is_not_used() {
        let value = attachment("a\\b.txt");
        assert_eq!(value, "attachment; filename=\"a_b.txt\"");
    }

    #[test]
    fn rfc6266_appendix_d_percent_sequences_are_not_in_the_fallback() {
        assert_eq!(
            attachment("100%41.txt"),
            "attachment; filename=\"100_41.txt\"; filename*=UTF-8''100%2541.txt"
        );
    }

    #[test]
    fn rfc6266_appendix_d_semicolons_are_not_in_the_fallback() {
        assert_eq!(
            attachment("a;b.txt"),
            "attachment; filename=\"a_b.txt\"; filename*=UTF-8''a%3Bb.txt"
        );
    }

    #[test]
    fn rfc6266_appendix_d_latin_letters_are_transliterated() {
        assert_eq!(
            parts(&attachment("Ærøskøbing Straße Łódź.txt")),
            (
                "AEroskobing Strasse Lodz.txt".into(),
                Some("Ærøskøbing Straße Łódź.txt".into())
            )
        );
        assert_eq!(
            parts(&attachment("œuvre “quoted” … ÿ.txt")).0,
            "oeuvre 'quoted' ... y.txt"
        );
    }

    #[test]
    fn rfc6266_appendix_d_combining_accents_are_dropped_in_the_fallback() {
        let nfd = "Re\u{301}sume\u{301}.pdf";
        assert_eq!(
            parts(&attachment(nfd)),
            ("Resume.pdf".into(), Some(nfd.into()))
        );
    }

    #[test]
    fn rfc6266_appendix_d_unmappable_names_keep_their_extension() {
        assert_eq!(
            attachment("日本語.pdf"),
            "attachment; filename=\"download.pdf\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.pdf"
        );
        assert_eq!(parts(&attachment("日本語")).0, "download");
        assert_eq!(parts(&attachment("📄 notes.txt")).0, "_ notes.txt");
        assert_eq!(parts(&attachment("📄📄📄-x")).0, "_-x");
    }

    #[test]
    fn rfc6266_4_3_path_separators_are_never_suggested() {
        let value = attachment("../../etc/passwd");
        assert_eq!(value, "attachment; filename=\".._.._etc_passwd\"");
        let (_, star) = parts(&attachment("C:\\Users\\é\\x.txt"));
        assert_eq!(star.as_deref(), Some("C:_Users_é_x.txt"));
    }

    #[test]
    fn rfc6266_4_3_control_characters_are_replaced() {
        assert_eq!(
            attachment("a\r\nb\tc\u{7f}d\0.txt"),
            "attachment; filename=\"a__b_c_d_.txt\""
        );
        let (fallback, star) = parts(&attachment("é\r\n.txt"));
        assert_eq!(fallback, "e__.txt");
        assert_eq!(star.as_deref(), Some("é__.txt"));
        // C1 controls too.
        assert_eq!(parts(&attachment("a\u{85}b")).0, "a_b");
    }

    #[test]
    fn bidi_overrides_are_removed_from_both_forms() {
        assert_eq!(
            attachment("invoice\u{202E}fdp.exe"),
            "attachment; filename=\"invoicefdp.exe\""
        );
        assert_eq!(
            attachment("a\u{200B}b.txt"),
            "attachment; filename=\"ab.txt\""
        );
    }

    #[test]
    fn rfc8187_3_2_1_attr_chars_are_not_encoded() {
        assert_eq!(
            attachment("é!#$&+-.^_`|~09azAZ"),
            "attachment; filename=\"e!#$&+-.^_`|~09azAZ\"; filename*=UTF-8''%C3%A9!#$&+-.^_`|~09azAZ"
        );
    }

    #[test]
    fn rfc8187_3_2_1_everything_else_is_percent_encoded() {
        let value = attachment("é '()*,:<=>?@[]{}%\"");
        let encoded = value.split_once("filename*=UTF-8''").expect("filename*").1;
        assert_eq!(
            encoded,
            "%C3%A9%20%27%28%29%2A%2C%3A%3C%3D%3E%3F%40%5B%5D%7B%7D%25%22"
        );
    }

    #[test]
    fn empty_or_dot_names_become_download() {
        assert_eq!(attachment(""), "attachment; filename=\"download\"");
        assert_eq!(attachment("   "), "attachment; filename=\"download\"");
        assert_eq!(attachment("."), "attachment; filename=\"download\"");
        assert_eq!(attachment(".."), "attachment; filename=\"download\"");
        assert_eq!(attachment("\u{202E}"), "attachment; filename=\"download\"");
        assert_eq!(parts(&attachment("\u{301}")).0, "download");
    }

    #[test]
    fn surrounding_whitespace_is_trimmed_and_dotfiles_kept() {
        assert_eq!(
            attachment("  report.pdf \t"),
            "attachment; filename=\"report.pdf\""
        );
        assert_eq!(attachment(".bashrc"), "attachment; filename=\".bashrc\"");
        assert_eq!(attachment("_.txt"), "attachment; filename=\"_.txt\"");
    }

    #[test]
    fn long_names_are_capped_keeping_the_extension() {
        let long_ascii = format!("{}.pdf", "a".repeat(1000));
        let (fallback, star) = parts(&attachment(&long_ascii));
        assert_eq!(fallback.len(), FALLBACK_MAX_BYTES);
        assert!(fallback.ends_with("aaa.pdf"));
        let star = star.expect("the capped fallback is no longer the name");
        assert_eq!(star.len(), NAME_MAX_BYTES);
        assert!(star.ends_with(".pdf"));

        let long_emoji = format!("{}.pdf", "😀".repeat(1000));
        let (fallback, star) = parts(&attachment(&long_emoji));
        assert_eq!(fallback, "download.pdf");
        let star = star.expect("filename*");
        assert!(star.len() <= NAME_MAX_BYTES);
        assert!(star.ends_with("😀.pdf"));

        let no_extension = "é".repeat(1000);
        let (fallback, star) = parts(&attachment(&no_extension));
        assert_eq!(fallback, "e".repeat(127));
        assert_eq!(star.expect("filename*"), "é".repeat(127));
    }

    #[test]
    fn rfc9110_5_5_value_is_always_a_valid_header_value() {
        let long_mixed = "a\"b;c\\d%e/f\r\ng😀h".repeat(100);
        let names = [
            "",
            "plain.txt",
            "a\r\nSet-Cookie: x=y",
            "a\nb",
            "a\rb",
            "tab\there",
            "nul\0byte",
            "del\u{7f}",
            "\"quoted\"",
            "semi;colon; filename=evil.exe",
            "back\\slash",
            "emoji 😀🎉.png",
            "日本語のファイル.xlsx",
            "\u{202E}gpj.exe",
            "\u{FEFF}bom.txt",
            "line\u{2028}sep\u{2029}.txt",
            &long_mixed,
            &"x".repeat(1000),
            &"😀".repeat(1000),
        ];
        for name in names {
            for disposition in [Disposition::Inline, Disposition::Attachment] {
                let value = content_disposition(disposition, name);
                assert!(
                    HeaderValue::from_str(&value).is_ok(),
                    "invalid header for {name:?}: {value:?}"
                );
                assert!(
                    value.bytes().all(|b| (b' '..=b'~').contains(&b)),
                    "{value:?}"
                );
                let (fallback, star) = parts(&value.replacen("inline", "attachment", 1));
                assert!(fallback.len() <= FALLBACK_MAX_BYTES, "{name:?}");
                assert!(!fallback.is_empty());
                assert!(
                    !fallback.contains(['"', '\\', ';', '%', '/']),
                    "{fallback:?}"
                );
                if let Some(star) = star {
                    assert!(star.len() <= NAME_MAX_BYTES, "{name:?}");
                    assert!(!star.chars().any(char::is_control), "{star:?}");
                    assert!(!star.contains(['/', '\\']), "{star:?}");
                }
            }
        }
    }

    #[test]
    fn truncation_never_splits_a_character() {
        assert_eq!(prefix_within("aé", 2), "a");
        assert_eq!(prefix_within("aé", 3), "aé");
        assert_eq!(prefix_within("aé", 10), "aé");
        assert_eq!(truncate_keeping_extension("abcdef.txt", 8), "abcd.txt");
        assert_eq!(truncate_keeping_extension("abcdef", 3), "abc");
        assert_eq!(
            truncate_keeping_extension("ab.verylongextension_more_than_16", 10),
            "ab.verylon"
        );
    }
}
