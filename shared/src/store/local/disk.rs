//! Blobs as files under `<data>/blobs/<tenant>/<file_id>`, written atomically: a temp file in
//! the same filesystem, fsync, rename, fsync of the directory. A crash leaves the old object or
//! the new one, never half of one.

use std::io::{Read, Seek, SeekFrom, Write};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use bytes::Bytes;

use crate::store::{BlobStore, StoreError, StoreResult};

#[derive(Debug, Clone)]
pub struct DiskBlobs {
    root: PathBuf,
}

impl DiskBlobs {
    pub fn open(data_dir: &Path) -> StoreResult<Self> {
        for sub in ["blobs", "tmp", "parts"] {
            std::fs::create_dir_all(data_dir.join(sub)).map_err(StoreError::other)?;
        }
        Ok(DiskBlobs {
            root: data_dir.to_path_buf(),
        })
    }

    /// Keys come from ids we generated, but the path is still checked: no `..`, no absolute
    /// paths, only a safe alphabet — a bad key is a bug, and must not become a traversal.
    pub fn blob_path(&self, key: &str) -> StoreResult<PathBuf> {
        let ok = !key.is_empty()
            && key.split('/').all(|seg| {
                !seg.is_empty()
                    && seg != "."
                    && seg != ".."
                    && seg
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            });
        if !ok {
            return Err(StoreError::Other(format!(
                "refusing unsafe blob key {key:?}"
            )));
        }
        Ok(self.root.join("blobs").join(key))
    }

    /// A fresh temp path on the same filesystem as the blobs, for atomic renames.
    pub fn temp_path(&self) -> PathBuf {
        self.root.join("tmp").join(uuid::Uuid::new_v4().to_string())
    }

    /// Where multipart parts of a local direct upload are kept until completion.
    pub fn parts_dir(&self, upload_id: &str) -> StoreResult<PathBuf> {
        if upload_id.len() != 36
            || !upload_id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b'-')
        {
            return Err(StoreError::Other("bad upload id".into()));
        }
        Ok(self.root.join("parts").join(upload_id))
    }

    /// Moves a fully written, fsynced temp file into place.
    pub fn commit(&self, temp: &Path, key: &str) -> StoreResult<()> {
        let dest = self.blob_path(key)?;
        let dir = dest
            .parent()
            .ok_or_else(|| StoreError::Other("blob path has no parent".into()))?;
        std::fs::create_dir_all(dir).map_err(StoreError::other)?;
        std::fs::rename(temp, &dest).map_err(StoreError::other)?;
        sync_dir(dir)
    }

    fn put_blocking(&self, key: &str, bytes: &[u8]) -> StoreResult<()> {
        let temp = self.temp_path();
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&temp)?;
            f.write_all(bytes)?;
            f.sync_all()
        };
        if let Err(e) = write() {
            let _ = std::fs::remove_file(&temp);
            return Err(StoreError::other(e));
        }
        self.commit(&temp, key).inspect_err(|_| {
            let _ = std::fs::remove_file(&temp);
        })
    }

    fn get_blocking(&self, key: &str, range: Option<RangeInclusive<u64>>) -> StoreResult<Bytes> {
        let path = self.blob_path(key)?;
        let mut f = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StoreError::NotFound),
            Err(e) => return Err(StoreError::other(e)),
        };
        match range {
            None => {
                let mut buf = Vec::new();
                f.read_to_end(&mut buf).map_err(StoreError::other)?;
                Ok(buf.into())
            }
            Some(r) => {
                let len = r.end().saturating_sub(*r.start()).saturating_add(1);
                f.seek(SeekFrom::Start(*r.start()))
                    .map_err(StoreError::other)?;
                let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
                f.take(len)
                    .read_to_end(&mut buf)
                    .map_err(StoreError::other)?;
                Ok(buf.into())
            }
        }
    }
}

pub(super) fn sync_dir(dir: &Path) -> StoreResult<()> {
    // Directory fsync makes the rename durable; not supported everywhere, so failures are soft.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> StoreResult<T> + Send + 'static,
) -> StoreResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(StoreError::other)?
}

#[async_trait]
impl BlobStore for DiskBlobs {
    async fn put(&self, key: &str, bytes: Bytes) -> StoreResult<()> {
        let (this, key) = (self.clone(), key.to_string());
        blocking(move || this.put_blocking(&key, &bytes)).await
    }

    async fn get(&self, key: &str, range: Option<RangeInclusive<u64>>) -> StoreResult<Bytes> {
        let (this, key) = (self.clone(), key.to_string());
        blocking(move || this.get_blocking(&key, range)).await
    }

    async fn head(&self, key: &str) -> StoreResult<Option<u64>> {
        let path = self.blob_path(key)?;
        match tokio::fs::metadata(&path).await {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::other(e)),
        }
    }

    async fn delete(&self, key: &str) -> StoreResult<()> {
        let path = self.blob_path(key)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::other(e)),
        }
    }
}
