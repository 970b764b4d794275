//! The metadata function: get, list, rename and delete files.

mod delete;
mod read;
mod rename;

use filegate_shared::auth::authenticate;
use filegate_shared::backend::Backend;
use filegate_shared::http::request::parse_file_id;
use filegate_shared::http::service::{respond, route_for};
use filegate_shared::http::{Request, Response};
use filegate_shared::routes::{Function, Route};
use filegate_shared::ApiError;

pub use read::with_links;

pub async fn handle(backend: &Backend, req: Request) -> Response {
    respond(req, |req| async move {
        let route = route_for(&req, Function::Metadata)?;
        let who = authenticate(req.headers(), backend.keys.as_ref()).await?;
        match route {
            Route::GetFile { id } => read::get(backend, &req, &who, parse_file_id(&id)?).await,
            Route::ListFiles => read::list(backend, &req, &who).await,
            Route::RenameFile { id } => {
                rename::rename(backend, &req, &who, parse_file_id(&id)?).await
            }
            Route::DeleteFile { id } => delete::one(backend, &req, &who, parse_file_id(&id)?).await,
            Route::DeleteFiles => delete::many(backend, &req, &who).await,
            _ => Err(ApiError::MethodNotAllowed),
        }
    })
    .await
}
