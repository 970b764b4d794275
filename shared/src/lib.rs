//! The crate every filegate function shares: the domain, auth, HTTP/header logic and storage.
//!
//! Layers, inside out: `domain` (records and rules), `store` (narrow capability traits plus the
//! `local` and `aws` adapters), `ops` (the operations, written only against the traits), `auth`,
//! and `http` (envelope, parsing and pure header functions). Function crates glue them together.

pub mod auth;
pub mod backend;
pub mod clock;
pub mod domain;
pub mod error;
pub mod http;
pub mod ops;
pub mod routes;
pub mod settings;
pub mod store;
pub mod telemetry;

pub use error::ApiError;
