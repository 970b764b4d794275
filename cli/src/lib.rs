//! The `filegate` command's library: the local server (every function on one port, plus the
//! signed blob URLs of the local backend) and the operator commands.

pub mod blob_routes;
pub mod dispatch;
pub mod keys_cmd;
pub mod server;
pub mod upload_cmd;
