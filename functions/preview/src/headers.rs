//! The headers every file response carries, in one place, so bytes, HTML previews, 304s and
//! redirects agree on them.

use filegate_shared::domain::content_type::{is_active, with_charset};
use filegate_shared::domain::FileRecord;
use filegate_shared::http::conditional::http_date;
use filegate_shared::http::content_disposition::{content_disposition, Disposition};
use filegate_shared::ApiError;
use http::header::{self, HeaderMap, HeaderValue};

pub const CACHE_CONTROL: &str = "private, max-age=3600";

/// Active types (HTML, SVG, scripts...) are always attachments: they never run in our origin.
pub fn disposition_for(file: &FileRecord, wants_attachment: bool) -> Disposition {
    if wants_attachment || is_active(&file.mime_type) {
        Disposition::Attachment
    } else {
        Disposition::Inline
    }
}

pub fn content_type_of(file: &FileRecord) -> String {
    with_charset(&file.mime_type)
}

pub fn disposition_value(file: &FileRecord, d: Disposition) -> String {
    content_disposition(d, &file.name)
}

/// Bytes are immutable once ready, so the validators describe the bytes: the content hash and
/// the upload time. A rename changes neither.
pub fn etag(file: &FileRecord) -> String {
    file.etag()
}

/// The validator of the `render=html` page: the bytes' ETag with a suffix.
pub fn html_etag(file: &FileRecord) -> String {
    format!("\"{}-html\"", etag(file).trim_matches('"'))
}

pub fn last_modified(file: &FileRecord) -> std::time::SystemTime {
    file.created_at.into()
}

fn value(s: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(s).map_err(ApiError::internal)
}

/// Validators and caching: sent on 200, 206 and 304 alike.
pub fn put_validators(h: &mut HeaderMap, etag: &str, file: &FileRecord) -> Result<(), ApiError> {
    h.insert(header::ETAG, value(etag)?);
    h.insert(
        header::LAST_MODIFIED,
        value(&http_date(last_modified(file)))?,
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    Ok(())
}

/// Type, disposition and the no-sniff/sandbox guards for a response carrying the file's bytes.
pub fn put_representation(
    h: &mut HeaderMap,
    file: &FileRecord,
    d: Disposition,
) -> Result<(), ApiError> {
    h.insert(header::CONTENT_TYPE, value(&content_type_of(file))?);
    h.insert(
        header::CONTENT_DISPOSITION,
        value(&disposition_value(file, d))?,
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(filegate_shared::http::csp::for_media_type(&file.mime_type)),
    );
    Ok(())
}
