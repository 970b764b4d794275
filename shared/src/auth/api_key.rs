//! `fg_<key_id>_<secret>`: the id is public (it names the key in `keys list`), the secret has
//! 256 random bits and is stored only as its SHA-256.

use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::domain::{KeyRecord, Scopes};

const PREFIX: &str = "fg_";
const ID_BYTES: usize = 8;
const SECRET_BYTES: usize = 32;

/// A key as presented by a caller, split but not yet verified.
#[derive(Debug, PartialEq, Eq)]
pub struct ApiKey {
    pub key_id: String,
    secret: String,
}

impl ApiKey {
    /// Strict shape check: anything else is `unauthorized` without a store lookup.
    pub fn parse(raw: &str) -> Option<Self> {
        let rest = raw.strip_prefix(PREFIX)?;
        let (id, secret) = rest.split_once('_')?;
        let hex_of = |s: &str, n: usize| {
            s.len() == n * 2
                && s.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        };
        (hex_of(id, ID_BYTES) && hex_of(secret, SECRET_BYTES)).then(|| ApiKey {
            key_id: id.to_string(),
            secret: secret.to_string(),
        })
    }

    /// Constant-time comparison against the stored hash.
    pub fn matches(&self, record: &KeyRecord) -> bool {
        let presented = hash_secret(&self.secret);
        presented
            .as_bytes()
            .ct_eq(record.secret_hash.as_bytes())
            .into()
    }
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A freshly generated key: the full text (shown once) and the record to store.
pub struct NewKey {
    pub full: String,
    pub record: KeyRecord,
}

impl NewKey {
    pub fn generate(tenant: &str, user: Option<String>, scopes: Scopes) -> Self {
        let mut rng = rand::rng();
        let mut id = [0u8; ID_BYTES];
        let mut secret = [0u8; SECRET_BYTES];
        rng.fill_bytes(&mut id);
        rng.fill_bytes(&mut secret);
        let (id, secret) = (hex::encode(id), hex::encode(secret));
        NewKey {
            full: format!("{PREFIX}{id}_{secret}"),
            record: KeyRecord {
                key_id: id,
                tenant: tenant.to_string(),
                user,
                scopes,
                secret_hash: hash_secret(&secret),
                created_at: crate::clock::now(),
                revoked_at: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_and_match_only_their_record() {
        let k = NewKey::generate("dev", None, Scopes::ALL);
        let other = NewKey::generate("dev", None, Scopes::ALL);
        let parsed = ApiKey::parse(&k.full).expect("parses");
        assert_eq!(parsed.key_id, k.record.key_id);
        assert!(parsed.matches(&k.record));
        assert!(!parsed.matches(&other.record));
        assert!(!k.record.secret_hash.contains(&k.full[20..]));
    }

    #[test]
    fn malformed_keys_are_rejected() {
        for bad in [
            "",
            "fg_",
            "fg_abc_def",
            "sk_0011223344556677_00",
            "fg_0011223344556677",
        ] {
            assert!(ApiKey::parse(bad).is_none(), "{bad}");
        }
        let k = NewKey::generate("dev", None, Scopes::ALL);
        assert!(ApiKey::parse(&k.full.to_uppercase()).is_none());
        assert!(ApiKey::parse(&format!("{}x", k.full)).is_none());
    }
}
