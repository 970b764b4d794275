//! Direct uploads (`/v1/uploads`): the client PUTs bytes straight to the blob store on signed
//! URLs, so big files never pass through a function. Single-PUT uploads are also completed by
//! the store's object-created event, so clients may skip the completion call.

use aws_lambda_events::event::s3::S3Event;
use filegate_shared::auth::authenticate;
use filegate_shared::backend::Backend;
use filegate_shared::clock::rfc3339;
use filegate_shared::domain::{FileId, Principal, Scopes};
use filegate_shared::http::request::{json_body, parse_file_id, Query};
use filegate_shared::http::{response, Request, Response};
use filegate_shared::ops::direct_upload::{
    complete_upload as complete_op, create_upload as create_op, CompleteUpload, CreateUpload,
    UploadPlan,
};
use filegate_shared::store::SignedRequest;
use filegate_shared::ApiError;
use http::StatusCode;
use serde_json::{json, Value};

fn headers_json(s: &SignedRequest) -> Value {
    Value::Object(
        s.headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

pub async fn create_upload(b: &Backend, req: Request) -> Result<Response, ApiError> {
    let who = authenticate(req.headers(), b.keys.as_ref()).await?;
    Query::from_request(&req, &[])?;
    let body: CreateUpload = json_body(&req)?;
    let (file, plan) = create_op(
        b.files.as_ref(),
        b.signer.as_ref(),
        b.multipart.as_ref(),
        &b.settings,
        &who,
        body,
    )
    .await?;
    let upload = match plan {
        UploadPlan::Single(s) => json!({
            "method": s.method,
            "url": s.url,
            "headers": headers_json(&s),
            "expires_at": rfc3339(s.expires_at),
        }),
        UploadPlan::Parts {
            parts,
            part_size,
            expires_at,
        } => json!({
            "parts": parts.iter().map(|(n, s)| json!({"part_number": n, "url": s.url})).collect::<Vec<_>>(),
            "part_size": part_size,
            "expires_at": rfc3339(expires_at),
        }),
    };
    Ok(response::json(
        StatusCode::CREATED,
        &json!({ "file": file.to_json(), "upload": upload }),
    ))
}

pub async fn complete_upload(
    b: &Backend,
    req: Request,
    raw_id: &str,
) -> Result<Response, ApiError> {
    let who = authenticate(req.headers(), b.keys.as_ref()).await?;
    Query::from_request(&req, &[])?;
    let id = parse_file_id(raw_id)?;
    let body: CompleteUpload = json_body(&req)?;
    let file = complete_op(
        b.files.as_ref(),
        b.blobs.as_ref(),
        b.multipart.as_ref(),
        &b.settings,
        &who,
        &id,
        body,
    )
    .await?;
    Ok(response::json(StatusCode::OK, &file.to_json()))
}

/// Object-created events: complete single-PUT uploads whose object arrived. Keys we did not
/// mint (`<tenant>/<uuid>`), multipart uploads (the client completes those) and files already
/// ready are skipped; failures are logged, and the pending record's TTL cleans up.
pub async fn complete_from_event(b: &Backend, event: S3Event) {
    for record in event.records {
        let Some(key) = record.s3.object.key.as_deref() else {
            continue;
        };
        let Some((tenant, id)) = key.split_once('/') else {
            continue;
        };
        let (Some(id), true) = (
            FileId::parse(id),
            filegate_shared::domain::tenant::valid_tenant(tenant),
        ) else {
            tracing::warn!(key, "object-created event for a key filegate did not mint");
            continue;
        };
        let system = Principal {
            key_id: "s3-event".into(),
            tenant: tenant.into(),
            user: None,
            scopes: Scopes::ALL,
        };
        match b.files.get_file(tenant, &id).await {
            Ok(Some(f)) if f.upload_id.is_none() => {}
            Ok(_) => continue,
            Err(e) => {
                tracing::error!(key, error = %e, "could not read the file record for an upload event");
                continue;
            }
        }
        match complete_op(
            b.files.as_ref(),
            b.blobs.as_ref(),
            b.multipart.as_ref(),
            &b.settings,
            &system,
            &id,
            CompleteUpload::default(),
        )
        .await
        {
            Ok(f) => tracing::info!(file_id = %f.id, "upload completed by object-created event"),
            Err(e) => {
                tracing::warn!(key, code = e.code(), error = %e, "upload event could not complete the file")
            }
        }
    }
}
