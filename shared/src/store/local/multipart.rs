//! Multipart uploads on disk: parts land in `<data>/parts/<upload_id>/<n>` (written by the
//! serve's signed-URL handler); completion concatenates them into the blob atomically.

use std::io::Write;

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use super::disk::sync_dir;
use super::DiskBlobs;
use crate::store::{CompletedPart, MultipartStore, StoreError, StoreResult};

/// The ETag we return for a part: a hash of its bytes, quoted like S3's.
pub fn part_etag(bytes_sha256: &[u8]) -> String {
    format!("\"{}\"", hex::encode(&bytes_sha256[..16]))
}

impl DiskBlobs {
    fn complete_blocking(
        &self,
        key: &str,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> StoreResult<()> {
        let dir = self.parts_dir(upload_id)?;
        if !dir.exists() {
            return Err(StoreError::NotFound);
        }
        let temp = self.temp_path();
        let result = (|| -> StoreResult<()> {
            let mut out = std::fs::File::create(&temp).map_err(StoreError::other)?;
            let mut last = 0;
            for p in parts {
                if p.part_number <= last {
                    return Err(StoreError::Conflict(
                        "parts must be listed in ascending order".into(),
                    ));
                }
                last = p.part_number;
                let bytes = std::fs::read(dir.join(p.part_number.to_string())).map_err(|_| {
                    StoreError::Conflict(format!("part {} was not uploaded", p.part_number))
                })?;
                if part_etag(&Sha256::digest(&bytes)) != p.etag {
                    return Err(StoreError::Conflict(format!(
                        "part {} etag does not match",
                        p.part_number
                    )));
                }
                out.write_all(&bytes).map_err(StoreError::other)?;
            }
            out.sync_all().map_err(StoreError::other)
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
        self.commit(&temp, key)?;
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}

#[async_trait]
impl MultipartStore for DiskBlobs {
    async fn create_multipart(&self, _key: &str, _content_type: &str) -> StoreResult<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let dir = self.parts_dir(&id)?;
        std::fs::create_dir_all(&dir).map_err(StoreError::other)?;
        if let Some(parent) = dir.parent() {
            sync_dir(parent)?;
        }
        Ok(id)
    }

    async fn complete_multipart(
        &self,
        key: &str,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> StoreResult<()> {
        let (this, key, id, parts) = (
            self.clone(),
            key.to_string(),
            upload_id.to_string(),
            parts.to_vec(),
        );
        tokio::task::spawn_blocking(move || this.complete_blocking(&key, &id, &parts))
            .await
            .map_err(StoreError::other)?
    }

    /// Local pending uploads are swept by the server from their records; nothing to untag.
    async fn commit_object(&self, _key: &str) -> StoreResult<()> {
        Ok(())
    }

    async fn abort_multipart(&self, _key: &str, upload_id: &str) -> StoreResult<()> {
        let dir = self.parts_dir(upload_id)?;
        match tokio::fs::remove_dir_all(&dir).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::other(e)),
        }
    }
}
