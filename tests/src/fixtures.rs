//! The fixed data that `events/*.json` name (see `events/README.md`): one key of tenant `dev`
//! with every scope, one ready CSV file with its bytes, and one `preview` link to it.
//!
//! Seeded by `tests/tests/events.rs` (a fresh backend per event) and by the `seed-fixtures`
//! binary (a data directory for `cargo lambda watch`, see `scripts/lambda_invoke_check.sh`),
//! so both always hold exactly the same data.

use std::path::Path;

use bytes::Bytes;
use filegate_shared::auth::api_key::hash_secret;
use filegate_shared::backend::Backend;
use filegate_shared::domain::{
    FileId, FileRecord, FileStatus, KeyRecord, LinkKind, LinkRecord, LinkToken, Scopes,
};
use filegate_shared::settings::Settings;
use sha2::{Digest, Sha256};

/// Tenant of the key, the file and the link.
pub const TENANT: &str = "dev";
/// Key id of the events' API key (`fg_<KEY_ID>_<KEY_SECRET>`).
pub const KEY_ID: &str = "00000000000000aa";
/// The ready file every `/v1/files/{id}...` event names.
pub const FILE_ID: &str = "0193a6f2-7c1e-7b3a-9c2d-5e8f1a2b3c4d";
/// The `preview` link token of the `/l/{token}` events (43 characters).
pub const TOKEN: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
/// The seeded file's bytes (a small CSV, so preview links render it as HTML).
pub const CSV: &[u8] = b"id,name,amount\n1,alpha,10\n2,beta,20\n3,gamma,30\n";

/// The events' key secret: 64 × `a`.
pub fn key_secret() -> String {
    "a".repeat(64)
}

/// The full API key the events send: `fg_<KEY_ID>_<secret>`.
pub fn api_key() -> String {
    format!("fg_{KEY_ID}_{}", key_secret())
}

/// The ready file record (`report.csv`, created by `abc-123`), stamped now.
pub fn fixed_file() -> Result<FileRecord, String> {
    let now = filegate_shared::clock::now();
    Ok(FileRecord {
        id: FileId::parse(FILE_ID).ok_or_else(|| format!("bad file id {FILE_ID}"))?,
        tenant: TENANT.into(),
        name: "report.csv".into(),
        extension: Some("csv".into()),
        mime_type: "text/csv".into(),
        size: CSV.len() as u64,
        sha256: Some(hex::encode(Sha256::digest(CSV))),
        status: FileStatus::Ready,
        created_by: Some("abc-123".into()),
        namespace: None,
        created_at: now,
        updated_at: now,
        expires_at: None,
        upload_id: None,
        declared_sha256: None,
    })
}

/// Writes the key, the file (record and bytes) and the link into `backend`. Fails if any of
/// them already exists, so seed an empty backend.
pub async fn seed(backend: &Backend) -> Result<(), String> {
    let now = filegate_shared::clock::now();
    backend
        .keys
        .create_key(&KeyRecord {
            key_id: KEY_ID.into(),
            tenant: TENANT.into(),
            user: None,
            scopes: Scopes::ALL,
            secret_hash: hash_secret(&key_secret()),
            created_at: now,
            revoked_at: None,
        })
        .await
        .map_err(|e| format!("seeding the key: {e}"))?;
    let file = fixed_file()?;
    backend
        .blobs
        .put(&file.blob_key(), Bytes::from_static(CSV))
        .await
        .map_err(|e| format!("seeding the file's bytes: {e}"))?;
    backend
        .files
        .create_file(&file)
        .await
        .map_err(|e| format!("seeding the file: {e}"))?;
    backend
        .links
        .create_link(&LinkRecord {
            token_hash: LinkToken::parse(TOKEN)
                .ok_or_else(|| format!("bad link token {TOKEN}"))?
                .hash(),
            tenant: TENANT.into(),
            file_id: file.id,
            kind: LinkKind::Preview,
            created_at: now,
            expires_at: now + time::Duration::minutes(10),
            max_uses: None,
            uses: 0,
            revoked: false,
            created_by_key: KEY_ID.into(),
        })
        .await
        .map_err(|e| format!("seeding the link: {e}"))?;
    Ok(())
}

/// A local backend on `dir` (created if needed) holding the seeded data.
pub async fn seeded(dir: &Path) -> Result<Backend, String> {
    let backend = Backend::local(Settings::local(dir)).await?;
    seed(&backend).await?;
    Ok(backend)
}
