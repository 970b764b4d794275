//! The presign function: `/l/` links (create, revoke) and direct signed blob-store URLs.

mod download_url;
mod links;

use filegate_shared::auth::authenticate;
use filegate_shared::backend::Backend;
use filegate_shared::http::request::parse_file_id;
use filegate_shared::http::service::{respond, route_for};
use filegate_shared::http::{Request, Response};
use filegate_shared::routes::{Function, Route};
use filegate_shared::ApiError;

pub async fn handle(backend: &Backend, req: Request) -> Response {
    respond(req, |req| async move {
        let route = route_for(&req, Function::Presign)?;
        let who = authenticate(req.headers(), backend.keys.as_ref()).await?;
        match route {
            Route::CreateLink { id } => {
                links::create(backend, &req, &who, parse_file_id(&id)?).await
            }
            Route::RevokeLink { token } => links::revoke(backend, &req, &who, &token).await,
            Route::DownloadUrl { id } => {
                download_url::get(backend, &req, &who, parse_file_id(&id)?).await
            }
            _ => Err(ApiError::MethodNotAllowed),
        }
    })
    .await
}
