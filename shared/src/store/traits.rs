use std::ops::RangeInclusive;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::clock::serde_rfc3339;
use crate::domain::{FileId, FileRecord, KeyRecord, LinkRecord};

/// Typed storage failures; `ApiError` maps them to statuses.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A conditional write lost (already exists, changed, or gone).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Throttled or down after retries: the client may retry.
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    pub fn other(e: impl std::fmt::Display) -> Self {
        StoreError::Other(e.to_string())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// One page request for a tenant's files, newest first.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub user: Option<String>,
    pub namespace: Option<String>,
    /// Only ids strictly older than this one (the cursor).
    pub before: Option<FileId>,
    pub limit: usize,
}

#[derive(Debug, Clone)]
pub struct ListPage {
    pub files: Vec<FileRecord>,
    pub has_more: bool,
    /// Where the next page starts when the store stopped at its per-request read bound before
    /// `limit` files matched (DynamoDB's `LastEvaluatedKey`); `None` means after the last file.
    pub resume_after: Option<FileId>,
}

impl ListPage {
    /// The id the next page's cursor points after, when there is a next page.
    pub fn next_after(&self) -> Option<FileId> {
        if !self.has_more {
            return None;
        }
        self.resume_after
            .or_else(|| self.files.last().map(|f| f.id))
    }
}

/// File metadata, keyed `T#<tenant>` / `F#<file_id>`: tenancy is in the key itself.
#[async_trait]
pub trait FileStore: Send + Sync {
    /// Fails with `Conflict` if the id already exists.
    async fn create_file(&self, file: &FileRecord) -> StoreResult<()>;
    /// Expired pending records read as absent (TTL deletion lags).
    async fn get_file(&self, tenant: &str, id: &FileId) -> StoreResult<Option<FileRecord>>;
    /// Replaces an existing record; `NotFound` if it is gone (never resurrects a deleted file).
    async fn update_file(&self, file: &FileRecord) -> StoreResult<()>;
    /// True if something was deleted.
    async fn delete_file(&self, tenant: &str, id: &FileId) -> StoreResult<bool>;
    async fn list_files(&self, tenant: &str, query: &ListQuery) -> StoreResult<ListPage>;
}

/// API keys, keyed `K#<key_id>`.
#[async_trait]
pub trait KeyStore: Send + Sync {
    async fn create_key(&self, key: &KeyRecord) -> StoreResult<()>;
    async fn get_key(&self, key_id: &str) -> StoreResult<Option<KeyRecord>>;
    async fn list_keys(&self, tenant: Option<&str>) -> StoreResult<Vec<KeyRecord>>;
    /// True if the key existed and was not already revoked.
    async fn revoke_key(&self, key_id: &str, at: OffsetDateTime) -> StoreResult<bool>;
}

/// Short-lived links, keyed `L#<sha256(token)>`.
#[async_trait]
pub trait LinkStore: Send + Sync {
    async fn create_link(&self, link: &LinkRecord) -> StoreResult<()>;
    async fn get_link(&self, token_hash: &str) -> StoreResult<Option<LinkRecord>>;
    /// Atomically count one use if the link is still usable at `now`; `None` if it is not
    /// (unknown, expired, revoked or used up). N concurrent calls on a 1-use link: one `Some`.
    async fn consume_link(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> StoreResult<Option<LinkRecord>>;
    /// Only the owning tenant may revoke; true if a live link was revoked.
    async fn revoke_link(&self, tenant: &str, token_hash: &str) -> StoreResult<bool>;
}

/// What an `Idempotency-Key` resolved to the first time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    pub tenant: String,
    pub key: String,
    /// SHA-256 of what was sent, so a reuse with another body is a `409`.
    pub request_hash: String,
    pub file_id: FileId,
    #[serde(with = "serde_rfc3339")]
    pub expires_at: OffsetDateTime,
}

#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    async fn get_idempotency(
        &self,
        tenant: &str,
        key: &str,
    ) -> StoreResult<Option<IdempotencyRecord>>;
    /// False if a record for that key already exists (the caller lost a race).
    async fn put_idempotency(&self, record: &IdempotencyRecord) -> StoreResult<bool>;
}

/// A per-deployment secret for tamper-evident cursors and local signed URLs, created on first
/// use so that no configuration is needed.
#[async_trait]
pub trait SecretStore: Send + Sync {
    async fn server_secret(&self) -> StoreResult<[u8; 32]>;
}

/// Bytes, keyed `<tenant>/<file_id>`. Only small bodies pass through here; big ones go
/// straight between the client and the store on signed URLs.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Atomic: readers see the old object or the whole new one, never a part.
    async fn put(&self, key: &str, bytes: Bytes) -> StoreResult<()>;
    /// `NotFound` if absent. The range is inclusive and already checked against the size.
    async fn get(&self, key: &str, range: Option<RangeInclusive<u64>>) -> StoreResult<Bytes>;
    /// The object's size, if it exists.
    async fn head(&self, key: &str) -> StoreResult<Option<u64>>;
    /// Idempotent: deleting a missing object is fine.
    async fn delete(&self, key: &str) -> StoreResult<()>;
}

/// Response headers the store must send instead of its own (S3 `response-content-*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseOverrides {
    pub content_type: String,
    pub content_disposition: String,
}

/// What a signed PUT pins, so the store itself rejects anything else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutPins {
    pub size: u64,
    pub content_type: String,
    /// Hex SHA-256 the body must have.
    pub sha256: Option<String>,
}

/// A request the client may make directly against the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    pub method: String,
    pub url: String,
    /// Headers the client must send exactly (they are part of the signature).
    pub headers: Vec<(String, String)>,
    /// The real expiry: never later than the signing credentials' own.
    pub expires_at: OffsetDateTime,
}

/// Presigned URLs, separate from `BlobStore` (as in `object_store`): a function that only
/// hands out links needs no read or write access to bytes.
#[async_trait]
pub trait Signer: Send + Sync {
    async fn presign_get(
        &self,
        key: &str,
        ttl: Duration,
        overrides: &ResponseOverrides,
    ) -> StoreResult<SignedRequest>;
    async fn presign_put(
        &self,
        key: &str,
        ttl: Duration,
        pins: &PutPins,
    ) -> StoreResult<SignedRequest>;
    async fn presign_part(
        &self,
        key: &str,
        upload_id: &str,
        part_number: u32,
        ttl: Duration,
    ) -> StoreResult<SignedRequest>;
}

/// One finished part of a multipart upload, as the client reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletedPart {
    pub part_number: u32,
    pub etag: String,
}

/// Multipart uploads for files above the single-PUT threshold.
#[async_trait]
pub trait MultipartStore: Send + Sync {
    async fn create_multipart(&self, key: &str, content_type: &str) -> StoreResult<String>;
    async fn complete_multipart(
        &self,
        key: &str,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> StoreResult<()>;
    async fn abort_multipart(&self, key: &str, upload_id: &str) -> StoreResult<()>;
    /// A direct upload was verified: the object is no longer "pending" for the store's own
    /// expiry rules (S3: remove the pending tag the lifecycle rule matches).
    async fn commit_object(&self, key: &str) -> StoreResult<()>;
}
