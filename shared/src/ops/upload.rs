//! Inline upload: validate, sniff, hash, then write bytes before metadata, so metadata never
//! points at missing bytes; if the metadata write fails, the bytes are removed again.

use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::domain::content_type::{sniff, sniffed_extension};
use crate::domain::file_name::{extension_of, validate_name};
use crate::domain::{FileId, FileRecord, FileStatus, Principal, Scope};
use crate::settings::Settings;
use crate::store::{BlobStore, FileStore, IdempotencyRecord, IdempotencyStore};
use crate::ApiError;

pub struct InlineUpload {
    pub file_name: String,
    pub declared_type: Option<String>,
    pub bytes: Bytes,
    pub user: Option<String>,
    pub namespace: Option<String>,
}

/// Idempotency records live a day, like Stripe's.
const IDEMPOTENCY_TTL: time::Duration = time::Duration::hours(24);

/// Who the file is recorded as created by: a user-bound key decides; otherwise the form's `user`.
pub fn effective_user(
    who: &Principal,
    requested: Option<String>,
) -> Result<Option<String>, ApiError> {
    match (&who.user, requested) {
        (Some(bound), Some(asked)) if *bound != asked => {
            Err(ApiError::denied("This API key is bound to another user."))
        }
        (Some(bound), _) => Ok(Some(bound.clone())),
        (None, asked) => Ok(asked),
    }
}

/// Name rules plus the extension allow/deny lists, applied to the name and the sniffed type.
pub fn check_name_and_type(
    settings: &Settings,
    name: &str,
    head: Option<&[u8]>,
) -> Result<Option<String>, ApiError> {
    validate_name(name)?;
    let ext = extension_of(name);
    let candidates = ext
        .iter()
        .map(String::as_str)
        .chain(head.and_then(sniffed_extension));
    for e in candidates {
        if !settings.extension_allowed(e) {
            return Err(ApiError::UnsupportedFileType(format!(
                "Files of type `.{e}` are not allowed here."
            )));
        }
    }
    if ext.is_none() && !settings.allowed_extensions.is_empty() {
        return Err(ApiError::UnsupportedFileType(
            "Files without an allowed extension are not accepted here.".into(),
        ));
    }
    Ok(ext)
}

fn request_hash(up: &InlineUpload, sha256: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        Some(up.file_name.as_str()),
        up.user.as_deref(),
        up.namespace.as_deref(),
        Some(sha256),
    ] {
        h.update(part.unwrap_or("\u{0}").as_bytes());
        h.update([0xff]);
    }
    hex::encode(h.finalize())
}

pub async fn upload_inline(
    files: &dyn FileStore,
    blobs: &dyn BlobStore,
    idempotency: &dyn IdempotencyStore,
    settings: &Settings,
    who: &Principal,
    mut up: InlineUpload,
    idempotency_key: Option<&str>,
) -> Result<FileRecord, ApiError> {
    who.require(Scope::Write)?;
    up.user = effective_user(who, up.user.take())?;
    if up.bytes.len() as u64 > settings.inline_upload_limit {
        return Err(crate::http::form::too_large(settings.inline_upload_limit));
    }
    let head = &up.bytes[..up.bytes.len().min(8192)];
    let extension = check_name_and_type(settings, &up.file_name, Some(head))?;
    let sha256 = hex::encode(Sha256::digest(&up.bytes));
    let req_hash = request_hash(&up, &sha256);

    if let Some(key) = idempotency_key {
        if let Some(prev) = idempotency.get_idempotency(&who.tenant, key).await? {
            return replay(files, who, &prev, &req_hash).await;
        }
    }

    let now = crate::clock::now();
    let record = FileRecord {
        id: FileId::new(),
        tenant: who.tenant.clone(),
        mime_type: sniff(head, extension.as_deref(), up.declared_type.as_deref()),
        name: up.file_name,
        extension,
        size: up.bytes.len() as u64,
        sha256: Some(sha256),
        status: FileStatus::Ready,
        created_by: up.user,
        namespace: up.namespace,
        created_at: now,
        updated_at: now,
        expires_at: None,
        upload_id: None,
        declared_sha256: None,
    };
    let key = record.blob_key();
    blobs.put(&key, up.bytes).await?;
    if let Err(e) = files.create_file(&record).await {
        // Bytes without metadata are invisible but still ours to clean up.
        if let Err(cleanup) = blobs.delete(&key).await {
            tracing::error!(blob = %key, error = %cleanup, "could not remove bytes after a failed metadata write");
        }
        return Err(e.into());
    }

    if let Some(key) = idempotency_key {
        let rec = IdempotencyRecord {
            tenant: who.tenant.clone(),
            key: key.to_string(),
            request_hash: req_hash.clone(),
            file_id: record.id,
            expires_at: now + IDEMPOTENCY_TTL,
        };
        if !idempotency.put_idempotency(&rec).await? {
            // A concurrent retry won the race: keep its file, drop ours.
            if let Some(prev) = idempotency.get_idempotency(&who.tenant, key).await? {
                let theirs = replay(files, who, &prev, &req_hash).await;
                let _ = files.delete_file(&record.tenant, &record.id).await;
                let _ = blobs.delete(&record.blob_key()).await;
                return theirs;
            }
        }
    }
    tracing::info!(audit = "upload", tenant = %who.tenant, key_id = %who.key_id, user = ?record.created_by, file_id = %record.id, size = record.size);
    Ok(record)
}

async fn replay(
    files: &dyn FileStore,
    who: &Principal,
    prev: &IdempotencyRecord,
    req_hash: &str,
) -> Result<FileRecord, ApiError> {
    if prev.request_hash != req_hash {
        return Err(ApiError::Conflict(
            "This Idempotency-Key was already used with a different request.".into(),
        ));
    }
    files
        .get_file(&who.tenant, &prev.file_id)
        .await?
        .ok_or_else(|| {
            ApiError::Conflict(
                "This Idempotency-Key was used for a file that has since been deleted.".into(),
            )
        })
}

/// Validates an `Idempotency-Key` header value.
pub fn parse_idempotency_key(v: Option<&str>) -> Result<Option<String>, ApiError> {
    match v {
        None => Ok(None),
        Some(k)
            if !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| (0x21..=0x7e).contains(&b)) =>
        {
            Ok(Some(k.to_string()))
        }
        Some(_) => Err(ApiError::invalid(
            "Idempotency-Key must be 1..255 visible ASCII characters",
        )),
    }
}
