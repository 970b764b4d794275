//! The storage a process uses, built once at start and borrowed by every request.

use std::sync::Arc;

use crate::settings::{BackendKind, Settings};
use crate::store::local::{DiskBlobs, LocalSigner, SqliteMeta};
use crate::store::{
    BlobStore, FileStore, IdempotencyStore, KeyStore, LinkStore, MultipartStore, SecretStore,
    Signer,
};

/// One handle per capability. Handlers and operations take only the ones they need.
#[derive(Clone)]
pub struct Backend {
    pub settings: Arc<Settings>,
    pub files: Arc<dyn FileStore>,
    pub keys: Arc<dyn KeyStore>,
    pub links: Arc<dyn LinkStore>,
    pub idempotency: Arc<dyn IdempotencyStore>,
    pub blobs: Arc<dyn BlobStore>,
    pub signer: Arc<dyn Signer>,
    pub multipart: Arc<dyn MultipartStore>,
    pub secrets: Arc<dyn SecretStore>,
    /// Key for tamper-evident cursors.
    pub cursor_key: [u8; 32],
    /// Set on the local backend: the pieces `filegate serve` needs to honor signed blob URLs.
    pub local: Option<LocalParts>,
}

#[derive(Clone)]
pub struct LocalParts {
    pub meta: SqliteMeta,
    pub blobs: DiskBlobs,
    pub signer: LocalSigner,
}

/// The SQLite file inside a data directory.
pub fn database_path(settings: &Settings) -> std::path::PathBuf {
    settings.data_dir.join("filegate.db")
}

impl Backend {
    pub async fn from_settings(settings: Settings) -> Result<Backend, String> {
        match settings.backend {
            BackendKind::Local => Self::local(settings).await,
            BackendKind::Aws => Self::aws(settings).await,
        }
    }

    pub async fn local(settings: Settings) -> Result<Backend, String> {
        let meta = SqliteMeta::open(&database_path(&settings)).map_err(|e| {
            format!(
                "cannot open the database in {}: {e}",
                settings.data_dir.display()
            )
        })?;
        let blobs = DiskBlobs::open(&settings.data_dir)
            .map_err(|e| format!("cannot use {} for blobs: {e}", settings.data_dir.display()))?;
        let secret = meta
            .server_secret()
            .await
            .map_err(|e| format!("cannot read the server secret: {e}"))?;
        let signer = LocalSigner::new(secret, &settings.public_url);
        Ok(Backend {
            settings: Arc::new(settings),
            files: Arc::new(meta.clone()),
            keys: Arc::new(meta.clone()),
            links: Arc::new(meta.clone()),
            idempotency: Arc::new(meta.clone()),
            blobs: Arc::new(blobs.clone()),
            signer: Arc::new(signer.clone()),
            multipart: Arc::new(blobs.clone()),
            secrets: Arc::new(meta.clone()),
            cursor_key: secret,
            local: Some(LocalParts {
                meta,
                blobs,
                signer,
            }),
        })
    }

    #[cfg(feature = "aws")]
    pub async fn aws(settings: Settings) -> Result<Backend, String> {
        crate::store::aws::build_backend(settings).await
    }

    #[cfg(not(feature = "aws"))]
    pub async fn aws(_settings: Settings) -> Result<Backend, String> {
        Err("this build has no AWS backend (enable the `aws` feature)".into())
    }
}
