//! Short-lived links: `/l/<token>`. Only the token's SHA-256 is stored, so a leaked table
//! hands out no working links.

use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::FileId;
use crate::clock::serde_rfc3339;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    Download,
    Preview,
}

impl LinkKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "download" => Some(LinkKind::Download),
            "preview" => Some(LinkKind::Preview),
            _ => None,
        }
    }
}

/// A link token: 256 random bits, URL-safe base64 (43 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkToken(String);

impl LinkToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        LinkToken(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Accepts only what `generate` could have produced; anything else is simply unknown.
    pub fn parse(s: &str) -> Option<Self> {
        let ok = s.len() == 43
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| LinkToken(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkRecord {
    pub token_hash: String,
    pub tenant: String,
    pub file_id: FileId,
    pub kind: LinkKind,
    #[serde(with = "serde_rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "serde_rfc3339")]
    pub expires_at: OffsetDateTime,
    pub max_uses: Option<u32>,
    pub uses: u32,
    pub revoked: bool,
    /// Audit: who created it.
    pub created_by_key: String,
}

impl LinkRecord {
    /// Expiry is checked on every read: store-side TTL deletion lags by hours.
    pub fn usable_at(&self, now: OffsetDateTime) -> bool {
        !self.revoked && now < self.expires_at && self.max_uses.is_none_or(|m| self.uses < m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_parse_back() {
        let a = LinkToken::generate();
        let b = LinkToken::generate();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 43);
        assert_eq!(LinkToken::parse(a.as_str()), Some(a.clone()));
        assert_eq!(a.hash().len(), 64);
        assert_ne!(a.hash(), a.as_str());
        assert!(LinkToken::parse("short").is_none());
        assert!(
            LinkToken::parse(&"a".repeat(42).chars().chain(['/']).collect::<String>()).is_none()
        );
    }
}
