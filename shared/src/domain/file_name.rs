//! File-name rules shared by upload and rename. Names are display text only: they never reach
//! a storage key, and headers get them only through `http::content_disposition`.

use crate::ApiError;

pub const MAX_NAME_BYTES: usize = 255;

/// Keeps any Unicode; rejects empty, `/`, `\`, control characters, `.`/`..`, > 255 bytes.
pub fn validate_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() || name.trim().is_empty() {
        return Err(ApiError::invalid("name must not be empty"));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(ApiError::invalid(format!(
            "name must be at most {MAX_NAME_BYTES} bytes of UTF-8"
        )));
    }
    if name == "." || name == ".." {
        return Err(ApiError::invalid("name must not be `.` or `..`"));
    }
    if name.contains('/') || name.contains('\\') {
        return Err(ApiError::invalid("name must not contain `/` or `\\`"));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "name must not contain control characters",
        ));
    }
    Ok(())
}

/// Lower-case extension after the last dot; none for `README` or `.bashrc`.
pub fn extension_of(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() || ext.is_empty() || ext.len() > 32 || ext.contains(char::is_whitespace) {
        return None;
    }
    Some(ext.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unicode_names_are_kept() {
        assert!(validate_name("Résumé 2026 — final.pdf").is_ok());
        assert!(validate_name("请求.txt").is_ok());
        assert!(validate_name("a;b\"c'.txt").is_ok());
    }

    #[test]
    fn dangerous_names_are_rejected() {
        for bad in [
            "",
            "  ",
            ".",
            "..",
            "a/b",
            "..\\x",
            "a\r\nb",
            "tab\there",
            "nul\0",
        ] {
            assert!(validate_name(bad).is_err(), "{bad:?}");
        }
        assert!(validate_name(&"é".repeat(128)).is_err()); // 256 bytes
        assert!(validate_name(&"é".repeat(127)).is_ok());
    }

    #[test]
    fn extensions() {
        assert_eq!(extension_of("a.PDF").as_deref(), Some("pdf"));
        assert_eq!(extension_of("archive.tar.gz").as_deref(), Some("gz"));
        assert_eq!(extension_of("README"), None);
        assert_eq!(extension_of(".bashrc"), None);
        assert_eq!(extension_of("trailing."), None);
    }
}
