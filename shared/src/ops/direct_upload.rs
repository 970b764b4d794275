//! Direct uploads: the client sends bytes straight to the blob store on signed URLs (one PUT,
//! or parts above the multipart threshold), then we verify what arrived and mark it ready.
//! A pending upload never completed expires: the record's TTL and the bucket's lifecycle rules
//! (or the local sweeper) remove both metadata and bytes.

use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::domain::content_type::sniff;
use crate::domain::{FileId, FileRecord, FileStatus, Principal, Scope};
use crate::ops::upload::{check_name_and_type, effective_user};
use crate::settings::{human_size, Settings};
use crate::store::{
    BlobStore, CompletedPart, FileStore, MultipartStore, PutPins, SignedRequest, Signer, StoreError,
};
use crate::ApiError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUpload {
    pub name: Option<String>,
    pub size: Option<u64>,
    pub content_type: Option<String>,
    pub sha256: Option<String>,
    pub user: Option<String>,
    pub namespace: Option<String>,
}

pub enum UploadPlan {
    Single(SignedRequest),
    Parts {
        parts: Vec<(u32, SignedRequest)>,
        part_size: u64,
        expires_at: time::OffsetDateTime,
    },
}

/// S3's ceiling on parts per upload.
pub const MAX_PARTS: u64 = 10_000;
/// Signed upload URLs live at most an hour; the pending record may live longer.
const UPLOAD_URL_TTL: u64 = 3600;
/// Above this we do not re-read the object to hash it (it would not fit a function's time);
/// a declared checksum is then enforced by the store on single PUTs only.
pub const HASH_ON_COMPLETE_MAX: u64 = 1024 * 1024 * 1024;
const HASH_CHUNK: u64 = 8 * 1024 * 1024;

pub fn part_size_for(settings: &Settings, size: u64) -> u64 {
    settings.multipart_part_size.max(size.div_ceil(MAX_PARTS))
}

fn valid_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[allow(clippy::too_many_arguments)]
pub async fn create_upload(
    files: &dyn FileStore,
    signer: &dyn Signer,
    multipart: &dyn MultipartStore,
    settings: &Settings,
    who: &Principal,
    mut req: CreateUpload,
) -> Result<(FileRecord, UploadPlan), ApiError> {
    who.require(Scope::Write)?;
    req.sha256 = req.sha256.map(|h| h.to_ascii_lowercase());
    let name = req
        .name
        .ok_or_else(|| ApiError::invalid("`name` is required"))?;
    let size = req
        .size
        .ok_or_else(|| ApiError::invalid("`size` is required (bytes)"))?;
    let extension = check_name_and_type(settings, &name, None)?;
    if size == 0 {
        return Err(ApiError::invalid(
            "`size` must be at least 1 byte; send empty files to POST /v1/files",
        ));
    }
    if size > settings.max_file_size {
        return Err(ApiError::FileTooLarge(format!(
            "The declared size exceeds the maximum file size of {}.",
            human_size(settings.max_file_size)
        )));
    }
    if let Some(h) = &req.sha256 {
        if !valid_sha256(h) {
            return Err(ApiError::invalid(
                "`sha256` must be 64 lower-case hex characters",
            ));
        }
    }
    for (field, v) in [("user", &req.user), ("namespace", &req.namespace)] {
        if v.as_deref()
            .is_some_and(|v| !crate::domain::tenant::valid_label(v))
        {
            return Err(ApiError::invalid(format!(
                "`{field}` must be 1..256 bytes without control characters"
            )));
        }
    }
    let user = effective_user(who, req.user)?;
    let content_type = sniff(&[], extension.as_deref(), req.content_type.as_deref());
    let now = crate::clock::now();
    let mut record = FileRecord {
        id: FileId::new(),
        tenant: who.tenant.clone(),
        name,
        extension,
        mime_type: content_type.clone(),
        size,
        sha256: None,
        status: FileStatus::Pending,
        created_by: user,
        namespace: req.namespace,
        created_at: now,
        updated_at: now,
        expires_at: Some(
            now + time::Duration::seconds(i64::try_from(settings.upload_ttl).unwrap_or(86_400)),
        ),
        upload_id: None,
        declared_sha256: req.sha256.clone(),
    };
    let key = record.blob_key();
    let ttl = Duration::from_secs(UPLOAD_URL_TTL.min(settings.upload_ttl));
    if size <= settings.multipart_threshold {
        files.create_file(&record).await?;
        let pins = PutPins {
            size,
            content_type,
            sha256: req.sha256,
        };
        let signed = signer.presign_put(&key, ttl, &pins).await?;
        return Ok((record, UploadPlan::Single(signed)));
    }
    let part_size = part_size_for(settings, size);
    let count = size.div_ceil(part_size);
    let upload_id = multipart.create_multipart(&key, &content_type).await?;
    record.upload_id = Some(upload_id.clone());
    if let Err(e) = files.create_file(&record).await {
        let _ = multipart.abort_multipart(&key, &upload_id).await;
        return Err(e.into());
    }
    let mut parts = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    let mut expires_at = now + ttl;
    for n in 1..=count {
        let n = u32::try_from(n).map_err(ApiError::internal)?;
        let signed = signer.presign_part(&key, &upload_id, n, ttl).await?;
        expires_at = expires_at.min(signed.expires_at);
        parts.push((n, signed));
    }
    tracing::info!(audit = "upload_create", tenant = %who.tenant, key_id = %who.key_id, file_id = %record.id, size, parts = count);
    Ok((
        record,
        UploadPlan::Parts {
            parts,
            part_size,
            expires_at,
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompleteUpload {
    pub parts: Option<Vec<CompletedPart>>,
}

/// Checks what the store holds against the declaration, sniffs its real type, marks it ready.
/// Completing a ready file returns it unchanged: the S3 event and the client may race.
pub async fn complete_upload(
    files: &dyn FileStore,
    blobs: &dyn BlobStore,
    multipart: &dyn MultipartStore,
    settings: &Settings,
    who: &Principal,
    id: &FileId,
    req: CompleteUpload,
) -> Result<FileRecord, ApiError> {
    who.require(Scope::Write)?;
    let mut file = crate::ops::files::visible_file(files, who, id).await?;
    if file.status == FileStatus::Ready {
        return Ok(file);
    }
    let key = file.blob_key();
    if let Some(upload_id) = file.upload_id.clone() {
        let parts = req.parts.filter(|p| !p.is_empty()).ok_or_else(|| {
            ApiError::invalid(
                "`parts` ([{part_number, etag}]) is required to complete a multipart upload",
            )
        })?;
        multipart
            .complete_multipart(&key, &upload_id, &parts)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(m) | StoreError::Other(m) => {
                    ApiError::invalid(format!("the parts could not be assembled: {m}"))
                }
                StoreError::NotFound => {
                    ApiError::invalid("the multipart upload is unknown or already finished")
                }
                other => other.into(),
            })?;
    } else if req.parts.as_ref().is_some_and(|p| !p.is_empty()) {
        return Err(ApiError::invalid(
            "this upload is a single PUT: send no `parts`",
        ));
    }
    let stored = blobs
        .head(&key)
        .await?
        .ok_or_else(|| ApiError::invalid("No bytes have been uploaded for this file yet."))?;
    if stored != file.size {
        return Err(refuse(
            files,
            blobs,
            &file,
            format!(
                "The uploaded object has {stored} bytes, but {} were declared; it was deleted.",
                file.size
            ),
        )
        .await);
    }
    let head = blobs.get(&key, Some(0..=stored.min(8192) - 1)).await?;
    let sha256 = if stored <= HASH_ON_COMPLETE_MAX {
        Some(hash_object(blobs, &key, stored).await?)
    } else {
        // Too big to re-read here: trust a declared checksum only where the store enforced it.
        file.declared_sha256
            .clone()
            .filter(|_| file.upload_id.is_none())
    };
    if let (Some(declared), Some(actual)) = (&file.declared_sha256, &sha256) {
        if declared != actual {
            return Err(refuse(
                files,
                blobs,
                &file,
                "The uploaded object's SHA-256 does not match the declared one; it was deleted."
                    .into(),
            )
            .await);
        }
    }
    if let Err(e) = check_name_and_type(settings, &file.name, Some(&head)) {
        blobs.delete(&key).await?;
        files.delete_file(&file.tenant, &file.id).await?;
        return Err(e);
    }
    file.mime_type = sniff(&head, file.extension.as_deref(), Some(&file.mime_type));
    file.sha256 = sha256;
    file.status = FileStatus::Ready;
    file.expires_at = None;
    file.upload_id = None;
    file.updated_at = crate::clock::now();
    files.update_file(&file).await?;
    multipart.commit_object(&key).await?;
    tracing::info!(audit = "upload_complete", tenant = %who.tenant, key_id = %who.key_id, file_id = %file.id, size = file.size);
    Ok(file)
}

/// Deletes bytes that miss the declaration. A single PUT keeps its pending record, so the client
/// can PUT again to the same URL and complete; a multipart upload was consumed by assembling
/// the object, so its record goes too and a retry starts a new upload (`404` on this id).
async fn refuse(
    files: &dyn FileStore,
    blobs: &dyn BlobStore,
    file: &FileRecord,
    message: String,
) -> ApiError {
    if let Err(e) = blobs.delete(&file.blob_key()).await {
        return e.into();
    }
    if file.upload_id.is_some() {
        if let Err(e) = files.delete_file(&file.tenant, &file.id).await {
            return e.into();
        }
        return ApiError::invalid(format!("{message} Start a new upload."));
    }
    ApiError::invalid(format!("{message} PUT the bytes again, then complete."))
}

/// SHA-256 of a stored object, read in bounded chunks (never the whole object in memory).
async fn hash_object(blobs: &dyn BlobStore, key: &str, size: u64) -> Result<String, ApiError> {
    let mut h = Sha256::new();
    let mut start = 0;
    while start < size {
        let end = (start + HASH_CHUNK).min(size) - 1;
        h.update(blobs.get(key, Some(start..=end)).await?);
        start = end + 1;
    }
    Ok(hex::encode(h.finalize()))
}
