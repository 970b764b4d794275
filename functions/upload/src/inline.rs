//! `POST /v1/files`: one multipart `file` part up to the inline limit.

use filegate_shared::auth::authenticate;
use filegate_shared::backend::Backend;
use filegate_shared::http::form::{parse_upload_form, too_large};
use filegate_shared::http::request::{header, Query};
use filegate_shared::http::{response, Request, Response};
use filegate_shared::ops::upload::{parse_idempotency_key, upload_inline, InlineUpload};
use filegate_shared::ApiError;
use http::StatusCode;

/// Multipart framing around the file part: boundaries, part headers, small text fields.
const FORM_OVERHEAD: u64 = 64 * 1024;

pub async fn post_file(b: &Backend, req: Request) -> Result<Response, ApiError> {
    let who = authenticate(req.headers(), b.keys.as_ref()).await?;
    let limit = b.settings.inline_upload_limit;
    // Refuse early on the declared length, before looking at the body.
    let declared = header(&req, "content-length")?.and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit + FORM_OVERHEAD)
        || req.body().len() as u64 > limit + FORM_OVERHEAD
    {
        return Err(too_large(limit));
    }
    // `user` and `user_email` may come in the query (as on every route) or in the form.
    let query = Query::from_request(&req, &["user", "user_email"])?;
    let idempotency_key = parse_idempotency_key(header(&req, "idempotency-key")?)?;
    let content_type = header(&req, "content-type")?.map(str::to_string);
    let body = bytes::Bytes::copy_from_slice(req.body().as_ref());
    let form = parse_upload_form(content_type.as_deref(), body, limit).await?;
    let user = one_of(query.label("user")?, form.user, "user")?;
    let user_email = one_of(query.label("user_email")?, form.user_email, "user_email")?;
    let file = form.file.ok_or(ApiError::NoFileUploaded)?;
    tracing::info!(audit = "upload_request", user = ?user, user_email = ?user_email);
    let record = upload_inline(
        b.files.as_ref(),
        b.blobs.as_ref(),
        b.idempotency.as_ref(),
        &b.settings,
        &who,
        InlineUpload {
            file_name: file.file_name,
            declared_type: file.declared_type,
            bytes: file.bytes,
            user,
            namespace: form.namespace,
        },
        idempotency_key.as_deref(),
    )
    .await?;
    Ok(response::json(StatusCode::CREATED, &record.to_json()))
}

/// A value given in both the query and the form must agree; either place alone is fine.
fn one_of(
    from_query: Option<String>,
    from_form: Option<String>,
    name: &str,
) -> Result<Option<String>, ApiError> {
    match (from_query, from_form) {
        (Some(q), Some(f)) if q != f => Err(ApiError::invalid(format!(
            "`{name}` differs between the query and the form"
        ))),
        (q, f) => Ok(q.or(f)),
    }
}
