//! `POST /v1/files/{id}/links` and `DELETE /v1/links/{token}`.

use filegate_shared::backend::Backend;
use filegate_shared::domain::{FileId, LinkKind, Principal, Scope};
use filegate_shared::http::request::{json_body, public_base, Query};
use filegate_shared::http::{response, Request, Response};
use filegate_shared::ops::files::visible_file;
use filegate_shared::ops::links::{create_link, revoke_link, LinkOptions};
use filegate_shared::ApiError;
use http::StatusCode;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    kind: Option<String>,
    expires_in: Option<u64>,
    max_uses: Option<u32>,
}

pub async fn create(
    b: &Backend,
    req: &Request,
    who: &Principal,
    id: FileId,
) -> Result<Response, ApiError> {
    who.require(Scope::Write)?;
    Query::from_request(req, &["user"])?;
    let body: CreateBody = json_body(req)?;
    let kind = match body.kind.as_deref() {
        Some(k) => LinkKind::parse(k)
            .ok_or_else(|| ApiError::invalid("`kind` must be `download` or `preview`"))?,
        None => {
            return Err(ApiError::invalid(
                "`kind` is required: `download` or `preview`",
            ))
        }
    };
    let file = visible_file(b.files.as_ref(), who, &id).await?;
    let created = create_link(
        b.links.as_ref(),
        &b.settings,
        who,
        &file,
        LinkOptions {
            kind,
            expires_in: body.expires_in,
            max_uses: body.max_uses,
        },
    )
    .await?;
    let path = created.path();
    Ok(response::json(
        StatusCode::CREATED,
        &serde_json::json!({
            "path": path,
            "url": format!("{}{}", public_base(req, &b.settings), path),
            "kind": created.record.kind,
            "expires_at": filegate_shared::clock::rfc3339(created.record.expires_at),
            "max_uses": created.record.max_uses,
        }),
    ))
}

pub async fn revoke(
    b: &Backend,
    req: &Request,
    who: &Principal,
    token: &str,
) -> Result<Response, ApiError> {
    Query::from_request(req, &[])?;
    revoke_link(b.links.as_ref(), b.files.as_ref(), who, token).await?;
    Ok(response::empty(StatusCode::NO_CONTENT))
}
