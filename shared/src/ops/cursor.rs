//! Opaque, tamper-evident list cursors: `base64url(payload).hex(hmac)[..32]`. The payload binds
//! the filters, so a cursor cannot be replayed against another listing.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::domain::FileId;
use crate::ApiError;

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    /// Last id returned: the next page starts strictly below it.
    b: String,
    u: Option<String>,
    n: Option<String>,
}

fn tag(key: &[u8; 32], payload: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(payload);
    hex::encode(&mac.finalize().into_bytes()[..16])
}

pub fn encode(
    key: &[u8; 32],
    last: &FileId,
    user: Option<&str>,
    namespace: Option<&str>,
) -> String {
    let p = Payload {
        b: last.to_string(),
        u: user.map(str::to_string),
        n: namespace.map(str::to_string),
    };
    let json = serde_json::to_vec(&p).unwrap_or_default();
    format!("{}.{}", URL_SAFE_NO_PAD.encode(&json), tag(key, &json))
}

pub fn decode(
    key: &[u8; 32],
    cursor: &str,
    user: Option<&str>,
    namespace: Option<&str>,
) -> Result<FileId, ApiError> {
    let bad = || ApiError::invalid("cursor is invalid or was tampered with");
    let (b64, mac) = cursor.split_once('.').ok_or_else(bad)?;
    let json = URL_SAFE_NO_PAD.decode(b64).map_err(|_| bad())?;
    let ok: bool = subtle::ConstantTimeEq::ct_eq(tag(key, &json).as_bytes(), mac.as_bytes()).into();
    if !ok {
        return Err(bad());
    }
    let p: Payload = serde_json::from_slice(&json).map_err(|_| bad())?;
    if p.u.as_deref() != user || p.n.as_deref() != namespace {
        return Err(ApiError::invalid(
            "cursor belongs to a listing with other filters",
        ));
    }
    FileId::parse(&p.b).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let k = [3u8; 32];
        let id = FileId::new();
        let c = encode(&k, &id, Some("u1"), None);
        assert_eq!(decode(&k, &c, Some("u1"), None).expect("valid"), id);
        assert!(decode(&k, &c, Some("u2"), None).is_err());
        assert!(decode(&[4u8; 32], &c, Some("u1"), None).is_err());
        let mut t = c.clone().into_bytes();
        t[3] ^= 1;
        assert!(decode(&k, &String::from_utf8_lossy(&t), Some("u1"), None).is_err());
        assert!(decode(&k, "garbage", None, None).is_err());
    }
}
