//! `filegate serve`: a hyper HTTP/1.1 server on loopback that turns each request into the same
//! `lambda_http::Request` API Gateway would deliver, and runs it through `dispatch`.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use filegate_shared::backend::Backend;
use filegate_shared::http::form::too_large;
use filegate_shared::http::response;
use filegate_shared::store::local::BLOB_PREFIX;
use filegate_shared::telemetry::RequestId;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::blob_routes::{self, BoxBody};

/// Multipart framing allowance on top of the inline upload limit.
const FORM_OVERHEAD: u64 = 64 * 1024;

/// Binds `addr` and serves until the task is dropped. Returns the bound address (port 0 works).
pub async fn start(
    backend: Arc<Backend>,
    addr: SocketAddr,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            };
            let backend = backend.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req| {
                    let backend = backend.clone();
                    async move { Ok::<_, std::convert::Infallible>(handle(&backend, req).await) }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc);
                if let Err(e) = conn.await {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
            });
        }
    });
    Ok((bound, task))
}

/// Every minute, remove expired links, idempotency records and abandoned uploads (local only;
/// in AWS, DynamoDB TTL and the bucket's lifecycle rules do this).
pub fn spawn_sweeper(backend: Arc<Backend>) {
    let Some(local) = backend.local.clone() else {
        return;
    };
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            match filegate_shared::ops::sweep::sweep_local(&local, filegate_shared::clock::now())
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(swept = n, "removed abandoned uploads"),
                Err(e) => tracing::warn!(error = %e, "sweep failed"),
            }
        }
    });
}

async fn handle(backend: &Backend, req: http::Request<Incoming>) -> http::Response<BoxBody> {
    let request_id = uuid::Uuid::new_v4().to_string();
    if req.uri().path().starts_with(BLOB_PREFIX) {
        if let Some(local) = &backend.local {
            return blob_routes::handle(local, req, &request_id).await;
        }
    }
    let (mut parts, body) = req.into_parts();
    // Read no more than an inline upload can need; bigger bodies belong on /v1/uploads.
    let limit = backend.settings.inline_upload_limit + FORM_OVERHEAD;
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return to_hyper(response::error(
            &too_large(backend.settings.inline_upload_limit),
            &request_id,
        ));
    }
    let bytes = match Limited::new(body, usize::try_from(limit).unwrap_or(usize::MAX))
        .collect()
        .await
    {
        Ok(c) => c.to_bytes(),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return to_hyper(response::error(
                &too_large(backend.settings.inline_upload_limit),
                &request_id,
            ));
        }
        Err(e) => {
            let err =
                filegate_shared::ApiError::invalid(format!("could not read the request body: {e}"));
            return to_hyper(response::error(&err, &request_id));
        }
    };
    parts.extensions.insert(RequestId(request_id));
    let body = if bytes.is_empty() {
        lambda_http::Body::Empty
    } else {
        lambda_http::Body::Binary(bytes.to_vec())
    };
    let res = crate::dispatch::dispatch(backend, http::Request::from_parts(parts, body)).await;
    to_hyper(res)
}

pub fn to_hyper(res: filegate_shared::http::Response) -> http::Response<BoxBody> {
    let (parts, body) = res.into_parts();
    let bytes = match body {
        lambda_http::Body::Empty => Bytes::new(),
        lambda_http::Body::Text(t) => Bytes::from(t),
        lambda_http::Body::Binary(b) => Bytes::from(b),
        _ => Bytes::new(),
    };
    http::Response::from_parts(
        parts,
        Full::new(bytes).map_err(|never| match never {}).boxed(),
    )
}
