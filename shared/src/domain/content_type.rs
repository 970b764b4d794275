//! What a file really is: magic bytes first, then the extension, then what the client declared.
//! Also which types are "active" (could run script in our origin) and must never render inline.

/// Resolve the stored MIME type of an upload.
pub fn sniff(head: &[u8], extension: Option<&str>, declared: Option<&str>) -> String {
    if let Some(kind) = infer::get(head) {
        let found = kind.mime_type();
        // Magic bytes only say "XML" for SVG, XHTML and friends; an SVG root (or a `+xml`
        // extension) makes it the specific, and for SVG active, type.
        if found == "text/xml" || found == "application/xml" {
            if contains_ignore_case(head, b"<svg") {
                return "image/svg+xml".into();
            }
            if let Some(m) = extension.and_then(|e| mime_guess::from_ext(e).first()) {
                if m.essence_str().ends_with("+xml") {
                    return m.essence_str().to_string();
                }
            }
        }
        return found.to_string();
    }
    if let Some(ext) = extension {
        if let Some(m) = mime_guess::from_ext(ext).first() {
            return m.essence_str().to_string();
        }
    }
    if let Some(d) = declared.and_then(clean_declared) {
        return d;
    }
    if !head.is_empty() && std::str::from_utf8(head).is_ok() {
        return "text/plain".into();
    }
    "application/octet-stream".into()
}

fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// The canonical extension of a sniffed type, so `evil.txt` holding a PE file is judged as `exe`.
pub fn sniffed_extension(head: &[u8]) -> Option<&'static str> {
    infer::get(head).map(|k| k.extension())
}

/// Only a plain `type/subtype` essence is kept from a client's declaration.
fn clean_declared(d: &str) -> Option<String> {
    let essence = d.split(';').next()?.trim().to_ascii_lowercase();
    let (t, s) = essence.split_once('/')?;
    let token = |x: &str| {
        !x.is_empty()
            && x.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    (token(t) && token(s) && essence != "application/octet-stream").then_some(essence)
}

/// Types a browser would execute or render as a document in our origin.
pub fn is_active(mime: &str) -> bool {
    let m = mime.to_ascii_lowercase();
    matches!(
        m.as_str(),
        "text/html"
            | "application/xhtml+xml"
            | "image/svg+xml"
            | "text/javascript"
            | "application/javascript"
            | "application/ecmascript"
            | "text/ecmascript"
            | "application/x-javascript"
            | "text/xsl"
            | "application/xslt+xml"
            | "application/x-shockwave-flash"
            | "application/wasm"
            | "text/vtt"
    ) || m.ends_with("+xml") && (m.contains("xhtml") || m.contains("svg"))
        || m == "application/xml"
        || m == "text/xml" // XML can carry XSLT/XHTML namespaces
}

/// Text types get an explicit charset on the wire.
pub fn with_charset(mime: &str) -> String {
    let textual = mime.starts_with("text/")
        || matches!(
            mime,
            "application/json" | "application/xml" | "application/javascript"
        );
    if textual && !mime.contains("charset") {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_win_over_extension_and_declaration() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(sniff(png, Some("txt"), Some("text/html")), "image/png");
        assert_eq!(sniff(b"%PDF-1.7\n", Some("bin"), None), "application/pdf");
    }

    #[test]
    fn xml_prolog_svg_is_still_svg() {
        let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
        assert_eq!(sniff(svg, Some("svg"), None), "image/svg+xml");
        assert_eq!(
            sniff(svg, Some("xml"), None),
            "image/svg+xml",
            "an SVG root wins over the name"
        );
        assert!(is_active(&sniff(svg, None, None)));
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><feed/>", Some("xml"), None),
            "text/xml"
        );
    }

    #[test]
    fn extension_then_declared_then_text() {
        assert_eq!(sniff(b"a,b\n1,2\n", Some("csv"), None), "text/csv");
        assert_eq!(
            sniff(b"\x00\x01", None, Some("application/x-thing; q=1")),
            "application/x-thing"
        );
        assert_eq!(sniff(b"hello", None, Some("garbage")), "text/plain");
        assert_eq!(
            sniff(b"\xff\xfe\x00", None, None),
            "application/octet-stream"
        );
    }

    #[test]
    fn active_types() {
        assert!(is_active("text/html"));
        assert!(is_active("image/svg+xml"));
        assert!(is_active("application/xhtml+xml"));
        assert!(!is_active("application/pdf"));
        assert!(!is_active("image/png"));
        assert!(!is_active("text/plain"));
    }

    #[test]
    fn charset_only_on_text() {
        assert_eq!(with_charset("text/csv"), "text/csv; charset=utf-8");
        assert_eq!(with_charset("image/png"), "image/png");
    }
}
