//! `PATCH /v1/files/{id}` `{name}`.

use filegate_shared::backend::Backend;
use filegate_shared::domain::{FileId, Principal};
use filegate_shared::http::request::{json_body, Query};
use filegate_shared::http::{response, Request, Response};
use filegate_shared::ops::files::rename_file;
use filegate_shared::ApiError;
use http::StatusCode;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RenameBody {
    name: Option<String>,
}

pub async fn rename(
    b: &Backend,
    req: &Request,
    who: &Principal,
    id: FileId,
) -> Result<Response, ApiError> {
    Query::from_request(req, &["user"])?;
    let body: RenameBody = json_body(req)?;
    let name = body
        .name
        .ok_or_else(|| ApiError::invalid("`name` is required"))?;
    let file = rename_file(b.files.as_ref(), &b.settings, who, &id, name).await?;
    Ok(response::json(StatusCode::OK, &file.to_json()))
}
