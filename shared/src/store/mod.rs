//! Storage capabilities as narrow traits (one per capability, as `object_store` and
//! serverless-rust-demo do it), plus the `local` and `aws` adapters behind them.
//! Operations and handlers depend only on these traits, never on an SDK.

#[cfg(feature = "aws")]
pub mod aws;
pub mod local;
mod traits;

pub use traits::*;
