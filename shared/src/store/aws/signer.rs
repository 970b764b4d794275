//! S3 presigned URLs (SigV4 in the query string). A presigned URL stops working when the
//! credentials that signed it expire, so each URL is signed with credentials whose expiry we
//! know, and its lifetime is cut to that expiry: the `expires_at` we report is the real one.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_sdk_s3::config::{Credentials, ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use aws_sdk_s3::Client;
use base64::Engine;
use tokio::sync::Mutex;

use super::error::store_err;
use super::s3::PENDING_TAG;
use crate::store::{PutPins, ResponseOverrides, SignedRequest, Signer, StoreError, StoreResult};

/// SigV4 presigned URLs live at most 7 days.
const SIGV4_MAX: Duration = Duration::from_secs(7 * 24 * 3600);
/// Credentials closer than this to their expiry are refreshed before signing.
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
/// Session credentials that do not say when they expire (Lambda's, from the environment)
/// are trusted for this long only.
const UNKNOWN_SESSION_MAX: Duration = Duration::from_secs(3600);

pub struct S3Signer {
    client: Client,
    bucket: String,
    provider: Option<SharedCredentialsProvider>,
    /// The credentials we sign with, kept so the provider (maybe STS or IMDS) is not asked
    /// on every request.
    current: Mutex<Option<Credentials>>,
}

impl S3Signer {
    pub fn new(client: Client, bucket: &str, provider: Option<SharedCredentialsProvider>) -> Self {
        S3Signer {
            client,
            bucket: bucket.to_string(),
            provider,
            current: Mutex::new(None),
        }
    }

    async fn credentials(&self, now: SystemTime) -> StoreResult<Credentials> {
        let provider = self.provider.as_ref().ok_or_else(|| {
            StoreError::Other("no AWS credentials are configured for signing".into())
        })?;
        let mut current = self.current.lock().await;
        let fresh_enough = |c: &Credentials| c.expiry().is_none_or(|e| e > now + REFRESH_MARGIN);
        if let Some(c) = current.as_ref().filter(|c| fresh_enough(c)) {
            return Ok(c.clone());
        }
        let c = provider
            .provide_credentials()
            .await
            .map_err(|e| StoreError::Unavailable(format!("cannot load AWS credentials: {e}")))?;
        *current = Some(c.clone());
        Ok(c)
    }

    /// Signs `op` with explicit credentials for at most `ttl`, cut to their expiry.
    async fn sign<F, Fut>(&self, ttl: Duration, op: F) -> StoreResult<SignedRequest>
    where
        F: FnOnce(aws_sdk_s3::config::Builder, PresigningConfig) -> Fut,
        Fut: std::future::Future<Output = StoreResult<PresignedRequest>>,
    {
        let start = crate::clock::now();
        let start_sys = SystemTime::from(start);
        let creds = self.credentials(start_sys).await?;
        let ttl = capped_ttl(ttl, &creds, start_sys)?;
        let presigning = PresigningConfig::builder()
            .start_time(start_sys)
            .expires_in(ttl)
            .build()
            .map_err(StoreError::other)?;
        let with_creds = aws_sdk_s3::config::Builder::default().credentials_provider(creds);
        let req = op(with_creds, presigning).await?;
        Ok(SignedRequest {
            method: req.method().to_string(),
            url: req.uri().to_string(),
            // Every header present was signed, so the client must send each one exactly.
            headers: req
                .headers()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
                .collect(),
            expires_at: start + ttl,
        })
    }
}

/// The lifetime a URL signed now with `creds` can really have.
fn capped_ttl(ttl: Duration, creds: &Credentials, now: SystemTime) -> StoreResult<Duration> {
    let mut cap = SIGV4_MAX;
    match creds.expiry() {
        Some(exp) => {
            let left = exp.duration_since(now).unwrap_or(Duration::ZERO);
            cap = cap.min(Duration::from_secs(left.as_secs()));
        }
        None if creds.session_token().is_some() => cap = cap.min(UNKNOWN_SESSION_MAX),
        None => {}
    }
    if cap.is_zero() {
        return Err(StoreError::Unavailable(
            "the signing credentials have expired".into(),
        ));
    }
    Ok(ttl.clamp(Duration::from_secs(1), cap))
}

/// S3 wants the SHA-256 as base64; the API speaks hex.
fn sha256_b64(hex_digest: &str) -> StoreResult<String> {
    let raw = hex::decode(hex_digest)
        .map_err(|_| StoreError::Other("declared sha256 is not hex".into()))?;
    if raw.len() != 32 {
        return Err(StoreError::Other("declared sha256 is not 32 bytes".into()));
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(raw))
}

#[async_trait]
impl Signer for S3Signer {
    async fn presign_get(
        &self,
        key: &str,
        ttl: Duration,
        o: &ResponseOverrides,
    ) -> StoreResult<SignedRequest> {
        let req = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_type(&o.content_type)
            .response_content_disposition(&o.content_disposition);
        self.sign(ttl, |conf, p| async move {
            req.customize()
                .config_override(conf)
                .presigned(p)
                .await
                .map_err(store_err)
        })
        .await
    }

    async fn presign_put(
        &self,
        key: &str,
        ttl: Duration,
        pins: &PutPins,
    ) -> StoreResult<SignedRequest> {
        let size = i64::try_from(pins.size).map_err(StoreError::other)?;
        let req = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_length(size)
            .content_type(&pins.content_type)
            // Signed like the rest: an upload without the tag is refused, so nothing escapes
            // the lifecycle rule that sweeps abandoned uploads.
            .tagging(PENDING_TAG)
            .set_checksum_sha256(pins.sha256.as_deref().map(sha256_b64).transpose()?);
        self.sign(ttl, |conf, p| async move {
            req.customize()
                .config_override(conf)
                .presigned(p)
                .await
                .map_err(store_err)
        })
        .await
    }

    async fn presign_part(
        &self,
        key: &str,
        upload_id: &str,
        part_number: u32,
        ttl: Duration,
    ) -> StoreResult<SignedRequest> {
        let part = i32::try_from(part_number).map_err(StoreError::other)?;
        let req = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(key)
            .upload_id(upload_id)
            .part_number(part);
        self.sign(ttl, |conf, p| async move {
            req.customize()
                .config_override(conf)
                .presigned(p)
                .await
                .map_err(store_err)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::aws::{s3_client, static_config};
    use time::OffsetDateTime;

    fn signer_with(creds: Credentials) -> S3Signer {
        let config = static_config("http://127.0.0.1:9", "us-east-1", "unused", "unused");
        S3Signer::new(
            s3_client(&config, true),
            "bucket",
            Some(SharedCredentialsProvider::new(creds)),
        )
    }

    fn overrides() -> ResponseOverrides {
        ResponseOverrides {
            content_type: "text/csv".into(),
            content_disposition: "attachment; filename=\"a.csv\"".into(),
        }
    }

    #[tokio::test]
    async fn expiry_is_cut_to_the_credentials() {
        let exp = SystemTime::now() + Duration::from_secs(120);
        let s = signer_with(Credentials::new(
            "AK",
            "SK",
            Some("tok".into()),
            Some(exp),
            "test",
        ));
        let req = s
            .presign_get("dev/x", Duration::from_secs(3600), &overrides())
            .await
            .expect("sign");
        assert!(
            req.expires_at <= OffsetDateTime::from(exp),
            "{:?}",
            req.expires_at
        );
        assert!(req.url.contains("X-Amz-Expires=1"), "{}", req.url);
        assert!(
            req.url.contains("X-Amz-Security-Token=tok"),
            "signed with the resolved credentials: {}",
            req.url
        );
    }

    #[tokio::test]
    async fn expiry_is_cut_to_seven_days_and_sessions_of_unknown_life_to_an_hour() {
        let s = signer_with(Credentials::new("AK", "SK", None, None, "test"));
        let req = s
            .presign_get("dev/x", Duration::from_secs(30 * 86400), &overrides())
            .await
            .expect("sign");
        assert!(req.url.contains("X-Amz-Expires=604800"), "{}", req.url);
        let s = signer_with(Credentials::new(
            "AK",
            "SK",
            Some("tok".into()),
            None,
            "test",
        ));
        let req = s
            .presign_get("dev/x", Duration::from_secs(86400), &overrides())
            .await
            .expect("sign");
        assert!(req.url.contains("X-Amz-Expires=3600"), "{}", req.url);
        let expired = signer_with(Credentials::new(
            "AK",
            "SK",
            None,
            Some(SystemTime::now()),
            "test",
        ));
        assert!(matches!(
            expired
                .presign_get("dev/x", Duration::from_secs(60), &overrides())
                .await,
            Err(StoreError::Unavailable(_))
        ));
    }

    #[tokio::test]
    async fn put_pins_size_type_and_checksum_in_signed_headers() {
        let s = signer_with(Credentials::new("AK", "SK", None, None, "test"));
        let pins = PutPins {
            size: 5,
            content_type: "text/plain".into(),
            sha256: Some("ab".repeat(32)),
        };
        let req = s
            .presign_put("dev/x", Duration::from_secs(60), &pins)
            .await
            .expect("sign");
        let header = |n: &str| {
            req.headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("content-length"), Some("5"));
        assert_eq!(header("content-type"), Some("text/plain"));
        assert_eq!(header("x-amz-tagging"), Some(PENDING_TAG));
        assert_eq!(
            header("x-amz-checksum-sha256"),
            Some(sha256_b64(&"ab".repeat(32)).expect("b64").as_str())
        );
        let signed = req
            .url
            .split("X-Amz-SignedHeaders=")
            .nth(1)
            .expect("signed headers")
            .split('&')
            .next()
            .expect("value");
        for (name, _) in &req.headers {
            assert!(
                signed.split("%3B").any(|h| h == name),
                "{name} is not signed: {signed}"
            );
        }
        assert_eq!(req.method, "PUT");
    }
}
