//! `/_blob/<key>?…&sig=…`: the local backend's stand-in for S3 presigned URLs. Bodies stream
//! to and from disk, so big files never sit in memory, and the same Range semantics apply.
//!
//! A signed GET answers like the API's own file responses: the signed Content-Type and
//! Content-Disposition, the file's ETag and Last-Modified (so a validator learned here is the
//! one `/v1/files/{id}/preview` judges too), conditional requests (`If-None-Match` → 304,
//! `If-Range` gating `Range`), `nosniff` and the preview function's sandbox CSP.

use std::io::SeekFrom;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use filegate_shared::backend::LocalParts;
use filegate_shared::domain::file_record::blob_key;
use filegate_shared::domain::{FileId, FileStatus};
use filegate_shared::http::conditional::{
    evaluate_preconditions, http_date, if_range_matches, Precondition, Validators,
};
use filegate_shared::http::range::{evaluate_range, RangeOutcome};
use filegate_shared::store::local::multipart::part_etag;
use filegate_shared::store::local::{BlobGrant, BLOB_PREFIX};
use filegate_shared::store::{FileStore, PutPins, ResponseOverrides};
use filegate_shared::ApiError;
use futures_util::StreamExt;
use http::{header, HeaderValue, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Frame, Incoming};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

pub type BoxBody = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

const CHUNK: usize = 256 * 1024;

/// The API's own `Cache-Control` for file bytes is `private, max-age=3600`; a signed URL is
/// cached no longer than that, nor past its own expiry.
const MAX_AGE: u64 = 3600;

fn error(err: ApiError, request_id: &str) -> http::Response<BoxBody> {
    crate::server::to_hyper(filegate_shared::http::response::error(&err, request_id))
}

pub async fn handle(
    local: &LocalParts,
    req: http::Request<Incoming>,
    request_id: &str,
) -> http::Response<BoxBody> {
    let key = req.uri().path().trim_start_matches(BLOB_PREFIX).to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let now = filegate_shared::clock::now();
    let grant = match local.signer.verify(req.method(), &key, &query, now) {
        Ok(g) => g,
        Err(e) => return error(ApiError::denied(e.to_string()), request_id),
    };
    let result = match grant {
        BlobGrant::Get {
            key,
            overrides,
            expires,
        } => {
            let remaining = u64::try_from(expires.saturating_sub(now.unix_timestamp()));
            get(
                local,
                &req,
                &key,
                overrides,
                remaining.unwrap_or(0).min(MAX_AGE),
            )
            .await
        }
        BlobGrant::Put { key, pins } => put(local, req, &key, &pins).await,
        BlobGrant::Part {
            upload_id,
            part_number,
            ..
        } => put_part(local, req, &upload_id, part_number).await,
    };
    result.unwrap_or_else(|e| error(e, request_id))
}

/// The blob's validators. For a ready file's blob (`<tenant>/<id>`), the file record's own: its
/// bytes are immutable, and the API sends the same ETag and Last-Modified for them. Any other
/// blob gets size and mtime, which a replacement (always a rename of a new file) changes.
async fn validators_of(
    local: &LocalParts,
    key: &str,
    meta: &std::fs::Metadata,
) -> (String, SystemTime) {
    let size = meta.len();
    let record = match key.rsplit_once('/') {
        Some((tenant, id)) => match FileId::parse(id) {
            Some(id) if blob_key(tenant, &id) == key => {
                local.meta.get_file(tenant, &id).await.ok().flatten()
            }
            _ => None,
        },
        None => None,
    };
    if let Some(file) = record.filter(|f| f.status == FileStatus::Ready && f.size == size) {
        return (file.etag(), file.created_at.into());
    }
    let mtime = meta.modified().unwrap_or(UNIX_EPOCH);
    let nanos = mtime.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    (format!("\"{nanos:x}-{size:x}\""), mtime)
}

fn csp_for(overrides: Option<&ResponseOverrides>) -> &'static str {
    filegate_shared::http::csp::for_media_type(overrides.map_or("", |o| o.content_type.as_str()))
}

/// Validators and caching, on 200, 206 and 304 alike.
fn put_validators(h: &mut http::HeaderMap, v: &Validators, max_age: u64) -> Result<(), ApiError> {
    h.insert(
        header::ETAG,
        HeaderValue::from_str(v.etag).map_err(ApiError::internal)?,
    );
    h.insert(
        header::LAST_MODIFIED,
        HeaderValue::from_str(&http_date(v.last_modified)).map_err(ApiError::internal)?,
    );
    let cache = if max_age == 0 {
        HeaderValue::from_static("no-store")
    } else {
        HeaderValue::from_str(&format!("private, max-age={max_age}")).map_err(ApiError::internal)?
    };
    h.insert(header::CACHE_CONTROL, cache);
    Ok(())
}

async fn get(
    local: &LocalParts,
    req: &http::Request<Incoming>,
    key: &str,
    overrides: Option<ResponseOverrides>,
    max_age: u64,
) -> Result<http::Response<BoxBody>, ApiError> {
    let path = local.blobs.blob_path(key).map_err(ApiError::from)?;
    let mut file = tokio::fs::File::open(&path)
        .await
        .map_err(|_| ApiError::FileNotFound)?;
    let meta = file.metadata().await.map_err(ApiError::internal)?;
    let size = meta.len();
    let (etag, last_modified) = validators_of(local, key, &meta).await;
    let validators = Validators {
        etag: &etag,
        last_modified,
    };
    match evaluate_preconditions(req.method(), req.headers(), &validators) {
        Precondition::Proceed => {}
        Precondition::NotModified => {
            let mut res = http::Response::builder().status(StatusCode::NOT_MODIFIED);
            let h = res
                .headers_mut()
                .ok_or_else(|| ApiError::internal("response builder"))?;
            put_validators(h, &validators, max_age)?;
            return res.body(empty_body()).map_err(ApiError::internal);
        }
        Precondition::Failed => return Err(ApiError::PreconditionFailed),
    }
    let range_header = if if_range_matches(req.headers(), &validators) {
        req.headers()
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok())
    } else {
        None // If-Range did not match: the whole, current representation.
    };
    let (status, start, len) = match evaluate_range(range_header, size) {
        RangeOutcome::Full => (StatusCode::OK, 0, size),
        RangeOutcome::Partial(r) => (StatusCode::PARTIAL_CONTENT, r.start, r.len()),
        RangeOutcome::Unsatisfiable => return Err(ApiError::RangeNotSatisfiable { size }),
    };
    let mut res = http::Response::builder().status(status);
    let h = res
        .headers_mut()
        .ok_or_else(|| ApiError::internal("response builder"))?;
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    put_validators(h, &validators, max_age)?;
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp_for(overrides.as_ref())),
    );
    if status == StatusCode::PARTIAL_CONTENT {
        let cr = filegate_shared::http::range::ByteRange {
            start,
            end: start + len - 1,
        }
        .content_range(size);
        h.insert(
            header::CONTENT_RANGE,
            HeaderValue::from_str(&cr).map_err(ApiError::internal)?,
        );
    }
    if let Some(o) = overrides {
        // The signature covered these, and they were built by our header functions.
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(&o.content_type).map_err(ApiError::internal)?,
        );
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&o.content_disposition).map_err(ApiError::internal)?,
        );
    }
    if req.method() == http::Method::HEAD {
        return res.body(empty_body()).map_err(ApiError::internal);
    }
    file.seek(SeekFrom::Start(start))
        .await
        .map_err(ApiError::internal)?;
    let stream = futures_util::stream::unfold((file, len), |(mut file, remaining)| async move {
        if remaining == 0 {
            return None;
        }
        let mut buf = vec![0u8; CHUNK.min(usize::try_from(remaining).unwrap_or(CHUNK))];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((
                    Ok(Frame::data(Bytes::from(buf))),
                    (file, remaining - n as u64),
                ))
            }
            Err(e) => Some((Err(e), (file, 0))),
        }
    });
    res.body(BodyExt::boxed(StreamBody::new(stream)))
        .map_err(ApiError::internal)
}

fn empty_body() -> BoxBody {
    http_body_util::Empty::new()
        .map_err(|never| match never {})
        .boxed()
}

/// Streams the body into `dest_tmp`, refusing more than `max` bytes; returns (size, sha256).
async fn receive(
    body: Incoming,
    dest_tmp: &std::path::Path,
    max: u64,
) -> Result<(u64, [u8; 32]), ApiError> {
    let mut out = tokio::fs::File::create(dest_tmp)
        .await
        .map_err(ApiError::internal)?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::invalid(format!("upload interrupted: {e}")))?;
        size += chunk.len() as u64;
        if size > max {
            return Err(ApiError::invalid(format!(
                "the body is larger than the {max} bytes this URL was signed for"
            )));
        }
        hasher.update(&chunk);
        out.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    out.sync_all().await.map_err(ApiError::internal)?;
    Ok((size, hasher.finalize().into()))
}

async fn put(
    local: &LocalParts,
    req: http::Request<Incoming>,
    key: &str,
    pins: &PutPins,
) -> Result<http::Response<BoxBody>, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n != pins.size) {
        return Err(ApiError::denied(format!(
            "Content-Length must be {} as signed",
            pins.size
        )));
    }
    let tmp = local.blobs.temp_path();
    let received = receive(req.into_body(), &tmp, pins.size).await;
    let verdict = received.and_then(|(size, sha)| {
        if size != pins.size {
            return Err(ApiError::invalid(format!(
                "received {size} bytes, but {} were signed for",
                pins.size
            )));
        }
        if pins
            .sha256
            .as_deref()
            .is_some_and(|want| want != hex::encode(sha))
        {
            return Err(ApiError::invalid(
                "the body's SHA-256 does not match the signed checksum",
            ));
        }
        Ok(sha)
    });
    let sha = match verdict {
        Ok(sha) => sha,
        Err(e) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e);
        }
    };
    local.blobs.commit(&tmp, key).map_err(ApiError::from)?;
    etag_response(&part_etag(&sha))
}

/// S3 caps a part at 5 GiB.
const MAX_PART: u64 = 5 * 1024 * 1024 * 1024;

async fn put_part(
    local: &LocalParts,
    req: http::Request<Incoming>,
    upload_id: &str,
    part_number: u32,
) -> Result<http::Response<BoxBody>, ApiError> {
    if !(1..=10_000).contains(&part_number) {
        return Err(ApiError::invalid("part numbers run from 1 to 10000"));
    }
    let dir = local.blobs.parts_dir(upload_id).map_err(ApiError::from)?;
    if !dir.exists() {
        return Err(ApiError::FileNotFound);
    }
    let tmp = local.blobs.temp_path();
    let (_, sha) = match receive(req.into_body(), &tmp, MAX_PART).await {
        Ok(r) => r,
        Err(e) => {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e);
        }
    };
    tokio::fs::rename(&tmp, dir.join(part_number.to_string()))
        .await
        .map_err(ApiError::internal)?;
    etag_response(&part_etag(&sha))
}

fn etag_response(etag: &str) -> Result<http::Response<BoxBody>, ApiError> {
    http::Response::builder()
        .status(StatusCode::OK)
        .header(header::ETAG, etag)
        .header(header::ACCESS_CONTROL_EXPOSE_HEADERS, "ETag")
        .body(empty_body())
        .map_err(ApiError::internal)
}
