//! Shared test support: the storage conformance suite (one set of cases, any backend) and
//! helpers to drive the functions through their HTTP surface.

pub mod conformance;
pub mod fixtures;
pub mod harness;
