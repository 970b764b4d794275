//! Get, list, rename and delete: the metadata function's operations.

use crate::domain::{FileId, FileRecord, Principal, Scope};
use crate::ops::cursor;
use crate::settings::Settings;
use crate::store::{BlobStore, FileStore, ListQuery};
use crate::ApiError;

/// A file the caller may see: another tenant's is indistinguishable from a missing one.
pub async fn visible_file(
    files: &dyn FileStore,
    who: &Principal,
    id: &FileId,
) -> Result<FileRecord, ApiError> {
    let file = files
        .get_file(&who.tenant, id)
        .await?
        .ok_or(ApiError::FileNotFound)?;
    who.may_touch(&file)?;
    Ok(file)
}

pub async fn get_file(
    files: &dyn FileStore,
    who: &Principal,
    id: &FileId,
) -> Result<FileRecord, ApiError> {
    who.require(Scope::Read)?;
    visible_file(files, who, id).await
}

pub struct ListRequest {
    pub limit: usize,
    pub cursor: Option<String>,
    pub user: Option<String>,
    pub namespace: Option<String>,
}

pub struct ListResult {
    pub files: Vec<FileRecord>,
    pub has_more: bool,
    pub next_cursor: Option<String>,
}

pub async fn list_files(
    files: &dyn FileStore,
    cursor_key: &[u8; 32],
    who: &Principal,
    req: ListRequest,
) -> Result<ListResult, ApiError> {
    who.require(Scope::Read)?;
    let user = crate::ops::upload::effective_user(who, req.user)?;
    let before = match &req.cursor {
        Some(c) => Some(cursor::decode(
            cursor_key,
            c,
            user.as_deref(),
            req.namespace.as_deref(),
        )?),
        None => None,
    };
    let page = files
        .list_files(
            &who.tenant,
            &ListQuery {
                user: user.clone(),
                namespace: req.namespace.clone(),
                before,
                limit: req.limit,
            },
        )
        .await?;
    let next_cursor = page.next_after().map(|after| {
        cursor::encode(
            cursor_key,
            &after,
            user.as_deref(),
            req.namespace.as_deref(),
        )
    });
    Ok(ListResult {
        files: page.files,
        has_more: page.has_more,
        next_cursor,
    })
}

pub async fn rename_file(
    files: &dyn FileStore,
    settings: &Settings,
    who: &Principal,
    id: &FileId,
    name: String,
) -> Result<FileRecord, ApiError> {
    who.require(Scope::Write)?;
    let mut file = visible_file(files, who, id).await?;
    let extension = crate::ops::upload::check_name_and_type(settings, &name, None)?;
    file.name = name;
    file.extension = extension;
    file.updated_at = crate::clock::now();
    files.update_file(&file).await.map_err(|e| match e {
        crate::store::StoreError::NotFound => ApiError::FileNotFound,
        other => other.into(),
    })?;
    tracing::info!(audit = "rename", tenant = %who.tenant, key_id = %who.key_id, file_id = %id);
    Ok(file)
}

/// Metadata goes first: once it is gone nothing can reach the bytes, so a failure to delete
/// them leaves only an unreachable object (logged), never a file without bytes.
pub async fn delete_one(
    files: &dyn FileStore,
    blobs: &dyn BlobStore,
    who: &Principal,
    file: &FileRecord,
) -> Result<bool, ApiError> {
    let deleted = files.delete_file(&who.tenant, &file.id).await?;
    if let Err(e) = blobs.delete(&file.blob_key()).await {
        tracing::error!(file_id = %file.id, error = %e, "bytes of a deleted file could not be removed");
    }
    tracing::info!(audit = "delete", tenant = %who.tenant, key_id = %who.key_id, file_id = %file.id);
    Ok(deleted)
}

pub async fn delete_file(
    files: &dyn FileStore,
    blobs: &dyn BlobStore,
    who: &Principal,
    id: &FileId,
) -> Result<(), ApiError> {
    who.require(Scope::Delete)?;
    let file = visible_file(files, who, id).await?;
    if delete_one(files, blobs, who, &file).await? {
        Ok(())
    } else {
        Err(ApiError::FileNotFound)
    }
}

pub const MAX_BULK: usize = 100;

pub struct BulkResult {
    pub deleted: Vec<String>,
    pub not_found: Vec<String>,
}

pub async fn delete_ids(
    files: &dyn FileStore,
    blobs: &dyn BlobStore,
    who: &Principal,
    ids: &[FileId],
) -> Result<BulkResult, ApiError> {
    who.require(Scope::Delete)?;
    let mut out = BulkResult {
        deleted: Vec::new(),
        not_found: Vec::new(),
    };
    for id in ids {
        // Another user's file under a user-bound key counts as not found here: the bulk answer
        // must not reveal which ids exist for other users.
        match visible_file(files, who, id).await {
            Ok(file) if delete_one(files, blobs, who, &file).await? => {
                out.deleted.push(id.to_string())
            }
            Ok(_) | Err(ApiError::FileNotFound | ApiError::AccessDenied(_)) => {
                out.not_found.push(id.to_string())
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// One bounded batch of "delete everything I can see"; the caller repeats while `has_more`.
pub async fn delete_all_batch(
    files: &dyn FileStore,
    blobs: &dyn BlobStore,
    who: &Principal,
) -> Result<(usize, bool), ApiError> {
    who.require(Scope::Delete)?;
    let page = files
        .list_files(
            &who.tenant,
            &ListQuery {
                user: who.user.clone(),
                namespace: None,
                before: None,
                limit: MAX_BULK,
            },
        )
        .await?;
    let mut count = 0;
    for file in &page.files {
        if delete_one(files, blobs, who, file).await? {
            count += 1;
        }
    }
    Ok((count, page.has_more))
}
