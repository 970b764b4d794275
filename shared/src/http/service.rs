//! The wrapper every function's handler runs in: request id, error envelope, access log.
//! Expected failures become responses here, so no handler has to build an error body itself.

use std::future::Future;
use std::time::Instant;

use http::HeaderValue;

use super::{response, Request, Response};
use crate::routes::{Function, Route, RouteMiss};
use crate::telemetry::{log_request, request_id};
use crate::ApiError;

pub async fn respond<F, Fut>(req: Request, handler: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Result<Response, ApiError>>,
{
    let started = Instant::now();
    let id = request_id(&req);
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let audit = crate::telemetry::audit_identities(&req);
    let mut res = match handler(req).await {
        Ok(res) => res,
        Err(err) => {
            if let Some(detail) = err.internal_detail() {
                tracing::error!(request_id = %id, code = err.code(), detail, "request failed");
            }
            let mut res = response::error(&err, &id);
            if matches!(err, ApiError::MethodNotAllowed) {
                let allow = crate::routes::allowed_methods(&path).join(", ");
                if let Ok(v) = HeaderValue::from_str(&allow) {
                    res.headers_mut().insert(http::header::ALLOW, v);
                }
            }
            res
        }
    };
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    log_request(&method, &path, &audit, &res, &id, started);
    res
}

/// Matches the request against the route table, accepting only `function`'s routes.
pub fn route_for(req: &Request, function: Function) -> Result<Route, ApiError> {
    match crate::routes::match_route(req.method(), req.uri().path()) {
        Ok(r) if r.function() == function => Ok(r),
        Ok(_) | Err(RouteMiss::NotFound) => Err(ApiError::RouteNotFound(format!(
            "{} {}",
            req.method(),
            req.uri().path()
        ))),
        Err(RouteMiss::MethodNotAllowed) => Err(ApiError::MethodNotAllowed),
    }
}
