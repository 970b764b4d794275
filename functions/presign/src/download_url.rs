//! `GET /v1/files/{id}/download-url`: Chamelio's shape, a signed blob-store URL that downloads
//! as an attachment under the file's real name, with its true expiry.

use filegate_shared::backend::Backend;
use filegate_shared::domain::content_type::with_charset;
use filegate_shared::domain::{FileId, FileStatus, Principal, Scope};
use filegate_shared::http::content_disposition::{content_disposition, Disposition};
use filegate_shared::http::request::Query;
use filegate_shared::http::{response, Request, Response};
use filegate_shared::ops::files::visible_file;
use filegate_shared::store::ResponseOverrides;
use filegate_shared::ApiError;
use http::StatusCode;

pub async fn get(
    b: &Backend,
    req: &Request,
    who: &Principal,
    id: FileId,
) -> Result<Response, ApiError> {
    who.require(Scope::Read)?;
    let q = Query::from_request(req, &["expires_in", "user_email", "user"])?;
    let ttl = q
        .u64_in("expires_in", 1, b.settings.link_ttl_max)?
        .unwrap_or(b.settings.signed_url_ttl);
    let user_email = q.label("user_email")?;
    let file = visible_file(b.files.as_ref(), who, &id).await?;
    if file.status != FileStatus::Ready {
        return Err(ApiError::Conflict(
            "The file is not ready yet: complete its upload first.".into(),
        ));
    }
    let content_type = with_charset(&file.mime_type);
    let overrides = ResponseOverrides {
        content_type: content_type.clone(),
        content_disposition: content_disposition(Disposition::Attachment, &file.name),
    };
    let signed = b
        .signer
        .presign_get(
            &file.blob_key(),
            std::time::Duration::from_secs(ttl),
            &overrides,
        )
        .await?;
    tracing::info!(audit = "download_url", tenant = %who.tenant, key_id = %who.key_id, user_email = ?user_email, file_id = %id, ttl);
    Ok(response::json(
        StatusCode::OK,
        &serde_json::json!({
            "file_id": file.id.to_string(),
            "file_name": file.name,
            "content_type": content_type,
            "download_url": signed.url,
            "expires_at": filegate_shared::clock::rfc3339(signed.expires_at),
        }),
    ))
}
