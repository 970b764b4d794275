//! The local backend's stand-in for DynamoDB TTL and S3 lifecycle rules: expired records go,
//! and so do the bytes and parts of uploads that were never completed.

use crate::backend::LocalParts;
use crate::store::{BlobStore, MultipartStore, StoreResult};

/// Removes what expired by `now`; returns how many pending uploads were swept.
pub async fn sweep_local(local: &LocalParts, now: time::OffsetDateTime) -> StoreResult<usize> {
    let expired = local.meta.sweep_expired(now).await?;
    for file in &expired {
        let key = file.blob_key();
        local.blobs.delete(&key).await?;
        if let Some(upload_id) = &file.upload_id {
            local.blobs.abort_multipart(&key, upload_id).await?;
        }
    }
    Ok(expired.len())
}
