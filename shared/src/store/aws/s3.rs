//! Bytes in one S3 bucket, keyed `<tenant>/<file_id>`, and multipart uploads for big files.
//! A PutObject is atomic (readers see the old object or the new one), as `BlobStore` requires.

use std::ops::RangeInclusive;

use async_trait::async_trait;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart as S3Part, Tag, Tagging};
use aws_sdk_s3::Client;
use bytes::Bytes;

use super::error::{code, status, store_err};
use crate::store::{BlobStore, CompletedPart, MultipartStore, StoreError, StoreResult};

/// Direct uploads carry this tag until completed: the bucket's lifecycle rule
/// (`expire-pending-uploads` in template.yaml) deletes abandoned ones.
pub const PENDING_TAG: &str = "filegate-status=pending";
const TAG_KEY: &str = "filegate-status";

#[derive(Clone)]
pub struct S3Blobs {
    client: Client,
    bucket: String,
}

impl S3Blobs {
    pub fn new(client: Client, bucket: &str) -> Self {
        S3Blobs {
            client,
            bucket: bucket.to_string(),
        }
    }
}

#[async_trait]
impl BlobStore for S3Blobs {
    async fn put(&self, key: &str, bytes: Bytes) -> StoreResult<()> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_length(i64::try_from(bytes.len()).map_err(StoreError::other)?)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(store_err)?;
        Ok(())
    }

    async fn get(&self, key: &str, range: Option<RangeInclusive<u64>>) -> StoreResult<Bytes> {
        let res = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_range(range.map(|r| format!("bytes={}-{}", r.start(), r.end())))
            .send()
            .await;
        let out = match res {
            Ok(out) => out,
            Err(e) if code(&e) == Some("NoSuchKey") || status(&e) == Some(404) => {
                return Err(StoreError::NotFound)
            }
            Err(e) => return Err(store_err(e)),
        };
        // A body cut off mid-way is a transient failure: the caller may retry.
        let body = out
            .body
            .collect()
            .await
            .map_err(|e| StoreError::Unavailable(format!("reading {key}: {e}")))?;
        Ok(body.into_bytes())
    }

    async fn head(&self, key: &str) -> StoreResult<Option<u64>> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(out) => Ok(Some(
                out.content_length
                    .and_then(|l| u64::try_from(l).ok())
                    .unwrap_or(0),
            )),
            // HEAD has no body, so a missing object is only a bare 404 (`NotFound`).
            Err(e) if status(&e) == Some(404) => Ok(None),
            Err(e) => Err(store_err(e)),
        }
    }

    async fn delete(&self, key: &str) -> StoreResult<()> {
        match self
            .client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // S3 answers 204 for a missing key; some emulators say 404.
            Err(e) if status(&e) == Some(404) => Ok(()),
            Err(e) => Err(store_err(e)),
        }
    }
}

#[async_trait]
impl MultipartStore for S3Blobs {
    async fn create_multipart(&self, key: &str, content_type: &str) -> StoreResult<String> {
        let out = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .tagging(PENDING_TAG)
            .send()
            .await
            .map_err(store_err)?;
        out.upload_id
            .ok_or_else(|| StoreError::Other("CreateMultipartUpload returned no upload id".into()))
    }

    async fn complete_multipart(
        &self,
        key: &str,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> StoreResult<()> {
        let parts: Vec<S3Part> = parts
            .iter()
            .map(|p| {
                let n = i32::try_from(p.part_number).unwrap_or(i32::MAX);
                S3Part::builder().part_number(n).e_tag(&p.etag).build()
            })
            .collect();
        let res = self
            .client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) => Err(match code(&e) {
                Some("NoSuchUpload") => StoreError::NotFound,
                // The client's part list does not match what was uploaded: its mistake, as in
                // the local adapter.
                Some(c @ ("InvalidPart" | "InvalidPartOrder" | "EntityTooSmall")) => {
                    StoreError::Conflict(format!("{c}: the parts do not match the upload"))
                }
                _ => store_err(e),
            }),
        }
    }

    /// Replaces the pending tag, so the lifecycle rule no longer matches the object.
    async fn commit_object(&self, key: &str) -> StoreResult<()> {
        let ready = Tag::builder()
            .key(TAG_KEY)
            .value("ready")
            .build()
            .map_err(StoreError::other)?;
        let tagging = Tagging::builder()
            .tag_set(ready)
            .build()
            .map_err(StoreError::other)?;
        match self
            .client
            .put_object_tagging()
            .bucket(&self.bucket)
            .key(key)
            .tagging(tagging)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if code(&e) == Some("NoSuchKey") || status(&e) == Some(404) => {
                Err(StoreError::NotFound)
            }
            Err(e) => Err(store_err(e)),
        }
    }

    async fn abort_multipart(&self, key: &str, upload_id: &str) -> StoreResult<()> {
        let res = self
            .client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            // Already aborted or completed: nothing left to clean up.
            Err(e) if code(&e) == Some("NoSuchUpload") || status(&e) == Some(404) => Ok(()),
            Err(e) => Err(store_err(e)),
        }
    }
}
