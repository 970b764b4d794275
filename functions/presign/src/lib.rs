//! The presign function.

use filegate_shared::backend::Backend;
use filegate_shared::http::service::{respond, route_for};
use filegate_shared::http::{Request, Response};
use filegate_shared::routes::Function;
use filegate_shared::ApiError;

pub async fn handle(backend: &Backend, req: Request) -> Response {
    let _ = backend;
    respond(req, |req| async move {
        route_for(&req, Function::Presign)?;
        Err(ApiError::MethodNotAllowed)
    })
    .await
}
