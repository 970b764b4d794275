//! SDK errors as `StoreError`s: what a client may retry (throttling, 5xx, timeouts, no
//! connection) becomes `Unavailable`; the rest is `Other`. The SDK's standard retry policy has
//! already retried the transient ones by the time we see them.

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::store::StoreError;

/// Error codes that mean "slow down or try later" even when the status is a 4xx.
const TRANSIENT_CODES: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "SlowDown",
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalError",
    "InternalServerError",
    "ServiceUnavailable",
];

/// The service's error code (`ConditionalCheckFailedException`, `NoSuchKey`, ...), if any.
pub(super) fn code<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> Option<&str> {
    e.as_service_error().and_then(ProvideErrorMetadata::code)
}

pub(super) fn status<E>(e: &SdkError<E, HttpResponse>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

pub(super) fn store_err<E>(e: SdkError<E, HttpResponse>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let transient = match &e {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => true,
        SdkError::ServiceError(_) | SdkError::ResponseError(_) => {
            status(&e).is_some_and(|s| s >= 500 || s == 429)
                || code(&e).is_some_and(|c| TRANSIENT_CODES.contains(&c))
        }
        _ => false,
    };
    let message = DisplayErrorContext(&e).to_string();
    if transient {
        StoreError::Unavailable(message)
    } else {
        StoreError::Other(message)
    }
}
