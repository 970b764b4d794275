//! The one error type every route returns, and its mapping to status, code and message.
//!
//! Every expected failure becomes an `Ok(response)` carrying this envelope; 5xx bodies never
//! carry internal detail (that goes to the log, keyed by the request id).

use http::StatusCode;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    InvalidParam(String),
    #[error("No file was uploaded: send exactly one multipart part named `file`.")]
    NoFileUploaded,
    #[error("Only one file may be uploaded per request: send exactly one part named `file`.")]
    TooManyFiles,
    #[error("A valid API key is required (Authorization: Bearer <key> or X-API-Key: <key>).")]
    Unauthorized,
    #[error("{0}")]
    AccessDenied(String),
    #[error("The file could not be found.")]
    FileNotFound,
    #[error("The associated file could not be found. It may have been removed.")]
    LinkedFileNotFound,
    #[error("The link path has expired. Please request a new link and try again.")]
    LinkExpired,
    #[error("{0}")]
    Conflict(String),
    #[error("The If-Match precondition failed: the file has changed.")]
    PreconditionFailed,
    #[error("{0}")]
    FileTooLarge(String),
    #[error("{0}")]
    UnsupportedFileType(String),
    #[error("The requested range is not satisfiable for a file of {size} bytes.")]
    RangeNotSatisfiable { size: u64 },
    #[error("Too many requests; retry later.")]
    RateLimited,
    #[error("No route matches {0}.")]
    RouteNotFound(String),
    #[error("Method not allowed on this route.")]
    MethodNotAllowed,
    /// Internal detail is logged, never returned.
    #[error("An internal error occurred.")]
    Internal(String),
    #[error("The storage backend is unavailable; retry later.")]
    ServiceUnavailable(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            InvalidParam(_) | NoFileUploaded | TooManyFiles => StatusCode::BAD_REQUEST,
            Unauthorized => StatusCode::UNAUTHORIZED,
            AccessDenied(_) => StatusCode::FORBIDDEN,
            FileNotFound | LinkedFileNotFound | LinkExpired | RouteNotFound(_) => {
                StatusCode::NOT_FOUND
            }
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Conflict(_) => StatusCode::CONFLICT,
            PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            FileTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            UnsupportedFileType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            RangeNotSatisfiable { .. } => StatusCode::RANGE_NOT_SATISFIABLE,
            RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ServiceUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn code(&self) -> &'static str {
        use ApiError::*;
        match self {
            InvalidParam(_) => "invalid_param",
            NoFileUploaded => "no_file_uploaded",
            TooManyFiles => "too_many_files",
            Unauthorized => "unauthorized",
            AccessDenied(_) => "file_access_denied",
            FileNotFound | LinkedFileNotFound => "file_not_found",
            LinkExpired => "link_expired",
            Conflict(_) => "conflict",
            PreconditionFailed => "precondition_failed",
            FileTooLarge(_) => "file_too_large",
            UnsupportedFileType(_) => "unsupported_file_type",
            RangeNotSatisfiable { .. } => "range_not_satisfiable",
            RateLimited => "rate_limited",
            RouteNotFound(_) => "route_not_found",
            MethodNotAllowed => "method_not_allowed",
            Internal(_) => "internal_error",
            ServiceUnavailable(_) => "service_unavailable",
        }
    }

    /// The message the client sees (generic for 5xx).
    pub fn public_message(&self) -> String {
        self.to_string()
    }

    /// Detail worth logging but never returning.
    pub fn internal_detail(&self) -> Option<&str> {
        match self {
            ApiError::Internal(d) | ApiError::ServiceUnavailable(d) => Some(d),
            _ => None,
        }
    }

    pub fn invalid(msg: impl Into<String>) -> Self {
        ApiError::InvalidParam(msg.into())
    }

    pub fn denied(msg: impl Into<String>) -> Self {
        ApiError::AccessDenied(msg.into())
    }

    pub fn internal(detail: impl std::fmt::Display) -> Self {
        ApiError::Internal(detail.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::FileNotFound,
            StoreError::Conflict(m) => ApiError::Conflict(m),
            StoreError::Unavailable(m) => ApiError::ServiceUnavailable(m),
            StoreError::Other(m) => ApiError::Internal(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_hundreds_hide_detail() {
        let e = ApiError::internal("db password is hunter2");
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!e.public_message().contains("hunter2"));
        assert_eq!(e.internal_detail(), Some("db password is hunter2"));
    }

    #[test]
    fn link_messages_are_the_seed_wording() {
        assert_eq!(
            ApiError::LinkExpired.public_message(),
            "The link path has expired. Please request a new link and try again."
        );
        assert_eq!(
            ApiError::LinkedFileNotFound.public_message(),
            "The associated file could not be found. It may have been removed."
        );
        assert_eq!(ApiError::LinkedFileNotFound.code(), "file_not_found");
    }
}
