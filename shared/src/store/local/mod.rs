//! The local backend: SQLite (WAL) for metadata with the DynamoDB table's key design, files on
//! disk for bytes, and an HMAC signer whose URLs `filegate serve` honors.

mod disk;
pub mod multipart;
mod signer;
mod sqlite;

pub use disk::DiskBlobs;
pub use signer::{BlobGrant, LocalSigner, VerifyError, BLOB_PREFIX};
pub use sqlite::SqliteMeta;
