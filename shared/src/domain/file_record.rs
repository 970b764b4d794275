//! The file's metadata record, and its public JSON form (API.md "The File object").

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::FileId;
use crate::clock::{rfc3339, serde_rfc3339};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Pending,
    Ready,
}

/// What we store per file. `tenant` lives in the key (`T#<tenant>`), and is repeated here so a
/// record read by id alone (from a link) can be checked against it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRecord {
    pub id: FileId,
    pub tenant: String,
    pub name: String,
    pub extension: Option<String>,
    pub mime_type: String,
    pub size: u64,
    pub sha256: Option<String>,
    pub status: FileStatus,
    pub created_by: Option<String>,
    pub namespace: Option<String>,
    #[serde(with = "serde_rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "serde_rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Pending uploads: when the record (and any bytes) may be swept.
    #[serde(
        default,
        with = "serde_rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_at: Option<OffsetDateTime>,
    /// Pending multipart uploads: the store's upload id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_id: Option<String>,
    /// Pending uploads: what the client declared, checked at completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_sha256: Option<String>,
}

impl FileRecord {
    /// The blob key is derived from ids only, never from user input.
    pub fn blob_key(&self) -> String {
        blob_key(&self.tenant, &self.id)
    }

    /// Strong validator: content hash when known, else id + size (a pending record).
    pub fn etag(&self) -> String {
        match &self.sha256 {
            Some(h) => format!("\"{}\"", &h[..h.len().min(32)]),
            None => format!("\"{}-{}\"", self.id, self.size),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id.to_string(),
            "name": self.name,
            "extension": self.extension,
            "mime_type": self.mime_type,
            "size": self.size,
            "sha256": self.sha256,
            "status": self.status,
            "created_by": self.created_by,
            "namespace": self.namespace,
            "created_at": rfc3339(self.created_at),
            "updated_at": rfc3339(self.updated_at),
        })
    }
}

pub fn blob_key(tenant: &str, id: &FileId) -> String {
    format!("{tenant}/{id}")
}
