//! Drives the service through its real HTTP surface: a `filegate serve` server on a loopback
//! port over a temp data directory, and a small HTTP/1.1 client.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use filegate_shared::backend::Backend;
use filegate_shared::settings::Settings;
use filegate_shared::store::aws;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

pub struct TestServer {
    pub addr: SocketAddr,
    pub backend: Arc<Backend>,
    /// Full key of tenant `dev` with every scope.
    pub key: String,
    _dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts on a free port; `tweak` adjusts settings (limits, extension lists...).
    pub async fn start_with(tweak: impl FnOnce(&mut Settings)) -> Self {
        Self::start_custom(tweak, |_| {}).await
    }

    /// Like `start_with`, and `swap` may replace storage capabilities (fault injection).
    pub async fn start_custom(
        tweak: impl FnOnce(&mut Settings),
        swap: impl FnOnce(&mut Backend),
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let mut settings = Settings::local(dir.path());
        settings.public_url = format!("http://{addr}");
        tweak(&mut settings);
        let mut backend = match aws_mode() {
            Some(moto) => aws_backend(&moto, settings).await,
            None => Backend::local(settings).await.unwrap(),
        };
        swap(&mut backend);
        let backend = Arc::new(backend);
        let key = filegate_cli::keys_cmd::bootstrap_dev_key(backend.keys.as_ref())
            .await
            .unwrap()
            .unwrap();
        let (addr, task) = filegate_cli::server::start(backend.clone(), addr)
            .await
            .unwrap();
        TestServer {
            addr,
            backend,
            key,
            _dir: dir,
            task,
        }
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// Every stored blob (files on disk, or objects in the bucket), to prove nothing was left.
    pub async fn blobs(&self) -> Vec<String> {
        match aws_mode() {
            Some(moto) => {
                let s3 = aws::s3_client(
                    &aws::static_config(&moto, "us-east-1", "testing", "testing"),
                    true,
                );
                let listed = s3
                    .list_objects_v2()
                    .bucket(&self.backend.settings.bucket)
                    .send()
                    .await
                    .unwrap();
                listed
                    .contents()
                    .iter()
                    .filter_map(|o| o.key().map(str::to_string))
                    .collect()
            }
            None => self
                .blob_files()
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
        }
    }

    /// Every blob file currently on disk (local backend).
    pub fn blob_files(&self) -> Vec<std::path::PathBuf> {
        fn walk(p: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            if let Ok(rd) = std::fs::read_dir(p) {
                for e in rd.flatten() {
                    let path = e.path();
                    if path.is_dir() {
                        walk(&path, out);
                    } else {
                        out.push(path);
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(&self._dir.path().join("blobs"), &mut out);
        walk(&self._dir.path().join("tmp"), &mut out);
        out
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn new_key(&self, tenant: &str, user: Option<&str>, scopes: &str) -> String {
        filegate_cli::keys_cmd::create(
            self.backend.keys.as_ref(),
            tenant,
            user.map(str::to_string),
            scopes,
        )
        .await
        .unwrap()
    }

    pub fn req(&self, method: &str, path: &str) -> Req {
        Req {
            addr: self.addr,
            method: Method::from_bytes(method.as_bytes()).unwrap(),
            path: path.into(),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// A request with the dev key.
    pub fn authed(&self, method: &str, path: &str) -> Req {
        self.req(method, path).key(&self.key)
    }

    /// Uploads `bytes` as `name` with the given key; returns the response.
    pub async fn upload_as(
        &self,
        key: &str,
        name: &str,
        bytes: &[u8],
        fields: &[(&str, &str)],
    ) -> Res {
        let (ct, body) = multipart(&[Part::file("file", name, None, bytes)], fields);
        self.req("POST", "/v1/files")
            .key(key)
            .header("content-type", &ct)
            .body(body)
            .send()
            .await
    }

    /// Uploads with the dev key and returns the file id, asserting success.
    pub async fn upload(&self, name: &str, bytes: &[u8]) -> String {
        let res = self.upload_as(&self.key, name, bytes, &[]).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        res.json()["id"].as_str().unwrap().to_string()
    }
}

/// `FILEGATE_TEST_BACKEND=aws` runs the HTTP suites on DynamoDB + S3 (moto at
/// `FILEGATE_TEST_MOTO_URL`) instead of the local backend.
pub fn aws_mode() -> Option<String> {
    if std::env::var("FILEGATE_TEST_BACKEND").as_deref() != Ok("aws") {
        return None;
    }
    let url = std::env::var("FILEGATE_TEST_MOTO_URL")
        .expect("FILEGATE_TEST_BACKEND=aws needs FILEGATE_TEST_MOTO_URL");
    Some(url.trim_end_matches('/').to_string())
}

/// For a case that exercises something only the local backend has (its own signed-URL
/// server, the sweeper, the SQLite file): says so and returns true on the AWS backend, where
/// the same property is covered by SeaweedFS (signatures) or the store itself (TTL, lifecycle).
pub fn skip_on_aws(what: &str) -> bool {
    if aws_mode().is_some() {
        eprintln!("not on the AWS backend: {what}");
        return true;
    }
    false
}

/// A fresh table and bucket on moto for one test server.
async fn aws_backend(moto: &str, mut settings: Settings) -> Backend {
    let config = aws::static_config(moto, "us-east-1", "testing", "testing");
    let name = format!(
        "fg-{}",
        &filegate_shared::domain::FileId::new()
            .to_string()
            .replace('-', "")[16..]
    );
    aws::create_table(&aws::dynamo_client(&config), &name)
        .await
        .unwrap();
    aws::create_bucket(&aws::s3_client(&config, true), &name)
        .await
        .unwrap();
    settings.backend = filegate_shared::settings::BackendKind::Aws;
    settings.table = name.clone();
    settings.bucket = name;
    settings.s3_force_path_style = true;
    aws::build_backend_with(settings, &config).await.unwrap()
}

pub struct Req {
    addr: SocketAddr,
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Bytes,
}

impl Req {
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }

    pub fn key(self, key: &str) -> Self {
        self.header("authorization", &format!("Bearer {key}"))
    }

    pub fn body(mut self, b: impl Into<Bytes>) -> Self {
        self.body = b.into();
        self
    }

    pub fn json(self, v: serde_json::Value) -> Self {
        self.header("content-type", "application/json")
            .body(serde_json::to_vec(&v).unwrap())
    }

    pub async fn send(self) -> Res {
        send_raw(self.addr, self.method, &self.path, &self.headers, self.body).await
    }
}

pub async fn send_raw(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(String, String)],
    body: Bytes,
) -> Res {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut b = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (k, v) in headers {
        b = b.header(k.as_str(), v.as_str());
    }
    let res = sender
        .send_request(b.body(Full::new(body)).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Res {
        status,
        headers,
        body,
    }
}

/// GET an absolute `http://127.0.0.1:port/...` URL (signed blob URLs, redirects).
pub async fn get_url(url: &str, headers: &[(&str, &str)]) -> Res {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let addr: SocketAddr = host.parse().unwrap();
    let h: Vec<(String, String)> = headers
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    send_raw(addr, Method::GET, &format!("/{path}"), &h, Bytes::new()).await
}

/// Sends `method` to an absolute `http://127.0.0.1:port/...` URL (signed PUTs and parts).
pub async fn send_url(method: &str, url: &str, headers: &[(String, String)], body: Bytes) -> Res {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    send_raw(
        host.parse().unwrap(),
        Method::from_bytes(method.as_bytes()).unwrap(),
        &format!("/{path}"),
        headers,
        body,
    )
    .await
}

#[derive(Debug)]
pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Res {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the error envelope: status, code, and a non-empty message.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text());
        let j = self.json();
        assert_eq!(j["status"], status, "{j}");
        assert_eq!(j["code"], code, "{j}");
        assert!(j["message"].as_str().is_some_and(|m| !m.is_empty()), "{j}");
        assert!(self
            .header("content-type")
            .unwrap_or("")
            .starts_with("application/json"));
    }
}

pub struct Part<'a> {
    pub name: &'a str,
    pub file_name: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub bytes: &'a [u8],
}

impl<'a> Part<'a> {
    pub fn file(
        name: &'a str,
        file_name: &'a str,
        content_type: Option<&'a str>,
        bytes: &'a [u8],
    ) -> Self {
        Part {
            name,
            file_name: Some(file_name),
            content_type,
            bytes,
        }
    }
}

/// Builds a multipart/form-data body; returns (content-type, body).
pub fn multipart(parts: &[Part], fields: &[(&str, &str)]) -> (String, Vec<u8>) {
    let boundary = "----filegate-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for p in parts {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"",
                p.name
            )
            .as_bytes(),
        );
        if let Some(f) = p.file_name {
            body.extend_from_slice(format!("; filename=\"{f}\"").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        if let Some(ct) = p.content_type {
            body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(p.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
