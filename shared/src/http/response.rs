//! Responses: JSON bodies and the error envelope `{"status","code","message"[,"request_id"]}`.

use http::{header, HeaderValue, StatusCode};
use lambda_http::Body;
use serde::Serialize;

use super::Response;
use crate::ApiError;

pub const JSON: &str = "application/json; charset=utf-8";

pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    let mut res = http::Response::new(Body::Binary(body));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

pub fn empty(status: StatusCode) -> Response {
    let mut res = http::Response::new(Body::Empty);
    *res.status_mut() = status;
    res
}

/// The envelope for any error; 5xx bodies carry the request id and nothing internal.
pub fn error(err: &ApiError, request_id: &str) -> Response {
    let status = err.status();
    let mut body = serde_json::json!({
        "status": status.as_u16(),
        "code": err.code(),
        "message": err.public_message(),
    });
    if status.is_server_error() {
        body["request_id"] = serde_json::Value::String(request_id.to_string());
    }
    let mut res = json(status, &body);
    if let ApiError::RangeNotSatisfiable { size } = err {
        if let Ok(v) = HeaderValue::from_str(&super::range::unsatisfied_content_range(*size)) {
            res.headers_mut().insert(header::CONTENT_RANGE, v);
        }
    }
    if status == StatusCode::UNAUTHORIZED {
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if matches!(err, ApiError::RateLimited | ApiError::ServiceUnavailable(_)) {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    res
}

/// Body bytes of a response, for tests and the local server.
pub fn body_of(res: &Response) -> &[u8] {
    res.body().as_ref()
}
