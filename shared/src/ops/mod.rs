//! The operations of the service, written against the storage traits only.

pub mod cursor;
pub mod direct_upload;
pub mod files;
pub mod links;
pub mod sweep;
pub mod upload;
