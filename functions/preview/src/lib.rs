//! The preview function: `GET|HEAD /v1/files/{id}/preview`, `/download` and `/l/{token}`.

mod headers;
mod html;
mod serve;

use filegate_shared::auth::authenticate;
use filegate_shared::backend::Backend;
use filegate_shared::domain::{FileStatus, LinkKind, Scope};
use filegate_shared::http::request::{parse_file_id, Query};
use filegate_shared::http::service::{respond, route_for};
use filegate_shared::http::{Request, Response};
use filegate_shared::ops::files::visible_file;
use filegate_shared::ops::links::{count_link_use, resolve_link};
use filegate_shared::ops::upload::effective_user;
use filegate_shared::routes::{Function, Route};
use filegate_shared::ApiError;
use http::Method;

pub use serve::{Presentation, ServeMode};

pub async fn handle(backend: &Backend, req: Request) -> Response {
    respond(req, |req| async move {
        match route_for(&req, Function::Preview)? {
            Route::Preview { id } => by_key(backend, &req, &id, false).await,
            Route::Download { id } => by_key(backend, &req, &id, true).await,
            Route::ResolveLink { token } => by_link(backend, &req, &token).await,
            _ => Err(ApiError::MethodNotAllowed),
        }
    })
    .await
}

/// Dify's `GET /files/{id}/preview?as_attachment=&user=`, plus `render=html`.
async fn by_key(
    b: &Backend,
    req: &Request,
    raw_id: &str,
    download: bool,
) -> Result<Response, ApiError> {
    let who = authenticate(req.headers(), b.keys.as_ref()).await?;
    who.require(Scope::Read)?;
    let allowed: &[&str] = if download {
        &["user", "user_email"]
    } else {
        &["as_attachment", "user", "user_email", "render"]
    };
    let q = Query::from_request(req, allowed)?;
    let id = parse_file_id(raw_id)?;
    // A user-bound key may not claim another user, here as on upload and list.
    let user = effective_user(&who, q.label("user")?)?;
    let attachment = download || q.bool("as_attachment")?.unwrap_or(false);
    let render_html = match q.get("render") {
        None | Some("") => false,
        Some("html") => true,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "`render` must be `html`, not `{other}`"
            )))
        }
    };
    let file = visible_file(b.files.as_ref(), &who, &id).await?;
    if file.status != FileStatus::Ready {
        return Err(ApiError::Conflict(
            "The file is not ready yet: complete its upload first.".into(),
        ));
    }
    tracing::info!(audit = "read", tenant = %who.tenant, key_id = %who.key_id, user = ?user, file_id = %id, download, render_html);
    let mode = if render_html {
        ServeMode::RenderHtml { required: true }
    } else {
        ServeMode::Bytes
    };
    let presentation = if attachment {
        Presentation::Attachment
    } else {
        Presentation::Inline
    };
    serve::serve(b, req, &file, mode, presentation, async || Ok(())).await
}

/// `/l/<token>`: holding the token is the permission. A GET that hands out the content counts a
/// use; HEAD, 304, 412 and 416 only check.
async fn by_link(b: &Backend, req: &Request, token: &str) -> Result<Response, ApiError> {
    let now = filegate_shared::clock::now();
    let (link, file) = resolve_link(b.links.as_ref(), b.files.as_ref(), token, now).await?;
    let (mode, presentation) = match link.kind {
        LinkKind::Download => (ServeMode::Bytes, Presentation::Attachment),
        // A preview link shows CSV/TSV, XML and text as the HTML page, anything else inline.
        LinkKind::Preview => (
            ServeMode::RenderHtml { required: false },
            Presentation::Inline,
        ),
    };
    let counts = req.method() == Method::GET;
    let count_use = async || {
        if counts {
            count_link_use(b.links.as_ref(), &link, now).await
        } else {
            Ok(())
        }
    };
    serve::serve(b, req, &file, mode, presentation, count_use).await
}
