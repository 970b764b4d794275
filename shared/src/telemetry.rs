//! Structured JSON logs, one line per request with its request id, in Lambda and locally.

use std::time::Instant;

use tracing_subscriber::EnvFilter;

use crate::http::{Request, Response};

/// JSON lines on stderr (Lambda sends both streams to CloudWatch); level from `RUST_LOG`.
pub fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_target(false)
        .without_time()
        .with_writer(std::io::stderr)
        .try_init();
}

/// The request id set by the local server (Lambda requests use their context's id).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub fn request_id(req: &Request) -> String {
    use lambda_http::RequestExt;
    if let Some(id) = req.extensions().get::<RequestId>() {
        return id.0.clone();
    }
    if let Some(ctx) = req.lambda_context_ref() {
        return ctx.request_id.clone();
    }
    uuid::Uuid::new_v4().to_string()
}

/// The end-user identities a caller may name for audit (`?user=`, `?user_email=`).
pub fn audit_identities(req: &Request) -> (Option<String>, Option<String>) {
    let pairs = crate::http::query::parse_query(req.uri().query().unwrap_or(""));
    let get = |n: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.chars().filter(|c| !c.is_control()).take(256).collect())
    };
    (get("user"), get("user_email"))
}

/// The access log line, written once per request after the response is built; it carries the
/// audit identities too, so every access is attributable.
pub fn log_request(
    req_method: &http::Method,
    path: &str,
    audit: &(Option<String>, Option<String>),
    res: &Response,
    request_id: &str,
    started: Instant,
) {
    tracing::info!(
        request_id,
        method = %req_method,
        path,
        user = audit.0.as_deref(),
        user_email = audit.1.as_deref(),
        status = res.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
}
