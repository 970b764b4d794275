//! Structured JSON logs, one line per request with its request id, in Lambda and locally.

use std::time::Instant;

use tracing_subscriber::EnvFilter;

use crate::http::{Request, Response};

/// JSON lines to stderr... stdout in Lambda (CloudWatch reads both); level from `RUST_LOG`.
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

/// The access log line, written once per request after the response is built.
pub fn log_request(
    req_method: &http::Method,
    path: &str,
    res: &Response,
    request_id: &str,
    started: Instant,
) {
    tracing::info!(
        request_id,
        method = %req_method,
        path,
        status = res.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
}
