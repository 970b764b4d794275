//! Stored form of an API key: never the secret, only its SHA-256.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::Scopes;
use crate::clock::serde_rfc3339;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyRecord {
    pub key_id: String,
    pub tenant: String,
    pub user: Option<String>,
    pub scopes: Scopes,
    /// Hex SHA-256 of the secret part. The secret has 256 random bits, so a fast hash is
    /// enough: there is nothing to brute-force.
    pub secret_hash: String,
    #[serde(with = "serde_rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(default, with = "serde_rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}
