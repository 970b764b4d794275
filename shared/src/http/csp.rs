//! The Content-Security-Policy for responses that carry a file's bytes, wherever they are served
//! from (the preview function, or `filegate serve`'s signed `/_blob/` URLs in the same origin).

/// For inline content we do serve: no scripts, no plugins, no forms, a unique origin. Images
/// and plain text still display under it.
pub const SANDBOX: &str = "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox";

/// PDFs are shown by the browser's own viewer, which a `sandbox` directive would block; scripts
/// and framing are still refused.
pub const PDF: &str = "default-src 'none'; object-src 'self'; frame-ancestors 'self'";

/// The policy for bytes of `media_type` (parameters such as `; charset=` are ignored).
pub fn for_media_type(media_type: &str) -> &'static str {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/pdf") {
        PDF
    } else {
        SANDBOX
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_gets_the_viewer_policy_and_everything_else_the_sandbox() {
        assert_eq!(for_media_type("application/pdf"), PDF);
        assert_eq!(for_media_type("Application/PDF; x=1"), PDF);
        assert_eq!(for_media_type("text/plain; charset=utf-8"), SANDBOX);
        assert_eq!(for_media_type(""), SANDBOX);
    }
}
