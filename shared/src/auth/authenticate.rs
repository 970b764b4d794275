//! Headers → key → `Principal`, against the key store.

use http::HeaderMap;

use super::ApiKey;
use crate::domain::Principal;
use crate::store::KeyStore;
use crate::ApiError;

/// `Authorization: Bearer <key>` or `X-API-Key: <key>`; both present must agree.
pub fn key_from_headers(headers: &HeaderMap) -> Result<ApiKey, ApiError> {
    let bearer = match headers.get(http::header::AUTHORIZATION) {
        None => None,
        Some(v) => {
            let v = v.to_str().map_err(|_| ApiError::Unauthorized)?.trim();
            let (scheme, rest) = v.split_once(' ').ok_or(ApiError::Unauthorized)?;
            if !scheme.eq_ignore_ascii_case("bearer") {
                return Err(ApiError::Unauthorized);
            }
            Some(rest.trim().to_string())
        }
    };
    let x_api_key = match headers.get("x-api-key") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .map_err(|_| ApiError::Unauthorized)?
                .trim()
                .to_string(),
        ),
    };
    let raw = match (bearer, x_api_key) {
        (Some(a), Some(b)) if a != b => return Err(ApiError::Unauthorized),
        (Some(a), _) => a,
        (None, Some(b)) => b,
        (None, None) => return Err(ApiError::Unauthorized),
    };
    ApiKey::parse(&raw).ok_or(ApiError::Unauthorized)
}

pub async fn authenticate(headers: &HeaderMap, keys: &dyn KeyStore) -> Result<Principal, ApiError> {
    let key = key_from_headers(headers)?;
    let record = keys
        .get_key(&key.key_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if record.revoked_at.is_some() || !key.matches(&record) {
        return Err(ApiError::Unauthorized);
    }
    Ok(Principal {
        key_id: record.key_id,
        tenant: record.tenant,
        user: record.user,
        scopes: record.scopes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::NewKey;
    use crate::domain::Scopes;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                http::HeaderName::from_bytes(k.as_bytes()).expect("name"),
                http::HeaderValue::from_str(v).expect("value"),
            );
        }
        h
    }

    #[test]
    fn bearer_and_x_api_key_both_work() {
        let k = NewKey::generate("dev", None, Scopes::ALL);
        let bearer = format!("Bearer {}", k.full);
        assert!(key_from_headers(&headers(&[("authorization", &bearer)])).is_ok());
        assert!(key_from_headers(&headers(&[(
            "authorization",
            &format!("bearer {}", k.full)
        )]))
        .is_ok());
        assert!(key_from_headers(&headers(&[("x-api-key", &k.full)])).is_ok());
    }

    #[test]
    fn missing_conflicting_or_wrong_scheme_is_unauthorized() {
        let k = NewKey::generate("dev", None, Scopes::ALL);
        let o = NewKey::generate("dev", None, Scopes::ALL);
        assert!(key_from_headers(&headers(&[])).is_err());
        assert!(
            key_from_headers(&headers(&[("authorization", &format!("Basic {}", k.full))])).is_err()
        );
        let both = [
            ("authorization", format!("Bearer {}", k.full)),
            ("x-api-key", o.full.clone()),
        ];
        let both: Vec<(&str, &str)> = both.iter().map(|(a, b)| (*a, b.as_str())).collect();
        assert!(key_from_headers(&headers(&both)).is_err());
    }
}
