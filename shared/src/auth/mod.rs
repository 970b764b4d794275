//! API keys: format, hashing, extraction from headers, and turning a key into a `Principal`.

pub mod api_key;
pub mod authenticate;

pub use api_key::{ApiKey, NewKey};
pub use authenticate::{authenticate, key_from_headers};
