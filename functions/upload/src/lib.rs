//! The upload function: inline multipart uploads, and direct uploads to the blob store.

mod direct;
mod inline;

pub use direct::complete_from_event;

use filegate_shared::backend::Backend;
use filegate_shared::http::service::{respond, route_for};
use filegate_shared::http::{Request, Response};
use filegate_shared::routes::{Function, Route};

pub async fn handle(backend: &Backend, req: Request) -> Response {
    respond(req, |req| async move {
        match route_for(&req, Function::Upload)? {
            Route::UploadInline => inline::post_file(backend, req).await,
            Route::CreateUpload => direct::create_upload(backend, req).await,
            Route::CompleteUpload { id } => direct::complete_upload(backend, req, &id).await,
            _ => Err(filegate_shared::ApiError::MethodNotAllowed),
        }
    })
    .await
}
