//! `multipart/form-data` for `POST /v1/files`: exactly one `file` part, plus optional `user`,
//! `user_email` and `namespace`. Anything else is a clear 400, and nothing is buffered past the limit.

use bytes::Bytes;

use crate::settings::human_size;
use crate::ApiError;

#[derive(Debug)]
pub struct FilePart {
    pub file_name: String,
    pub declared_type: Option<String>,
    pub bytes: Bytes,
}

#[derive(Debug, Default)]
pub struct UploadForm {
    pub file: Option<FilePart>,
    pub user: Option<String>,
    /// Audit only: logged, never stored.
    pub user_email: Option<String>,
    pub namespace: Option<String>,
}

const TEXT_FIELD_LIMIT: u64 = 1024;

pub fn too_large(limit: u64) -> ApiError {
    ApiError::FileTooLarge(format!(
        "The file exceeds the inline upload limit of {}. Upload it directly instead: POST /v1/uploads returns a signed URL for files up to the maximum size.",
        human_size(limit)
    ))
}

pub async fn parse_upload_form(
    content_type: Option<&str>,
    body: Bytes,
    file_limit: u64,
) -> Result<UploadForm, ApiError> {
    let ct = content_type
        .ok_or_else(|| ApiError::invalid("Content-Type must be multipart/form-data"))?;
    let boundary = multer::parse_boundary(ct).map_err(|_| {
        ApiError::invalid("Content-Type must be multipart/form-data with a boundary")
    })?;
    let constraints = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .for_field("file", file_limit)
            .for_field("user", TEXT_FIELD_LIMIT)
            .for_field("user_email", TEXT_FIELD_LIMIT)
            .for_field("namespace", TEXT_FIELD_LIMIT),
    );
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut mp = multer::Multipart::with_constraints(stream, boundary, constraints);
    let mut form = UploadForm::default();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(form_error(e, file_limit)),
        };
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" => {
                if form.file.is_some() {
                    return Err(ApiError::TooManyFiles);
                }
                let file_name = field.file_name().map(str::to_string).ok_or_else(|| {
                    ApiError::invalid("the `file` part needs a filename in its Content-Disposition")
                })?;
                let declared_type = field.content_type().map(|m| m.essence_str().to_string());
                let bytes = field.bytes().await.map_err(|e| form_error(e, file_limit))?;
                form.file = Some(FilePart {
                    file_name,
                    declared_type,
                    bytes,
                });
            }
            "user" | "user_email" | "namespace" => {
                let text = field.text().await.map_err(|e| form_error(e, file_limit))?;
                if !crate::domain::tenant::valid_label(&text) {
                    return Err(ApiError::invalid(format!(
                        "`{name}` must be 1..256 bytes without control characters"
                    )));
                }
                let slot = match name.as_str() {
                    "user" => &mut form.user,
                    "user_email" => &mut form.user_email,
                    _ => &mut form.namespace,
                };
                if slot.replace(text).is_some() {
                    return Err(ApiError::invalid(format!("`{name}` given more than once")));
                }
            }
            "" => return Err(ApiError::invalid("a multipart part has no name")),
            other => {
                return Err(ApiError::invalid(format!(
                    "unknown form field `{other}` (expected file, user, user_email, namespace)"
                )))
            }
        }
    }
    Ok(form)
}

fn form_error(e: multer::Error, file_limit: u64) -> ApiError {
    match e {
        multer::Error::FieldSizeExceeded { field_name, .. }
            if field_name.as_deref() == Some("file") =>
        {
            too_large(file_limit)
        }
        multer::Error::FieldSizeExceeded { field_name, .. } => ApiError::invalid(format!(
            "form field `{}` is too long",
            field_name.unwrap_or_default()
        )),
        other => ApiError::invalid(format!("malformed multipart body: {other}")),
    }
}
