//! One route table, four functions: the local server hands each request to the same handler
//! its Lambda would run.

use filegate_shared::backend::Backend;
use filegate_shared::http::{Request, Response};
use filegate_shared::routes::{match_route, Function};

pub async fn dispatch(backend: &Backend, req: Request) -> Response {
    let function = match_route(req.method(), req.uri().path()).map(|r| r.function());
    match function {
        Ok(Function::Upload) => filegate_upload::handle(backend, req).await,
        Ok(Function::Preview) => filegate_preview::handle(backend, req).await,
        Ok(Function::Presign) => filegate_presign::handle(backend, req).await,
        // Misses go to a function too, so they get the same 404/405 envelope and log line.
        Ok(Function::Metadata) | Err(_) => filegate_metadata::handle(backend, req).await,
    }
}
