//! Records and rules, free of I/O.

pub mod content_type;
pub mod file_id;
pub mod file_name;
pub mod file_record;
pub mod key_record;
pub mod link;
pub mod principal;
pub mod tenant;

pub use file_id::FileId;
pub use file_record::{FileRecord, FileStatus};
pub use key_record::KeyRecord;
pub use link::{LinkKind, LinkRecord, LinkToken};
pub use principal::{Principal, Scope, Scopes};
