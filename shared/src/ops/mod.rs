//! The operations of the service, written against the storage traits only.

pub mod cursor;
pub mod files;
pub mod links;
pub mod upload;
