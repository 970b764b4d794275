//! Direct uploads (`/v1/uploads`) on the local backend: signed single PUTs and multipart parts
//! honored by `filegate serve`, verification at completion, expiry of abandoned uploads, and
//! proof that no body above the inline limit crosses a function.
#![allow(clippy::unwrap_used)]

use bytes::Bytes;
use filegate_tests::harness::{get_url, send_url, skip_on_aws, TestServer};
use serde_json::json;
use sha2::{Digest, Sha256};

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 256) as u8).collect()
}

fn small_parts(st: &mut filegate_shared::settings::Settings) {
    st.multipart_threshold = 10_000;
    st.multipart_part_size = 4096;
    st.inline_upload_limit = 2048;
    st.inline_response_limit = 2048;
}

async fn put_single(upload: &serde_json::Value, body: Vec<u8>) -> filegate_tests::harness::Res {
    let headers: Vec<(String, String)> = upload["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    send_url(
        "PUT",
        upload["url"].as_str().unwrap(),
        &headers,
        Bytes::from(body),
    )
    .await
}

#[tokio::test]
async fn single_put_upload_completes_verified_and_downloads() {
    let s = TestServer::start_with(small_parts).await;
    let bytes = data(6000);
    let sha = hex::encode(Sha256::digest(&bytes));
    let res = s
        .authed("POST", "/v1/uploads")
        .json(json!({"name": "Résumé.bin", "size": 6000, "sha256": sha, "user": "u1"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let j = res.json();
    assert_eq!(j["file"]["status"], "pending");
    assert_eq!(j["file"]["created_by"], "u1");
    assert_eq!(j["upload"]["method"], "PUT");
    assert!(j["upload"]["expires_at"].is_string());
    let id = j["file"]["id"].as_str().unwrap().to_string();
    // Pending files cannot be previewed or linked yet.
    s.authed("GET", &format!("/v1/files/{id}/preview"))
        .send()
        .await
        .assert_error(409, "conflict");
    let put = put_single(&j["upload"], bytes.clone()).await;
    assert_eq!(put.status, 200, "{}", put.text());
    let done = s
        .authed("POST", &format!("/v1/uploads/{id}/complete"))
        .json(json!({}))
        .send()
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(done.json()["status"], "ready");
    assert_eq!(done.json()["sha256"], sha.as_str());
    // Completing again is idempotent.
    assert_eq!(
        s.authed("POST", &format!("/v1/uploads/{id}/complete"))
            .send()
            .await
            .json()["status"],
        "ready"
    );
    // Big: the preview redirects to the store rather than passing the bytes through.
    let pv = s
        .authed("GET", &format!("/v1/files/{id}/download"))
        .send()
        .await;
    assert_eq!(pv.status, 302);
    let got = get_url(pv.header("location").unwrap(), &[]).await;
    assert_eq!(got.body.as_ref(), &bytes[..]);
}

#[tokio::test]
async fn the_signed_put_pins_length_and_checksum() {
    if skip_on_aws("moto checks no signatures; SeaweedFS covers pinned PUTs in aws_backend.rs") {
        return;
    }
    let s = TestServer::start_with(small_parts).await;
    let bytes = data(5000);
    let sha = hex::encode(Sha256::digest(&bytes));
    let j = s
        .authed("POST", "/v1/uploads")
        .json(json!({"name": "a.bin", "size": 5000, "sha256": sha}))
        .send()
        .await
        .json();
    let up = &j["upload"];
    let url = up["url"].as_str().unwrap();
    // Another length.
    let short = send_url("PUT", url, &[], Bytes::from(bytes[..4000].to_vec())).await;
    assert!(short.status.is_client_error(), "{}", short.status);
    // Right length, wrong bytes.
    let mut wrong = bytes.clone();
    wrong[0] ^= 1;
    assert!(send_url("PUT", url, &[], Bytes::from(wrong))
        .await
        .status
        .is_client_error());
    // Tampered URL.
    let tampered = url.replace("size=5000", "size=4000");
    send_url("PUT", &tampered, &[], Bytes::from(bytes[..4000].to_vec()))
        .await
        .assert_error(403, "file_access_denied");
    assert!(
        s.blobs().await.is_empty(),
        "refused bodies leave nothing behind: {:?}",
        s.blobs().await
    );
    let id = j["file"]["id"].as_str().unwrap();
    s.authed("POST", &format!("/v1/uploads/{id}/complete"))
        .send()
        .await
        .assert_error(400, "invalid_param");
    assert_eq!(put_single(up, bytes).await.status, 200);
    assert_eq!(
        s.authed("POST", &format!("/v1/uploads/{id}/complete"))
            .send()
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn multipart_upload_in_parallel_parts_then_complete() {
    let s = TestServer::start_with(small_parts).await;
    let bytes = data(4096 * 3 + 100);
    let j = s
        .authed("POST", "/v1/uploads")
        .json(json!({"name": "big.bin", "size": bytes.len()}))
        .send()
        .await
        .json();
    let up = &j["upload"];
    assert_eq!(up["part_size"], 4096);
    let parts = up["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 4);
    let id = j["file"]["id"].as_str().unwrap().to_string();
    // Completing without the parts is refused.
    s.authed("POST", &format!("/v1/uploads/{id}/complete"))
        .json(json!({}))
        .send()
        .await
        .assert_error(400, "invalid_param");
    let tasks: Vec<_> = parts
        .iter()
        .map(|p| {
            let n = p["part_number"].as_u64().unwrap() as usize;
            let url = p["url"].as_str().unwrap().to_string();
            let chunk = bytes[(n - 1) * 4096..(n * 4096).min(bytes.len())].to_vec();
            tokio::spawn(async move { (n, send_url("PUT", &url, &[], Bytes::from(chunk)).await) })
        })
        .collect();
    let mut done = Vec::new();
    for t in tasks {
        let (n, res) = t.await.unwrap();
        assert_eq!(res.status, 200);
        done.push(json!({"part_number": n, "etag": res.header("etag").unwrap()}));
    }
    let bad = json!({"parts": [{"part_number": 1, "etag": "\"nope\""}]});
    s.authed("POST", &format!("/v1/uploads/{id}/complete"))
        .json(bad)
        .send()
        .await
        .assert_error(400, "invalid_param");
    let res = s
        .authed("POST", &format!("/v1/uploads/{id}/complete"))
        .json(json!({"parts": done}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["sha256"], hex::encode(Sha256::digest(&bytes)));
    let loc = s
        .authed("GET", &format!("/v1/files/{id}/download"))
        .send()
        .await
        .header("location")
        .unwrap()
        .to_string();
    assert_eq!(get_url(&loc, &[]).await.body.as_ref(), &bytes[..]);
}

#[tokio::test]
async fn create_upload_validates_its_body() {
    let s = TestServer::start_with(|st| {
        small_parts(st);
        st.max_file_size = 1_000_000;
        st.denied_extensions = vec!["exe".into()];
    })
    .await;
    for bad in [
        json!({}),
        json!({"name": "a.bin"}),
        json!({"size": 5}),
        json!({"name": "a/b", "size": 5}),
        json!({"name": "a", "size": 0}),
        json!({"name": "a", "size": 5, "sha256": "XYZ"}),
        json!({"name": "a", "size": 5, "extra": 1}),
    ] {
        s.authed("POST", "/v1/uploads")
            .json(bad)
            .send()
            .await
            .assert_error(400, "invalid_param");
    }
    let res = s
        .authed("POST", "/v1/uploads")
        .json(json!({"name": "a.bin", "size": 1_000_001}))
        .send()
        .await;
    res.assert_error(413, "file_too_large");
    s.authed("POST", "/v1/uploads")
        .json(json!({"name": "a.exe", "size": 5}))
        .send()
        .await
        .assert_error(415, "unsupported_file_type");
    let ro = s.new_key("dev", None, "read").await;
    s.req("POST", "/v1/uploads")
        .key(&ro)
        .json(json!({"name": "a", "size": 5}))
        .send()
        .await
        .assert_error(403, "file_access_denied");
    s.authed("POST", "/v1/uploads/nope/complete")
        .send()
        .await
        .assert_error(400, "invalid_param");
    s.authed(
        "POST",
        "/v1/uploads/0193a6f2-7c1e-7b3a-9c2d-5e8f1a2b3c4d/complete",
    )
    .send()
    .await
    .assert_error(404, "file_not_found");
}

#[tokio::test]
async fn a_sniffed_type_that_is_not_allowed_deletes_the_upload() {
    let s = TestServer::start_with(|st| {
        small_parts(st);
        st.denied_extensions = vec!["exe".into()];
    })
    .await;
    let mut pe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    pe.resize(3000, 0);
    let j = s
        .authed("POST", "/v1/uploads")
        .json(json!({"name": "report.txt", "size": 3000}))
        .send()
        .await
        .json();
    assert_eq!(put_single(&j["upload"], pe).await.status, 200);
    let id = j["file"]["id"].as_str().unwrap();
    s.authed("POST", &format!("/v1/uploads/{id}/complete"))
        .send()
        .await
        .assert_error(415, "unsupported_file_type");
    assert!(s.blobs().await.is_empty());
    s.authed("GET", &format!("/v1/files/{id}"))
        .send()
        .await
        .assert_error(404, "file_not_found");
}

#[tokio::test]
async fn abandoned_uploads_expire_with_their_bytes() {
    if skip_on_aws("the local sweeper; on AWS, DynamoDB TTL and the bucket lifecycle rules do this")
    {
        return;
    }
    let s = TestServer::start_with(small_parts).await;
    let j = s
        .authed("POST", "/v1/uploads")
        .json(json!({"name": "a.bin", "size": 3000}))
        .send()
        .await
        .json();
    assert_eq!(put_single(&j["upload"], data(3000)).await.status, 200);
    let id = j["file"]["id"].as_str().unwrap();
    let m = s
        .authed("POST", "/v1/uploads")
        .json(json!({"name": "b.bin", "size": 20_000}))
        .send()
        .await
        .json();
    let part = &m["upload"]["parts"][0]["url"];
    assert_eq!(
        send_url("PUT", part.as_str().unwrap(), &[], Bytes::from(data(4096)))
            .await
            .status,
        200
    );
    let later = filegate_shared::clock::now()
        + time::Duration::seconds(s.backend.settings.upload_ttl as i64 + 1);
    let local = s.backend.local.clone().unwrap();
    let swept = filegate_shared::ops::sweep::sweep_local(&local, later)
        .await
        .unwrap();
    assert_eq!(swept, 2);
    assert!(s.blobs().await.is_empty());
    assert!(
        std::fs::read_dir(s.data_dir().join("parts"))
            .unwrap()
            .next()
            .is_none(),
        "parts removed"
    );
    s.authed("GET", &format!("/v1/files/{id}"))
        .send()
        .await
        .assert_error(404, "file_not_found");
}

/// The function boundary is `dispatch`: drive a whole big-file flow through it and check that
/// no request or response body crossing it is larger than the inline limits.
#[tokio::test]
async fn no_body_above_the_inline_limit_crosses_a_function() {
    let limit = 8192;
    let s = TestServer::start_with(|st| {
        small_parts(st);
        st.inline_upload_limit = limit as u64;
        st.inline_response_limit = limit as u64;
    })
    .await;
    let big = data(50_000);
    let call = |method: &str, path: &str, body: Vec<u8>, ct: Option<&str>| {
        let mut b = http::Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {}", s.key));
        if let Some(ct) = ct {
            b = b.header("content-type", ct);
        }
        assert!(
            body.len() <= limit,
            "a request body of {} bytes would cross a function",
            body.len()
        );
        let body = if body.is_empty() {
            lambda_http::Body::Empty
        } else {
            lambda_http::Body::Binary(body)
        };
        let req = b.body(body).unwrap();
        let backend = s.backend.clone();
        async move {
            let res = filegate_cli::dispatch::dispatch(&backend, req).await;
            assert!(
                res.body().len() <= limit,
                "a response body of {} bytes crossed a function",
                res.body().len()
            );
            res
        }
    };
    let create = call(
        "POST",
        "/v1/uploads",
        serde_json::to_vec(&json!({"name": "big.bin", "size": big.len()})).unwrap(),
        Some("application/json"),
    )
    .await;
    assert_eq!(create.status(), 201);
    let j: serde_json::Value = serde_json::from_slice(create.body().as_ref()).unwrap();
    let id = j["file"]["id"].as_str().unwrap().to_string();
    let mut parts = Vec::new();
    for p in j["upload"]["parts"].as_array().unwrap() {
        let n = p["part_number"].as_u64().unwrap() as usize;
        let chunk = big[(n - 1) * 4096..(n * 4096).min(big.len())].to_vec();
        let res = send_url("PUT", p["url"].as_str().unwrap(), &[], Bytes::from(chunk)).await;
        parts.push(json!({"part_number": n, "etag": res.header("etag").unwrap()}));
    }
    let done = call(
        "POST",
        &format!("/v1/uploads/{id}/complete"),
        serde_json::to_vec(&json!({"parts": parts})).unwrap(),
        Some("application/json"),
    )
    .await;
    assert_eq!(done.status(), 200);
    for path in [
        format!("/v1/files/{id}/preview"),
        format!("/v1/files/{id}/download"),
        format!("/v1/files/{id}"),
    ] {
        let res = call("GET", &path, Vec::new(), None).await;
        assert!(
            res.status().is_success() || res.status() == 302,
            "{path}: {}",
            res.status()
        );
    }
    let url = call(
        "GET",
        &format!("/v1/files/{id}/download-url"),
        Vec::new(),
        None,
    )
    .await;
    assert_eq!(url.status(), 200);
    // And an inline upload above the limit is refused before it reaches the function.
    s.upload_as(&s.key, "big.bin", &big, &[])
        .await
        .assert_error(413, "file_too_large");
}

/// The yardstick: 50 MiB through `/v1/uploads` as multipart with the default part
/// settings, downloaded back through the redirect with a matching SHA-256.
#[tokio::test]
async fn fifty_mib_goes_up_in_parts_and_comes_back_identical() {
    let s = TestServer::start().await;
    let size = 50 * 1024 * 1024;
    let bytes = data(size);
    let sha = hex::encode(Sha256::digest(&bytes));
    let j = s
        .authed("POST", "/v1/uploads")
        .json(json!({"name": "fifty.bin", "size": size, "sha256": sha}))
        .send()
        .await
        .json();
    let parts = j["upload"]["parts"]
        .as_array()
        .expect("multipart above the 16 MiB threshold");
    let part_size = j["upload"]["part_size"].as_u64().unwrap() as usize;
    assert_eq!(parts.len(), size.div_ceil(part_size));
    let mut done = Vec::new();
    for p in parts {
        let n = p["part_number"].as_u64().unwrap() as usize;
        let chunk = bytes[(n - 1) * part_size..(n * part_size).min(size)].to_vec();
        let res = send_url("PUT", p["url"].as_str().unwrap(), &[], Bytes::from(chunk)).await;
        assert_eq!(res.status, 200, "part {n}: {}", res.text());
        done.push(json!({"part_number": n, "etag": res.header("etag").unwrap()}));
    }
    let id = j["file"]["id"].as_str().unwrap();
    let f = s
        .authed("POST", &format!("/v1/uploads/{id}/complete"))
        .json(json!({"parts": done}))
        .send()
        .await;
    assert_eq!(f.status, 200, "{}", f.text());
    assert_eq!(f.json()["sha256"], sha.as_str());
    let redirect = s
        .authed("GET", &format!("/v1/files/{id}/download"))
        .send()
        .await;
    assert_eq!(redirect.status, 302);
    let got = get_url(redirect.header("location").unwrap(), &[]).await;
    assert_eq!(got.status, 200);
    assert_eq!(hex::encode(Sha256::digest(&got.body)), sha);
}

/// Creates an upload of `body` (which must land above the multipart threshold), PUTs
/// `chunks[n - 1]` on part n's signed URL, and returns the file id with the parts to complete.
async fn put_parts(
    s: &TestServer,
    body: serde_json::Value,
    chunks: &[Vec<u8>],
) -> (String, Vec<serde_json::Value>) {
    let res = s.authed("POST", "/v1/uploads").json(body).send().await;
    assert_eq!(res.status, 201, "{}", res.text());
    let j = res.json();
    let parts = j["upload"]["parts"].as_array().expect("a multipart upload");
    assert_eq!(parts.len(), chunks.len());
    let mut done = Vec::new();
    for (p, chunk) in parts.iter().zip(chunks) {
        let url = p["url"].as_str().unwrap();
        let res = send_url("PUT", url, &[], Bytes::from(chunk.clone())).await;
        assert_eq!(res.status, 200, "{}", res.text());
        done.push(json!({"part_number": p["part_number"], "etag": res.header("etag").unwrap()}));
    }
    (j["file"]["id"].as_str().unwrap().to_string(), done)
}

/// After a refused multipart completion: no bytes anywhere, and no record either (the store's
/// multipart upload was consumed by assembling the object, so a retry must start over).
async fn assert_refused_upload_left_nothing(s: &TestServer, id: &str, parts: &[serde_json::Value]) {
    assert!(s.blobs().await.is_empty(), "{:?}", s.blobs().await);
    s.authed("GET", &format!("/v1/files/{id}"))
        .send()
        .await
        .assert_error(404, "file_not_found");
    s.authed("POST", &format!("/v1/uploads/{id}/complete"))
        .json(json!({ "parts": parts }))
        .send()
        .await
        .assert_error(404, "file_not_found");
    assert!(s.blobs().await.is_empty(), "{:?}", s.blobs().await);
}

/// Parts are not pinned like a single PUT: a part with other bytes of the right length is
/// accepted by the store, and only the checksum at completion catches it.
#[tokio::test]
async fn multipart_bytes_that_miss_the_declared_sha256_are_deleted() {
    let s = TestServer::start_with(small_parts).await;
    let bytes = data(4096 * 3 + 100);
    let sha = hex::encode(Sha256::digest(&bytes));
    let mut chunks: Vec<Vec<u8>> = bytes.chunks(4096).map(<[u8]>::to_vec).collect();
    chunks[1][10] ^= 0xff;
    let (id, parts) = put_parts(
        &s,
        json!({"name": "big.bin", "size": bytes.len(), "sha256": sha}),
        &chunks,
    )
    .await;
    let res = s
        .authed("POST", &format!("/v1/uploads/{id}/complete"))
        .json(json!({ "parts": parts }))
        .send()
        .await;
    res.assert_error(400, "invalid_param");
    assert!(res.json()["message"].as_str().unwrap().contains("SHA-256"));
    assert_refused_upload_left_nothing(&s, &id, &parts).await;
}

/// Parts are not pinned in length either: whatever they add up to is checked against the
/// declared size (no `sha256` declared, so the size check alone stands between).
#[tokio::test]
async fn multipart_parts_that_add_up_to_another_size_are_deleted() {
    let s = TestServer::start_with(small_parts).await;
    let bytes = data(4096 * 3 + 100);
    let exact: Vec<Vec<u8>> = bytes.chunks(4096).map(<[u8]>::to_vec).collect();
    let mut short_last = exact.clone();
    short_last[3].truncate(50);
    let mut long_middle = exact.clone();
    long_middle[1].extend_from_slice(&[1, 2, 3]);
    for (case, chunks, complete_with) in [
        ("the last part is short", short_last, 4),
        ("a middle part is long", long_middle, 4),
        ("the last part is left out", exact, 3),
    ] {
        let (id, mut parts) =
            put_parts(&s, json!({"name": "big.bin", "size": bytes.len()}), &chunks).await;
        parts.truncate(complete_with);
        let res = s
            .authed("POST", &format!("/v1/uploads/{id}/complete"))
            .json(json!({ "parts": parts }))
            .send()
            .await;
        assert_eq!(res.status, 400, "{case}: {}", res.text());
        res.assert_error(400, "invalid_param");
        let msg = res.json()["message"].as_str().unwrap().to_string();
        assert!(
            msg.contains(&format!("{} were declared", bytes.len())),
            "{case}: {msg}"
        );
        assert_refused_upload_left_nothing(&s, &id, &parts).await;
    }
}
