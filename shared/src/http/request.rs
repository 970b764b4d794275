//! Reading what a request says, strictly: unknown query parameters and malformed values are
//! `400 invalid_param`, never a panic.

use serde::de::DeserializeOwned;

use super::query::parse_query;
use super::Request;
use crate::domain::FileId;
use crate::ApiError;

/// Query parameters, checked against the names a route accepts.
pub struct Query(Vec<(String, String)>);

impl Query {
    /// `user` and `user_email` (audit identities, logged by `respond`) are accepted everywhere.
    pub fn from_request(req: &Request, allowed: &[&str]) -> Result<Self, ApiError> {
        let pairs = parse_query(req.uri().query().unwrap_or(""));
        for (k, _) in &pairs {
            if !allowed.contains(&k.as_str()) && k != "user" && k != "user_email" {
                return Err(ApiError::invalid(format!("unknown query parameter `{k}`")));
            }
        }
        let mut seen: Vec<&str> = Vec::new();
        for (k, _) in &pairs {
            if seen.contains(&k.as_str()) {
                return Err(ApiError::invalid(format!(
                    "query parameter `{k}` given more than once"
                )));
            }
            seen.push(k);
        }
        Ok(Query(pairs))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some("true" | "1") => Ok(Some(true)),
            Some("false" | "0") => Ok(Some(false)),
            Some(v) => Err(ApiError::invalid(format!(
                "`{name}` must be true or false, not `{v}`"
            ))),
        }
    }

    pub fn u64_in(&self, name: &str, min: u64, max: u64) -> Result<Option<u64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
                _ => Err(ApiError::invalid(format!(
                    "`{name}` must be an integer from {min} to {max}"
                ))),
            },
        }
    }

    /// Optional end-user label (`user`, `namespace`): bounded, no control characters.
    pub fn label(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if crate::domain::tenant::valid_label(v) => Ok(Some(v.to_string())),
            Some(_) => Err(ApiError::invalid(format!(
                "`{name}` must be 1..256 bytes without control characters"
            ))),
        }
    }
}

pub fn parse_file_id(raw: &str) -> Result<FileId, ApiError> {
    FileId::parse(raw).ok_or_else(|| ApiError::invalid("file id must be a UUID"))
}

pub fn body_bytes(req: &Request) -> &[u8] {
    req.body().as_ref()
}

/// A JSON body into `T`; `T` should use `deny_unknown_fields` so typos are reported.
pub fn json_body<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    let ct = req
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let body = body_bytes(req);
    if !ct.is_empty() && !ct.to_ascii_lowercase().starts_with("application/json") {
        return Err(ApiError::invalid("the body must be application/json"));
    }
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| ApiError::invalid(format!("invalid JSON body: {e}")))
}

/// An optional header as text; a non-UTF-8 value is a client error.
pub fn header<'a>(req: &'a Request, name: &str) -> Result<Option<&'a str>, ApiError> {
    match req.headers().get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(Some)
            .map_err(|_| ApiError::invalid(format!("header `{name}` is not valid text"))),
    }
}

/// Where our own URLs start. A configured `FILEGATE_PUBLIC_URL` wins; behind API Gateway
/// without one, the request's own host (always HTTPS there); locally, the listen address.
pub fn public_base(req: &Request, settings: &crate::settings::Settings) -> String {
    use lambda_http::RequestExt;
    if !settings.public_url_configured && req.request_context_ref().is_some() {
        if let Some(host) = req
            .headers()
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
        {
            if !host.is_empty()
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:".contains(&b))
            {
                return format!("https://{host}");
            }
        }
    }
    settings.public_url.clone()
}
