//! Direct uploads (`/v1/uploads`): the client PUTs bytes straight to the blob store on signed
//! URLs, so big files never pass through a function.

use aws_lambda_events::event::s3::S3Event;
use filegate_shared::backend::Backend;
use filegate_shared::http::{Request, Response};
use filegate_shared::ApiError;

pub async fn create_upload(_b: &Backend, _req: Request) -> Result<Response, ApiError> {
    Err(ApiError::MethodNotAllowed)
}

pub async fn complete_upload(_b: &Backend, _req: Request, _id: &str) -> Result<Response, ApiError> {
    Err(ApiError::MethodNotAllowed)
}

pub async fn complete_from_event(_b: &Backend, _event: S3Event) {}
