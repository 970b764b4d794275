//! Tenant and user identifiers. Tenants appear in storage keys, so their alphabet is narrow.

/// `[A-Za-z0-9_-]{1,64}`: safe in a storage key, a table key and a log line.
pub fn valid_tenant(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 64
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// End-user ids and namespaces are opaque text from the caller: bounded and free of controls.
pub fn valid_label(s: &str) -> bool {
    !s.is_empty() && s.len() <= 256 && !s.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_alphabet() {
        assert!(valid_tenant("dev"));
        assert!(valid_tenant("acme_prod-1"));
        assert!(!valid_tenant(""));
        assert!(!valid_tenant("a/b"));
        assert!(!valid_tenant("a#b"));
        assert!(!valid_tenant(&"a".repeat(65)));
    }

    #[test]
    fn labels_reject_controls() {
        assert!(valid_label("abc-123"));
        assert!(valid_label("Zoë"));
        assert!(!valid_label("a\nb"));
        assert!(!valid_label(""));
    }
}
