//! `filegate upload FILE...`: inline below the inline limit, direct above it (one signed PUT,
//! or parts in parallel), with a progress bar; prints each File JSON.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use http::{header, Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

type HttpsClient = Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Full<Bytes>,
>;

pub struct UploadArgs {
    pub url: String,
    pub key: String,
    pub inline_limit: u64,
    pub parallel: usize,
    pub user: Option<String>,
    pub namespace: Option<String>,
}

fn client() -> Result<HttpsClient, String> {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|e| format!("cannot load TLS roots: {e}"))?
        .https_or_http()
        .enable_http1()
        .build();
    Ok(Client::builder(hyper_util::rt::TokioExecutor::new()).build(https))
}

struct Reply {
    status: StatusCode,
    etag: Option<String>,
    body: Bytes,
}

async fn send(
    c: &HttpsClient,
    method: Method,
    url: &str,
    headers: &[(String, String)],
    body: Bytes,
) -> Result<Reply, String> {
    let mut b = http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        b = b.header(k.as_str(), v.as_str());
    }
    let req = b
        .body(Full::new(body))
        .map_err(|e| format!("bad request for {url}: {e}"))?;
    let res = c
        .request(req)
        .await
        .map_err(|e| format!("request to {url} failed: {e}"))?;
    let status = res.status();
    let etag = res
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = res
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("reading the reply failed: {e}"))?
        .to_bytes();
    Ok(Reply { status, etag, body })
}

fn expect(reply: Reply, want: StatusCode, what: &str) -> Result<Value, String> {
    if reply.status != want {
        return Err(format!(
            "{what}: {} {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        ));
    }
    if reply.body.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&reply.body).map_err(|e| format!("{what}: bad JSON reply: {e}"))
}

fn bar(len: u64, name: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:30!} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
    ) {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(name.to_string());
    pb
}

pub async fn upload(path: &Path, args: &UploadArgs) -> Result<Value, String> {
    let c = client()?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| format!("{}: not a file name", path.display()))?
        .to_string();
    let size = tokio::fs::metadata(path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    let auth = vec![("authorization".to_string(), format!("Bearer {}", args.key))];
    let pb = bar(size, &name);
    let result = if size <= args.inline_limit {
        inline(&c, path, &name, args, &auth, &pb).await
    } else {
        direct(&c, path, &name, size, args, &auth, &pb).await
    };
    pb.finish_and_clear();
    result
}

async fn inline(
    c: &HttpsClient,
    path: &Path,
    name: &str,
    args: &UploadArgs,
    auth: &[(String, String)],
    pb: &ProgressBar,
) -> Result<Value, String> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let boundary = format!("filegate-{}", uuid::Uuid::new_v4().simple());
    let mut body = Vec::with_capacity(bytes.len() + 512);
    for (field, value) in [("user", &args.user), ("namespace", &args.namespace)] {
        if let Some(v) = value {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{v}\r\n").as_bytes());
        }
    }
    // Quotes and line breaks cannot appear in a quoted filename: percent-encode them as browsers do.
    let safe = name
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{safe}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(&bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut headers = auth.to_vec();
    headers.push((
        "content-type".into(),
        format!("multipart/form-data; boundary={boundary}"),
    ));
    let reply = send(
        c,
        Method::POST,
        &format!("{}/v1/files", args.url),
        &headers,
        Bytes::from(body),
    )
    .await?;
    pb.inc(bytes.len() as u64);
    expect(reply, StatusCode::CREATED, "upload")
}

async fn sha256_of(path: &Path) -> Result<String, String> {
    let mut f = tokio::fs::File::open(path)
        .await
        .map_err(|e| e.to_string())?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1024 * 1024];
    loop {
        let n = f.read(&mut buf).await.map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

async fn read_range(path: &Path, start: u64, len: u64) -> Result<Bytes, String> {
    let mut f = tokio::fs::File::open(path)
        .await
        .map_err(|e| e.to_string())?;
    f.seek(std::io::SeekFrom::Start(start))
        .await
        .map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; usize::try_from(len).map_err(|e| e.to_string())?];
    f.read_exact(&mut buf).await.map_err(|e| e.to_string())?;
    Ok(Bytes::from(buf))
}

async fn direct(
    c: &HttpsClient,
    path: &Path,
    name: &str,
    size: u64,
    args: &UploadArgs,
    auth: &[(String, String)],
    pb: &ProgressBar,
) -> Result<Value, String> {
    let sha = sha256_of(path).await?;
    let mut req = json!({"name": name, "size": size, "sha256": sha});
    if let Some(u) = &args.user {
        req["user"] = json!(u);
    }
    if let Some(n) = &args.namespace {
        req["namespace"] = json!(n);
    }
    let mut headers = auth.to_vec();
    headers.push(("content-type".into(), "application/json".into()));
    let created = expect(
        send(
            c,
            Method::POST,
            &format!("{}/v1/uploads", args.url),
            &headers,
            Bytes::from(req.to_string()),
        )
        .await?,
        StatusCode::CREATED,
        "create upload",
    )?;
    let id = created["file"]["id"]
        .as_str()
        .ok_or("create upload: no file id")?
        .to_string();
    let upload = &created["upload"];
    let complete = if let Some(parts) = upload["parts"].as_array() {
        let part_size = upload["part_size"]
            .as_u64()
            .ok_or("create upload: no part_size")?;
        let jobs: Vec<(u64, String)> = parts
            .iter()
            .filter_map(|p| Some((p["part_number"].as_u64()?, p["url"].as_str()?.to_string())))
            .collect();
        let c = Arc::new(c.clone());
        let done: Vec<Value> = futures_util::stream::iter(jobs)
            .map(|(n, url)| {
                let c = c.clone();
                let pb = pb.clone();
                async move {
                    let start = (n - 1) * part_size;
                    let len = part_size.min(size - start);
                    let bytes = read_range(path, start, len).await?;
                    let reply = send(&c, Method::PUT, &url, &[], bytes).await?;
                    if !reply.status.is_success() {
                        return Err(format!(
                            "part {n}: {} {}",
                            reply.status,
                            String::from_utf8_lossy(&reply.body)
                        ));
                    }
                    pb.inc(len);
                    let etag = reply
                        .etag
                        .ok_or_else(|| format!("part {n}: the store returned no ETag"))?;
                    Ok::<Value, String>(json!({"part_number": n, "etag": etag}))
                }
            })
            .buffer_unordered(args.parallel.max(1))
            .try_collect()
            .await?;
        let mut done = done;
        done.sort_by_key(|p| p["part_number"].as_u64());
        json!({ "parts": done })
    } else {
        let url = upload["url"].as_str().ok_or("create upload: no url")?;
        let signed: Vec<(String, String)> = upload["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let bytes = tokio::fs::read(path).await.map_err(|e| e.to_string())?;
        let reply = send(c, Method::PUT, url, &signed, Bytes::from(bytes)).await?;
        if !reply.status.is_success() {
            return Err(format!(
                "upload PUT: {} {}",
                reply.status,
                String::from_utf8_lossy(&reply.body)
            ));
        }
        pb.inc(size);
        json!({})
    };
    let url = format!("{}/v1/uploads/{id}/complete", args.url);
    expect(
        send(
            c,
            Method::POST,
            &url,
            &headers,
            Bytes::from(complete.to_string()),
        )
        .await?,
        StatusCode::OK,
        "complete upload",
    )
}
