//! HTTP: the error envelope and JSON responses, request parsing, and pure header functions
//! (Range, conditional requests, Content-Disposition) tested case by case.

pub mod conditional;
pub mod content_disposition;
pub mod csp;
pub mod form;
pub mod query;
pub mod range;
pub mod render_html;
pub mod request;
pub mod response;
pub mod service;

/// The request and response types of every handler, Lambda and local alike.
pub type Request = lambda_http::Request;
pub type Response = http::Response<lambda_http::Body>;
