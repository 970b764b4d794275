//! `POST /v1/files` through the real HTTP surface: every success and error case of API.md.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use async_trait::async_trait;
use filegate_shared::domain::{FileId, FileRecord};
use filegate_shared::store::{FileStore, ListPage, ListQuery, StoreError, StoreResult};
use filegate_tests::harness::{multipart, Part, TestServer};
use sha2::{Digest, Sha256};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

#[tokio::test]
async fn upload_returns_the_file_object_with_unicode_name_hash_and_sniffed_type() {
    let s = TestServer::start().await;
    let res = s
        .upload_as(
            &s.key,
            "Résumé 2026 — final.png",
            PNG,
            &[("user", "abc-123"), ("namespace", "hr")],
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert!(res
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let f = res.json();
    assert_eq!(f["name"], "Résumé 2026 — final.png");
    assert_eq!(f["extension"], "png");
    assert_eq!(f["mime_type"], "image/png");
    assert_eq!(f["size"], PNG.len());
    assert_eq!(f["sha256"], hex::encode(Sha256::digest(PNG)));
    assert_eq!(f["status"], "ready");
    assert_eq!(f["created_by"], "abc-123");
    assert_eq!(f["namespace"], "hr");
    assert!(FileId::parse(f["id"].as_str().unwrap()).is_some());
    assert!(f["created_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn user_may_come_from_the_query_or_the_form() {
    let s = TestServer::start().await;
    let post = |query: &'static str, fields: Vec<(&'static str, &'static str)>| {
        let (ct, body) = multipart(&[Part::file("file", "a.txt", None, b"a")], &fields);
        s.authed("POST", &format!("/v1/files{query}"))
            .header("content-type", &ct)
            .body(body)
            .send()
    };
    let by_query = post("?user=carol&user_email=c%40example.com", vec![]).await;
    assert_eq!(by_query.status, 201, "{}", by_query.text());
    assert_eq!(by_query.json()["created_by"], "carol");
    let by_form = post("", vec![("user", "dave"), ("user_email", "d@example.com")]).await;
    assert_eq!(by_form.status, 201, "{}", by_form.text());
    assert_eq!(by_form.json()["created_by"], "dave");
    assert_eq!(post("?user=dave", vec![("user", "dave")]).await.status, 201);
    post("?user=carol", vec![("user", "dave")])
        .await
        .assert_error(400, "invalid_param");
    post("?bogus=1", vec![])
        .await
        .assert_error(400, "invalid_param");
}

#[tokio::test]
async fn magic_bytes_beat_the_extension_and_the_declared_type() {
    let s = TestServer::start().await;
    let (ct, body) = multipart(
        &[Part::file("file", "notes.txt", Some("text/html"), PNG)],
        &[],
    );
    let res = s
        .authed("POST", "/v1/files")
        .header("content-type", &ct)
        .body(body)
        .send()
        .await;
    assert_eq!(res.json()["mime_type"], "image/png");
    let (ct, body) = multipart(
        &[Part::file(
            "file",
            "data.csv",
            Some("application/x-whatever"),
            b"a,b\n1,2\n",
        )],
        &[],
    );
    let res = s
        .authed("POST", "/v1/files")
        .header("content-type", &ct)
        .body(body)
        .send()
        .await;
    assert_eq!(res.json()["mime_type"], "text/csv");
}

#[tokio::test]
async fn missing_file_part_is_no_file_uploaded() {
    let s = TestServer::start().await;
    let (ct, body) = multipart(&[], &[("user", "u")]);
    s.authed("POST", "/v1/files")
        .header("content-type", &ct)
        .body(body)
        .send()
        .await
        .assert_error(400, "no_file_uploaded");
}

#[tokio::test]
async fn two_file_parts_are_too_many_files() {
    let s = TestServer::start().await;
    let (ct, body) = multipart(
        &[
            Part::file("file", "a.txt", None, b"a"),
            Part::file("file", "b.txt", None, b"b"),
        ],
        &[],
    );
    s.authed("POST", "/v1/files")
        .header("content-type", &ct)
        .body(body)
        .send()
        .await
        .assert_error(400, "too_many_files");
    assert!(s.blobs().await.is_empty());
}

#[tokio::test]
async fn malformed_requests_are_invalid_param() {
    let s = TestServer::start().await;
    // Not multipart at all.
    s.authed("POST", "/v1/files")
        .json(serde_json::json!({"file": "x"}))
        .send()
        .await
        .assert_error(400, "invalid_param");
    // An unknown field.
    let (ct, body) = multipart(
        &[Part::file("file", "a.txt", None, b"a")],
        &[("colour", "red")],
    );
    s.authed("POST", "/v1/files")
        .header("content-type", &ct)
        .body(body)
        .send()
        .await
        .assert_error(400, "invalid_param");
    // A file part without a filename.
    let (ct, body) = multipart(
        &[Part {
            name: "file",
            file_name: None,
            content_type: None,
            bytes: b"a",
        }],
        &[],
    );
    s.authed("POST", "/v1/files")
        .header("content-type", &ct)
        .body(body)
        .send()
        .await
        .assert_error(400, "invalid_param");
    // Truncated multipart body.
    let (ct, body) = multipart(&[Part::file("file", "a.txt", None, b"abc")], &[]);
    let cut = body[..body.len() - 20].to_vec();
    s.authed("POST", "/v1/files")
        .header("content-type", &ct)
        .body(cut)
        .send()
        .await
        .assert_error(400, "invalid_param");
    // A user label with a control character.
    let (ct, body) = multipart(
        &[Part::file("file", "a.txt", None, b"a")],
        &[("user", "a\u{7}b")],
    );
    s.authed("POST", "/v1/files")
        .header("content-type", &ct)
        .body(body)
        .send()
        .await
        .assert_error(400, "invalid_param");
    assert!(s.blobs().await.is_empty(), "nothing may be left behind");
}

#[tokio::test]
async fn bad_file_names_are_rejected() {
    let s = TestServer::start().await;
    for name in ["..", ".", "a\\b.txt", "tab\there.txt", &"x".repeat(256)] {
        let res = s.upload_as(&s.key, name, b"data", &[]).await;
        res.assert_error(400, "invalid_param");
    }
    assert!(s.blobs().await.is_empty());
}

#[tokio::test]
async fn over_the_inline_limit_is_file_too_large_pointing_to_direct_uploads() {
    let s = TestServer::start_with(|st| st.inline_upload_limit = 1024).await;
    let res = s.upload_as(&s.key, "big.bin", &[7u8; 1025], &[]).await;
    res.assert_error(413, "file_too_large");
    let msg = res.json()["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("/v1/uploads") && msg.contains("1 KiB"),
        "{msg}"
    );
    // Exactly at the limit is fine.
    assert_eq!(
        s.upload_as(&s.key, "ok.bin", &[7u8; 1024], &[])
            .await
            .status,
        201
    );
    // A body far past the limit is refused from its declared length.
    let res = s
        .upload_as(&s.key, "huge.bin", &vec![1u8; 200 * 1024], &[])
        .await;
    res.assert_error(413, "file_too_large");
    assert_eq!(s.blobs().await.len(), 1, "only the accepted file is stored");
}

#[tokio::test]
async fn extension_rules_give_415() {
    let s =
        TestServer::start_with(|st| st.denied_extensions = vec!["exe".into(), "html".into()]).await;
    s.upload_as(&s.key, "setup.exe", b"MZ\x90\0", &[])
        .await
        .assert_error(415, "unsupported_file_type");
    // The sniffed type counts too: a PE file named .txt is still an exe.
    let pe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00";
    s.upload_as(&s.key, "innocent.txt", pe, &[])
        .await
        .assert_error(415, "unsupported_file_type");
    assert_eq!(
        s.upload_as(&s.key, "fine.txt", b"hello", &[]).await.status,
        201
    );

    let s = TestServer::start_with(|st| st.allowed_extensions = vec!["pdf".into()]).await;
    s.upload_as(&s.key, "a.txt", b"hello", &[])
        .await
        .assert_error(415, "unsupported_file_type");
    s.upload_as(&s.key, "noext", b"hello", &[])
        .await
        .assert_error(415, "unsupported_file_type");
    assert_eq!(
        s.upload_as(&s.key, "a.pdf", b"%PDF-1.4\n", &[])
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn idempotency_key_replays_the_first_result_and_rejects_a_different_body() {
    let s = TestServer::start().await;
    let send = |bytes: &'static [u8], key: &'static str| {
        let (ct, body) = multipart(&[Part::file("file", "a.txt", None, bytes)], &[]);
        s.authed("POST", "/v1/files")
            .header("content-type", &ct)
            .header("idempotency-key", key)
            .body(body)
            .send()
    };
    let first = send(b"one", "retry-1").await;
    assert_eq!(first.status, 201);
    let again = send(b"one", "retry-1").await;
    assert_eq!(again.status, 201);
    assert_eq!(again.json()["id"], first.json()["id"]);
    send(b"two", "retry-1").await.assert_error(409, "conflict");
    assert_eq!(s.blobs().await.len(), 1, "the replay stored nothing new");
    let other = send(b"one", "retry-2").await;
    assert_ne!(other.json()["id"], first.json()["id"]);
    send(b"x", "bad key with spaces")
        .await
        .assert_error(400, "invalid_param");
}

/// A metadata store whose writes fail: the upload must not leave its bytes behind.
struct FailingWrites(Arc<dyn FileStore>);

#[async_trait]
impl FileStore for FailingWrites {
    async fn create_file(&self, _f: &FileRecord) -> StoreResult<()> {
        Err(StoreError::Other("injected: metadata write failed".into()))
    }
    async fn get_file(&self, t: &str, id: &FileId) -> StoreResult<Option<FileRecord>> {
        self.0.get_file(t, id).await
    }
    async fn update_file(&self, f: &FileRecord) -> StoreResult<()> {
        self.0.update_file(f).await
    }
    async fn delete_file(&self, t: &str, id: &FileId) -> StoreResult<bool> {
        self.0.delete_file(t, id).await
    }
    async fn list_files(&self, t: &str, q: &ListQuery) -> StoreResult<ListPage> {
        self.0.list_files(t, q).await
    }
}

#[tokio::test]
async fn failed_metadata_write_removes_the_bytes_and_hides_detail() {
    let s = TestServer::start_custom(
        |_| {},
        |b| b.files = Arc::new(FailingWrites(b.files.clone())),
    )
    .await;
    let res = s.upload_as(&s.key, "a.txt", b"precious", &[]).await;
    res.assert_error(500, "internal_error");
    let body = res.text();
    assert!(
        !body.contains("injected"),
        "5xx must not leak detail: {body}"
    );
    assert!(res.json()["request_id"]
        .as_str()
        .is_some_and(|r| Some(r) == res.header("x-request-id")));
    assert!(
        s.blobs().await.is_empty(),
        "bytes left behind: {:?}",
        s.blobs().await
    );
}

#[tokio::test]
async fn unavailable_backend_is_503() {
    struct Down;
    #[async_trait]
    impl FileStore for Down {
        async fn create_file(&self, _: &FileRecord) -> StoreResult<()> {
            Err(StoreError::Unavailable("throttled".into()))
        }
        async fn get_file(&self, _: &str, _: &FileId) -> StoreResult<Option<FileRecord>> {
            Err(StoreError::Unavailable("throttled".into()))
        }
        async fn update_file(&self, _: &FileRecord) -> StoreResult<()> {
            Err(StoreError::Unavailable("throttled".into()))
        }
        async fn delete_file(&self, _: &str, _: &FileId) -> StoreResult<bool> {
            Err(StoreError::Unavailable("throttled".into()))
        }
        async fn list_files(&self, _: &str, _: &ListQuery) -> StoreResult<ListPage> {
            Err(StoreError::Unavailable("throttled".into()))
        }
    }
    let s = TestServer::start_custom(|_| {}, |b| b.files = Arc::new(Down)).await;
    let res = s.authed("GET", "/v1/files").send().await;
    res.assert_error(503, "service_unavailable");
    assert_eq!(res.header("retry-after"), Some("1"));
    s.upload_as(&s.key, "a.txt", b"x", &[])
        .await
        .assert_error(503, "service_unavailable");
    assert!(s.blobs().await.is_empty());
}
