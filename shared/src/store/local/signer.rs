//! Signed blob URLs for the local backend: `<public>/_blob/<key>?...&sig=<hmac>`. They play the
//! part of S3 presigned URLs, and `filegate serve` honors them with the same semantics: expiry,
//! response-header overrides, and pinned size/checksum on PUT.

use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use time::OffsetDateTime;

use crate::http::query::{encode_component, parse_query};
use crate::store::{PutPins, ResponseOverrides, SignedRequest, Signer, StoreResult};

type HmacSha256 = Hmac<Sha256>;

/// Path prefix under which `filegate serve` answers signed blob requests.
pub const BLOB_PREFIX: &str = "/_blob/";

#[derive(Clone)]
pub struct LocalSigner {
    secret: [u8; 32],
    public_url: String,
}

/// What a verified URL allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobGrant {
    Get {
        key: String,
        overrides: Option<ResponseOverrides>,
        /// Unix seconds when the URL stops working: caches may keep the response until then.
        expires: i64,
    },
    Put {
        key: String,
        pins: PutPins,
    },
    Part {
        key: String,
        upload_id: String,
        part_number: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("The signed URL is malformed.")]
    Malformed,
    #[error("The signed URL's signature does not match.")]
    BadSignature,
    #[error("The signed URL has expired.")]
    Expired,
    #[error("The signed URL does not allow this method.")]
    WrongMethod,
}

impl LocalSigner {
    pub fn new(secret: [u8; 32], public_url: &str) -> Self {
        LocalSigner {
            secret,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }

    fn mac(&self, key: &str, params: &[(String, String)]) -> String {
        // Canonical form: the key, then every parameter except `sig`, sorted; each encoded so
        // that no separator can be smuggled into a value.
        let mut sorted: Vec<&(String, String)> =
            params.iter().filter(|(k, _)| k != "sig").collect();
        sorted.sort();
        let mut canonical = encode_component(key);
        for (k, v) in sorted {
            canonical.push('\n');
            canonical.push_str(&encode_component(k));
            canonical.push('=');
            canonical.push_str(&encode_component(v));
        }
        let mut mac = match HmacSha256::new_from_slice(&self.secret) {
            Ok(m) => m,
            Err(_) => return String::new(), // unreachable: HMAC accepts any key length
        };
        mac.update(canonical.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn sign(
        &self,
        method: &str,
        key: &str,
        ttl: Duration,
        mut params: Vec<(String, String)>,
    ) -> SignedRequest {
        let expires_at = crate::clock::now() + ttl;
        params.push(("expires".into(), expires_at.unix_timestamp().to_string()));
        let sig = self.mac(key, &params);
        params.push(("sig".into(), sig));
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
            .collect();
        SignedRequest {
            method: method.into(),
            url: format!("{}{BLOB_PREFIX}{key}?{}", self.public_url, query.join("&")),
            headers: Vec::new(),
            expires_at,
        }
    }

    /// Checks a request to `/_blob/<key>?<query>` and says what it may do.
    pub fn verify(
        &self,
        method: &http::Method,
        key: &str,
        query: &str,
        now: OffsetDateTime,
    ) -> Result<BlobGrant, VerifyError> {
        let params = parse_query(query);
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let sig = get("sig").ok_or(VerifyError::Malformed)?;
        let expected = self.mac(key, &params);
        let equal: bool = subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), sig.as_bytes()).into();
        if !equal {
            return Err(VerifyError::BadSignature);
        }
        let expires: i64 = get("expires")
            .and_then(|e| e.parse().ok())
            .ok_or(VerifyError::Malformed)?;
        if now.unix_timestamp() >= expires {
            return Err(VerifyError::Expired);
        }
        let key = key.to_string();
        match get("op").ok_or(VerifyError::Malformed)? {
            "get" if method == http::Method::GET || method == http::Method::HEAD => {
                let overrides = match (get("rct"), get("rcd")) {
                    (Some(ct), Some(cd)) => Some(ResponseOverrides {
                        content_type: ct.into(),
                        content_disposition: cd.into(),
                    }),
                    _ => None,
                };
                Ok(BlobGrant::Get {
                    key,
                    overrides,
                    expires,
                })
            }
            "put" if method == http::Method::PUT => Ok(BlobGrant::Put {
                key,
                pins: PutPins {
                    size: get("size")
                        .and_then(|s| s.parse().ok())
                        .ok_or(VerifyError::Malformed)?,
                    content_type: get("ct").unwrap_or("application/octet-stream").into(),
                    sha256: get("sha256").map(str::to_string),
                },
            }),
            "part" if method == http::Method::PUT => Ok(BlobGrant::Part {
                key,
                upload_id: get("upload").ok_or(VerifyError::Malformed)?.into(),
                part_number: get("part")
                    .and_then(|p| p.parse().ok())
                    .ok_or(VerifyError::Malformed)?,
            }),
            "get" | "put" | "part" => Err(VerifyError::WrongMethod),
            _ => Err(VerifyError::Malformed),
        }
    }
}

#[async_trait]
impl Signer for LocalSigner {
    async fn presign_get(
        &self,
        key: &str,
        ttl: Duration,
        o: &ResponseOverrides,
    ) -> StoreResult<SignedRequest> {
        let params = vec![
            ("op".into(), "get".into()),
            ("rct".into(), o.content_type.clone()),
            ("rcd".into(), o.content_disposition.clone()),
        ];
        Ok(self.sign("GET", key, ttl, params))
    }

    async fn presign_put(
        &self,
        key: &str,
        ttl: Duration,
        pins: &PutPins,
    ) -> StoreResult<SignedRequest> {
        let mut params = vec![
            ("op".into(), "put".into()),
            ("size".into(), pins.size.to_string()),
            ("ct".into(), pins.content_type.clone()),
        ];
        if let Some(h) = &pins.sha256 {
            params.push(("sha256".into(), h.clone()));
        }
        let mut req = self.sign("PUT", key, ttl, params);
        req.headers = vec![
            ("content-length".into(), pins.size.to_string()),
            ("content-type".into(), pins.content_type.clone()),
        ];
        Ok(req)
    }

    async fn presign_part(
        &self,
        key: &str,
        upload_id: &str,
        part_number: u32,
        ttl: Duration,
    ) -> StoreResult<SignedRequest> {
        let params = vec![
            ("op".into(), "part".into()),
            ("upload".into(), upload_id.into()),
            ("part".into(), part_number.to_string()),
        ];
        Ok(self.sign("PUT", key, ttl, params))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(url: &str) -> (String, String) {
        let rest = url.split_once(BLOB_PREFIX).expect("prefix").1;
        let (k, q) = rest.split_once('?').expect("query");
        (k.to_string(), q.to_string())
    }

    #[tokio::test]
    async fn signed_get_verifies_and_carries_overrides() {
        let s = LocalSigner::new([7; 32], "http://127.0.0.1:3000");
        let o = ResponseOverrides {
            content_type: "text/csv; charset=utf-8".into(),
            content_disposition: "attachment; filename=\"a&b.csv\"".into(),
        };
        let req = s
            .presign_get("dev/x", Duration::from_secs(60), &o)
            .await
            .expect("sign");
        let (k, q) = split(&req.url);
        let grant = s
            .verify(&http::Method::GET, &k, &q, crate::clock::now())
            .expect("valid");
        assert_eq!(
            grant,
            BlobGrant::Get {
                key: "dev/x".into(),
                overrides: Some(o),
                expires: req.expires_at.unix_timestamp(),
            }
        );
    }

    #[tokio::test]
    async fn tampered_expired_or_foreign_urls_are_refused() {
        let s = LocalSigner::new([7; 32], "http://h");
        let o = ResponseOverrides {
            content_type: "a/b".into(),
            content_disposition: "inline".into(),
        };
        let req = s
            .presign_get("dev/x", Duration::from_secs(60), &o)
            .await
            .expect("sign");
        let (k, q) = split(&req.url);
        assert_eq!(
            s.verify(&http::Method::GET, "dev/y", &q, crate::clock::now()),
            Err(VerifyError::BadSignature)
        );
        let q2 = q.replace("rct=a%2Fb", "rct=text%2Fhtml");
        assert_eq!(
            s.verify(&http::Method::GET, &k, &q2, crate::clock::now()),
            Err(VerifyError::BadSignature)
        );
        let later = crate::clock::now() + Duration::from_secs(61);
        assert_eq!(
            s.verify(&http::Method::GET, &k, &q, later),
            Err(VerifyError::Expired)
        );
        let other = LocalSigner::new([8; 32], "http://h");
        assert_eq!(
            other.verify(&http::Method::GET, &k, &q, crate::clock::now()),
            Err(VerifyError::BadSignature)
        );
        assert_eq!(
            s.verify(&http::Method::PUT, &k, &q, crate::clock::now()),
            Err(VerifyError::WrongMethod)
        );
    }
}
