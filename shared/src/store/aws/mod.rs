//! The AWS backend: DynamoDB for metadata, S3 for bytes and presigned URLs.
//!
//! `build_backend` reads the standard AWS configuration once (environment, profile, IMDS, and
//! `AWS_ENDPOINT_URL[_S3|_DYNAMODB]` for emulators); `build_backend_with` takes an explicit
//! `SdkConfig`, so tests can point at an emulator without touching the environment or `~/.aws`.

mod dynamo;
mod error;
mod item;
mod provision;
mod s3;
mod signer;

use std::sync::Arc;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::config::{Credentials, SharedCredentialsProvider};

/// The SDK crates, so tests and tools reach the raw API at the very versions used here.
pub use {aws_sdk_dynamodb, aws_sdk_s3};

pub use dynamo::{DynamoMeta, ListReadBound};
pub use provision::{create_bucket, create_table};
pub use s3::{S3Blobs, PENDING_TAG};
pub use signer::S3Signer;

use crate::backend::Backend;
use crate::settings::Settings;
use crate::store::SecretStore;

/// Loads the standard AWS configuration and builds the backend on it.
pub async fn build_backend(settings: Settings) -> Result<Backend, String> {
    let config = aws_config::defaults(BehaviorVersion::latest()).load().await;
    build_backend_with(settings, &config).await
}

/// Creates the configured table and bucket if missing (emulators, scratch accounts); a real
/// deployment gets them, hardened, from `template.yaml`.
pub async fn provision(settings: &Settings) -> Result<(), String> {
    let config = aws_config::defaults(BehaviorVersion::latest()).load().await;
    create_table(&dynamo_client(&config), &settings.table)
        .await
        .map_err(|e| format!("cannot create table `{}`: {e}", settings.table))?;
    create_bucket(
        &s3_client(&config, settings.s3_force_path_style),
        &settings.bucket,
    )
    .await
    .map_err(|e| format!("cannot create bucket `{}`: {e}", settings.bucket))
}

/// Builds the backend on a given configuration: clients are made once here and shared.
pub async fn build_backend_with(settings: Settings, config: &SdkConfig) -> Result<Backend, String> {
    let meta = DynamoMeta::new(dynamo_client(config), &settings.table);
    let s3 = s3_client(config, settings.s3_force_path_style);
    let blobs = S3Blobs::new(s3.clone(), &settings.bucket);
    let signer = S3Signer::new(s3, &settings.bucket, config.credentials_provider());
    let secret = meta.server_secret().await.map_err(|e| {
        format!(
            "cannot read the server secret from table `{}`: {e}",
            settings.table
        )
    })?;
    Ok(Backend {
        settings: Arc::new(settings),
        files: Arc::new(meta.clone()),
        keys: Arc::new(meta.clone()),
        links: Arc::new(meta.clone()),
        idempotency: Arc::new(meta.clone()),
        secrets: Arc::new(meta),
        blobs: Arc::new(blobs.clone()),
        signer: Arc::new(signer),
        multipart: Arc::new(blobs),
        cursor_key: secret,
        local: None,
    })
}

pub fn dynamo_client(config: &SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(config)
}

/// Path-style addressing is for emulators, which cannot serve `<bucket>.<host>` names.
pub fn s3_client(config: &SdkConfig, force_path_style: bool) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(config)
        .force_path_style(force_path_style)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// A configuration with one endpoint and static credentials, reading nothing from the
/// environment or `~/.aws`: for tests and emulators.
pub fn static_config(
    endpoint: &str,
    region: &str,
    access_key: &str,
    secret_key: &str,
) -> SdkConfig {
    let creds = Credentials::new(access_key, secret_key, None, None, "filegate-static");
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(creds))
        .build()
}
