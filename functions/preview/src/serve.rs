//! One file response: conditional requests, then the redirect for big files, then Range, then
//! the bytes (or the HTML rendering). HEAD gets the same headers and no body. `count_use` runs
//! only when content is about to go out (200, 206 or the redirect), never for 304/412/416.

use filegate_shared::backend::Backend;
use filegate_shared::domain::FileRecord;
use filegate_shared::http::conditional::{
    evaluate_preconditions, if_range_matches, Precondition, Validators,
};
use filegate_shared::http::content_disposition::Disposition;
use filegate_shared::http::range::{evaluate_range, RangeOutcome};
use filegate_shared::http::{response, Request, Response};
use filegate_shared::store::{ResponseOverrides, StoreError};
use filegate_shared::ApiError;
use http::header::{self, HeaderValue};
use http::{Method, StatusCode};
use lambda_http::Body;

use crate::headers::{self, put_representation, put_validators};
use crate::html;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presentation {
    Inline,
    Attachment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServeMode {
    Bytes,
    /// `required`: `render=html` asked for it, so a type we cannot render is a 400; a preview
    /// link falls back to the bytes instead.
    RenderHtml {
        required: bool,
    },
}

pub async fn serve(
    b: &Backend,
    req: &Request,
    file: &FileRecord,
    mode: ServeMode,
    p: Presentation,
    count_use: impl AsyncFnOnce() -> Result<(), ApiError>,
) -> Result<Response, ApiError> {
    let html_kind = match mode {
        ServeMode::Bytes => None,
        ServeMode::RenderHtml { required } => match html::kind_of(file) {
            Some(kind) => Some(kind),
            None if required => {
                return Err(ApiError::invalid(
                    "render=html is available for CSV/TSV, XML and plain text files only",
                ));
            }
            None => None,
        },
    };
    // The HTML page is another representation of the same bytes, so it has its own validator;
    // conditional requests are judged against the representation this response would carry.
    let etag = match html_kind {
        Some(_) => headers::html_etag(file),
        None => headers::etag(file),
    };
    let validators = Validators {
        etag: &etag,
        last_modified: headers::last_modified(file),
    };
    match evaluate_preconditions(req.method(), req.headers(), &validators) {
        Precondition::Proceed => {}
        Precondition::NotModified => {
            let mut res = response::empty(StatusCode::NOT_MODIFIED);
            put_validators(res.headers_mut(), &etag, file)?;
            return Ok(res);
        }
        Precondition::Failed => return Err(ApiError::PreconditionFailed),
    }
    if let Some(kind) = html_kind {
        count_use().await?;
        return serve_html(b, req, file, kind, &etag).await;
    }
    let disposition = headers::disposition_for(file, p == Presentation::Attachment);
    if file.size > b.settings.inline_response_limit {
        count_use().await?;
        return redirect_to_store(b, file, disposition).await;
    }
    let range_header = if if_range_matches(req.headers(), &validators) {
        filegate_shared::http::request::header(req, "range")?
    } else {
        None // If-Range did not match: the whole, current representation.
    };
    let (status, range) = match evaluate_range(range_header, file.size) {
        RangeOutcome::Full => (StatusCode::OK, None),
        RangeOutcome::Partial(r) => (StatusCode::PARTIAL_CONTENT, Some(r)),
        RangeOutcome::Unsatisfiable => {
            return Err(ApiError::RangeNotSatisfiable { size: file.size })
        }
    };
    count_use().await?;
    let length = range.map(|r| r.len()).unwrap_or(file.size);
    let body = if req.method() == Method::HEAD || length == 0 {
        Body::Empty
    } else {
        let bytes = b
            .blobs
            .get(&file.blob_key(), range.map(|r| r.start..=r.end))
            .await
            .map_err(|e| match e {
                StoreError::NotFound => ApiError::FileNotFound,
                other => other.into(),
            })?;
        Body::Binary(bytes.to_vec())
    };
    let mut res = http::Response::new(body);
    *res.status_mut() = status;
    let h = res.headers_mut();
    put_validators(h, &etag, file)?;
    put_representation(h, file, disposition)?;
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Some(r) = range {
        h.insert(
            header::CONTENT_RANGE,
            HeaderValue::from_str(&r.content_range(file.size)).map_err(ApiError::internal)?,
        );
    }
    Ok(res)
}

async fn serve_html(
    b: &Backend,
    req: &Request,
    file: &FileRecord,
    kind: filegate_shared::http::render_html::RenderKind,
    etag: &str,
) -> Result<Response, ApiError> {
    let page = html::render(b, file, kind).await?;
    let length = page.len() as u64;
    let body = if req.method() == Method::HEAD {
        Body::Empty
    } else {
        Body::Text(page)
    };
    let mut res = http::Response::new(body);
    let h = res.headers_mut();
    put_validators(h, etag, file)?;
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(html::CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    let disposition = filegate_shared::http::content_disposition::content_disposition(
        Disposition::Inline,
        &format!("{}.html", file.name),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(ApiError::internal)?,
    );
    Ok(res)
}

/// Big bytes never pass through a function: a short-lived signed URL whose response headers
/// the store overrides to ours. Ranges then go straight to the store.
async fn redirect_to_store(
    b: &Backend,
    file: &FileRecord,
    d: Disposition,
) -> Result<Response, ApiError> {
    let overrides = ResponseOverrides {
        content_type: headers::content_type_of(file),
        content_disposition: headers::disposition_value(file, d),
    };
    let ttl = std::time::Duration::from_secs(b.settings.signed_url_ttl);
    let signed = b
        .signer
        .presign_get(&file.blob_key(), ttl, &overrides)
        .await?;
    let mut res = response::empty(StatusCode::FOUND);
    let h = res.headers_mut();
    h.insert(
        header::LOCATION,
        HeaderValue::from_str(&signed.url).map_err(ApiError::internal)?,
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
