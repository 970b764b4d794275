//! `DELETE /v1/files/{id}`, `DELETE /v1/files {ids}` and `DELETE /v1/files?all=true`.

use filegate_shared::backend::Backend;
use filegate_shared::domain::{FileId, Principal};
use filegate_shared::http::request::{json_body, parse_file_id, Query};
use filegate_shared::http::{response, Request, Response};
use filegate_shared::ops::files::{delete_all_batch, delete_file, delete_ids, MAX_BULK};
use filegate_shared::ApiError;
use http::StatusCode;
use serde::Deserialize;

pub async fn one(
    b: &Backend,
    req: &Request,
    who: &Principal,
    id: FileId,
) -> Result<Response, ApiError> {
    Query::from_request(req, &["user"])?;
    delete_file(b.files.as_ref(), b.blobs.as_ref(), who, &id).await?;
    Ok(response::empty(StatusCode::NO_CONTENT))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkBody {
    ids: Option<Vec<String>>,
}

pub async fn many(b: &Backend, req: &Request, who: &Principal) -> Result<Response, ApiError> {
    let q = Query::from_request(req, &["all", "user"])?;
    if q.bool("all")? == Some(true) {
        if !req.body().is_empty() {
            return Err(ApiError::invalid(
                "send either `?all=true` or a body with `ids`, not both",
            ));
        }
        let (deleted_count, has_more) =
            delete_all_batch(b.files.as_ref(), b.blobs.as_ref(), who).await?;
        return Ok(response::json(
            StatusCode::OK,
            &serde_json::json!({ "deleted_count": deleted_count, "has_more": has_more }),
        ));
    }
    let body: BulkBody = json_body(req)?;
    let raw = body
        .ids
        .ok_or_else(|| ApiError::invalid("send `{\"ids\": [...]}` or `?all=true`"))?;
    if raw.is_empty() || raw.len() > MAX_BULK {
        return Err(ApiError::invalid(format!(
            "`ids` must hold 1 to {MAX_BULK} file ids"
        )));
    }
    let mut ids: Vec<FileId> = Vec::with_capacity(raw.len());
    for r in &raw {
        let id = parse_file_id(r)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let result = delete_ids(b.files.as_ref(), b.blobs.as_ref(), who, &ids).await?;
    Ok(response::json(
        StatusCode::OK,
        &serde_json::json!({ "deleted": result.deleted, "not_found": result.not_found }),
    ))
}
