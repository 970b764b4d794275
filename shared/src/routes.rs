//! The one route table: Lambda functions, the local server, `template.yaml` and `openapi.yaml`
//! are all checked against it.

use http::Method;

/// Which Lambda function owns a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    Upload,
    Metadata,
    Preview,
    Presign,
}

impl Function {
    pub fn name(self) -> &'static str {
        match self {
            Function::Upload => "upload",
            Function::Metadata => "metadata",
            Function::Preview => "preview",
            Function::Presign => "presign",
        }
    }
}

/// A matched route, with its path parameters still raw (handlers validate them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    UploadInline,
    CreateUpload,
    CompleteUpload { id: String },
    ListFiles,
    DeleteFiles,
    GetFile { id: String },
    RenameFile { id: String },
    DeleteFile { id: String },
    Preview { id: String },
    Download { id: String },
    ResolveLink { token: String },
    CreateLink { id: String },
    RevokeLink { token: String },
    DownloadUrl { id: String },
}

/// (method, path template, function): the table the tests compare with template.yaml/openapi.
pub const ROUTES: &[(&str, &str, Function)] = &[
    ("POST", "/v1/files", Function::Upload),
    ("POST", "/v1/uploads", Function::Upload),
    ("POST", "/v1/uploads/{id}/complete", Function::Upload),
    ("GET", "/v1/files", Function::Metadata),
    ("DELETE", "/v1/files", Function::Metadata),
    ("GET", "/v1/files/{id}", Function::Metadata),
    ("PATCH", "/v1/files/{id}", Function::Metadata),
    ("DELETE", "/v1/files/{id}", Function::Metadata),
    ("GET", "/v1/files/{id}/preview", Function::Preview),
    ("HEAD", "/v1/files/{id}/preview", Function::Preview),
    ("GET", "/v1/files/{id}/download", Function::Preview),
    ("HEAD", "/v1/files/{id}/download", Function::Preview),
    ("GET", "/l/{token}", Function::Preview),
    ("HEAD", "/l/{token}", Function::Preview),
    ("POST", "/v1/files/{id}/links", Function::Presign),
    ("DELETE", "/v1/links/{token}", Function::Presign),
    ("GET", "/v1/files/{id}/download-url", Function::Presign),
];

#[derive(Debug, PartialEq, Eq)]
pub enum RouteMiss {
    NotFound,
    MethodNotAllowed,
}

impl Route {
    pub fn function(&self) -> Function {
        use Route::*;
        match self {
            UploadInline | CreateUpload | CompleteUpload { .. } => Function::Upload,
            ListFiles | DeleteFiles | GetFile { .. } | RenameFile { .. } | DeleteFile { .. } => {
                Function::Metadata
            }
            Preview { .. } | Download { .. } | ResolveLink { .. } => Function::Preview,
            CreateLink { .. } | RevokeLink { .. } | DownloadUrl { .. } => Function::Presign,
        }
    }
}

/// Matches a method and path (a trailing slash is tolerated).
pub fn match_route(method: &Method, path: &str) -> Result<Route, RouteMiss> {
    let trimmed = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let segs: Vec<&str> = trimmed.split('/').skip(1).collect();
    let m = method.as_str();
    let is_get = m == "GET" || m == "HEAD";
    let (route, allowed): (Option<Route>, bool) = match segs.as_slice() {
        ["v1", "files"] => match m {
            "POST" => (Some(Route::UploadInline), true),
            "GET" => (Some(Route::ListFiles), true),
            "DELETE" => (Some(Route::DeleteFiles), true),
            _ => (None, true),
        },
        ["v1", "uploads"] => (matches!(m, "POST").then_some(Route::CreateUpload), true),
        ["v1", "uploads", id, "complete"] => (
            matches!(m, "POST").then(|| Route::CompleteUpload { id: id.to_string() }),
            true,
        ),
        ["v1", "files", id] => {
            let id = id.to_string();
            let r = match m {
                "GET" => Some(Route::GetFile { id }),
                "PATCH" => Some(Route::RenameFile { id }),
                "DELETE" => Some(Route::DeleteFile { id }),
                _ => None,
            };
            (r, true)
        }
        ["v1", "files", id, "preview"] => {
            (is_get.then(|| Route::Preview { id: id.to_string() }), true)
        }
        ["v1", "files", id, "download"] => {
            (is_get.then(|| Route::Download { id: id.to_string() }), true)
        }
        ["v1", "files", id, "links"] => (
            matches!(m, "POST").then(|| Route::CreateLink { id: id.to_string() }),
            true,
        ),
        ["v1", "files", id, "download-url"] => (
            matches!(m, "GET").then(|| Route::DownloadUrl { id: id.to_string() }),
            true,
        ),
        ["v1", "links", token] => (
            matches!(m, "DELETE").then(|| Route::RevokeLink {
                token: token.to_string(),
            }),
            true,
        ),
        ["l", token] => (
            is_get.then(|| Route::ResolveLink {
                token: token.to_string(),
            }),
            true,
        ),
        _ => (None, false),
    };
    match (route, allowed) {
        (Some(r), _) => Ok(r),
        (None, true) => Err(RouteMiss::MethodNotAllowed),
        (None, false) => Err(RouteMiss::NotFound),
    }
}

/// The methods `path` answers to, for the `Allow` header of a 405 (RFC 9110 §15.5.6).
pub fn allowed_methods(path: &str) -> Vec<&'static str> {
    [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PATCH,
        Method::DELETE,
    ]
    .iter()
    .filter(|m| match_route(m, path).is_ok())
    .map(Method::as_str)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9110_15_5_6_405_lists_the_allowed_methods() {
        assert_eq!(allowed_methods("/v1/files"), ["GET", "POST", "DELETE"]);
        assert_eq!(
            allowed_methods("/v1/files/0193a6f2-7c1e-7b3a-9c2d-5e8f1a2b3c4d/preview"),
            ["GET", "HEAD"]
        );
        assert!(allowed_methods("/v2/nothing").is_empty());
    }

    /// Every row of the table matches itself, and routes to the function the table names.
    #[test]
    fn table_and_matcher_agree() {
        for (method, path, function) in ROUTES {
            let concrete = path
                .replace("{id}", "0193a6f2-7c1e-7b3a-9c2d-5e8f1a2b3c4d")
                .replace("{token}", "tok");
            let m = Method::from_bytes(method.as_bytes()).expect("method");
            let route =
                match_route(&m, &concrete).unwrap_or_else(|e| panic!("{method} {path}: {e:?}"));
            assert_eq!(route.function(), *function, "{method} {path}");
        }
    }

    #[test]
    fn misses() {
        assert_eq!(
            match_route(&Method::GET, "/v2/files"),
            Err(RouteMiss::NotFound)
        );
        assert_eq!(
            match_route(&Method::PUT, "/v1/files"),
            Err(RouteMiss::MethodNotAllowed)
        );
        assert_eq!(
            match_route(&Method::POST, "/v1/files/x/preview"),
            Err(RouteMiss::MethodNotAllowed)
        );
        assert!(match_route(&Method::GET, "/v1/files/").is_ok());
    }
}
