//! `GET /v1/files/{id}` (optionally with fresh links) and `GET /v1/files`.

use filegate_shared::backend::Backend;
use filegate_shared::domain::{FileId, FileRecord, FileStatus, LinkKind, Principal};
use filegate_shared::http::request::Query;
use filegate_shared::http::{response, Request, Response};
use filegate_shared::ops::files::{get_file, list_files, ListRequest};
use filegate_shared::ops::links::{create_link, LinkOptions};
use filegate_shared::ApiError;
use http::StatusCode;

pub async fn get(
    b: &Backend,
    req: &Request,
    who: &Principal,
    id: FileId,
) -> Result<Response, ApiError> {
    let q = Query::from_request(req, &["links", "user"])?;
    let file = get_file(b.files.as_ref(), who, &id).await?;
    let mut body = file.to_json();
    if q.bool("links")?.unwrap_or(false) {
        if file.status == FileStatus::Ready {
            with_links(b, who, &file, &mut body).await?;
        } else {
            // Polling a direct upload with `links=true` gets the File; links exist once it is ready.
            for field in ["download_path", "preview_path", "links_expire_at"] {
                body[field] = serde_json::Value::Null;
            }
        }
    }
    Ok(response::json(StatusCode::OK, &body))
}

/// Adds `download_path`, `preview_path` and `links_expire_at`: fresh links with the default
/// lifetime, as the GraphQL seed's `downloadPath` / `previewPath`.
pub async fn with_links(
    b: &Backend,
    who: &Principal,
    file: &FileRecord,
    body: &mut serde_json::Value,
) -> Result<(), ApiError> {
    let mut expires = None;
    for (kind, field) in [
        (LinkKind::Download, "download_path"),
        (LinkKind::Preview, "preview_path"),
    ] {
        let created = create_link(
            b.links.as_ref(),
            &b.settings,
            who,
            file,
            LinkOptions {
                kind,
                expires_in: None,
                max_uses: None,
            },
        )
        .await?;
        body[field] = serde_json::Value::String(created.path());
        expires = Some(created.record.expires_at);
    }
    if let Some(e) = expires {
        body["links_expire_at"] = serde_json::Value::String(filegate_shared::clock::rfc3339(e));
    }
    Ok(())
}

pub async fn list(b: &Backend, req: &Request, who: &Principal) -> Result<Response, ApiError> {
    let q = Query::from_request(req, &["limit", "cursor", "user", "namespace"])?;
    let limit = q.u64_in("limit", 1, 100)?.unwrap_or(20) as usize;
    let cursor = match q.get("cursor") {
        Some("") => return Err(ApiError::invalid("cursor must not be empty")),
        other => other.map(str::to_string),
    };
    let result = list_files(
        b.files.as_ref(),
        &b.cursor_key,
        who,
        ListRequest {
            limit,
            cursor,
            user: q.label("user")?,
            namespace: q.label("namespace")?,
        },
    )
    .await?;
    let data: Vec<serde_json::Value> = result.files.iter().map(FileRecord::to_json).collect();
    Ok(response::json(
        StatusCode::OK,
        &serde_json::json!({ "data": data, "has_more": result.has_more, "next_cursor": result.next_cursor }),
    ))
}
