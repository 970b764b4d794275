//! Short-lived links (`/l/<token>`), `?links=true` and `/download-url` through the real HTTP
//! surface: kinds, bounds, single use under concurrency, expiry, revocation, deleted files.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use filegate_tests::harness::{aws_mode, get_url, TestServer};
use serde_json::json;

const EXPIRED: &str = "The link path has expired. Please request a new link and try again.";
const GONE: &str = "The associated file could not be found. It may have been removed.";

async fn make_link(s: &TestServer, id: &str, body: serde_json::Value) -> serde_json::Value {
    let res = s
        .authed("POST", &format!("/v1/files/{id}/links"))
        .json(body)
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()
}

#[tokio::test]
async fn create_link_returns_path_url_kind_expiry() {
    let s = TestServer::start().await;
    let id = s.upload("a.txt", b"hello").await;
    let before = filegate_shared::clock::now();
    let l = make_link(&s, &id, json!({"kind": "download"})).await;
    let path = l["path"].as_str().unwrap();
    let token = path.strip_prefix("/l/").unwrap();
    assert!(token.len() >= 22, "at least 128 bits: {token}");
    assert_eq!(l["url"], format!("http://{}{path}", s.addr));
    assert_eq!(l["kind"], "download");
    assert!(l["max_uses"].is_null());
    let exp = filegate_shared::clock::parse_rfc3339(l["expires_at"].as_str().unwrap()).unwrap();
    let secs = (exp - before).whole_seconds();
    assert!(
        (599..=601).contains(&secs),
        "default 10 minutes, got {secs}s"
    );
    if aws_mode().is_some() {
        return; // the token-not-stored check reads the local SQLite file
    }
    // Only a hash of the token is stored.
    let db = std::fs::read(s.data_dir().join("filegate.db")).unwrap();
    let wal = std::fs::read(s.data_dir().join("filegate.db-wal")).unwrap_or_default();
    let needle = token.as_bytes();
    assert!(
        !db.windows(needle.len()).any(|w| w == needle)
            && !wal.windows(needle.len()).any(|w| w == needle)
    );
}

#[tokio::test]
async fn create_link_validates_its_body() {
    let s = TestServer::start().await;
    let id = s.upload("a.txt", b"hello").await;
    let path = format!("/v1/files/{id}/links");
    for bad in [
        json!({}),
        json!({"kind": "stream"}),
        json!({"kind": "download", "expires_in": 0}),
        json!({"kind": "download", "expires_in": 604801}),
        json!({"kind": "download", "max_uses": 0}),
        json!({"kind": "download", "max_uses": -1}),
        json!({"kind": "download", "colour": "red"}),
    ] {
        s.authed("POST", &path)
            .json(bad.clone())
            .send()
            .await
            .assert_error(400, "invalid_param");
    }
    assert_eq!(
        s.authed("POST", &path)
            .json(json!({"kind": "preview", "expires_in": 604800, "max_uses": 3}))
            .send()
            .await
            .status,
        201
    );
    s.authed(
        "POST",
        "/v1/files/0193a6f2-7c1e-7b3a-9c2d-5e8f1a2b3c4d/links",
    )
    .json(json!({"kind": "download"}))
    .send()
    .await
    .assert_error(404, "file_not_found");
    let read_only = s.new_key("dev", None, "read").await;
    s.req("POST", &path)
        .key(&read_only)
        .json(json!({"kind": "download"}))
        .send()
        .await
        .assert_error(403, "file_access_denied");
    let other = s.new_key("acme", None, "").await;
    s.req("POST", &path)
        .key(&other)
        .json(json!({"kind": "download"}))
        .send()
        .await
        .assert_error(404, "file_not_found");
}

#[tokio::test]
async fn download_link_is_an_attachment_and_needs_no_key() {
    let s = TestServer::start().await;
    let id = s.upload("Résumé.pdf", b"%PDF-1.4\nhello").await;
    let l = make_link(&s, &id, json!({"kind": "download"})).await;
    let res = s.req("GET", l["path"].as_str().unwrap()).send().await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body.as_ref(), b"%PDF-1.4\nhello");
    assert_eq!(
        res.header("content-disposition"),
        Some("attachment; filename=\"Resume.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf")
    );
    let ranged = s
        .req("GET", l["path"].as_str().unwrap())
        .header("range", "bytes=0-3")
        .send()
        .await;
    assert_eq!(ranged.status, 206);
    assert_eq!(ranged.body.as_ref(), b"%PDF");
}

#[tokio::test]
async fn preview_link_renders_csv_as_html_and_pdf_inline() {
    let s = TestServer::start().await;
    let csv = s.upload("t.csv", b"a,b\n<script>x</script>,2\n").await;
    let l = make_link(&s, &csv, json!({"kind": "preview"})).await;
    let res = s.req("GET", l["path"].as_str().unwrap()).send().await;
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(res.text().contains("<table") && res.text().contains("&lt;script&gt;x&lt;/script&gt;"));
    let pdf = s.upload("a.pdf", b"%PDF-1.4\n").await;
    let l = make_link(&s, &pdf, json!({"kind": "preview"})).await;
    let res = s.req("GET", l["path"].as_str().unwrap()).send().await;
    assert_eq!(res.header("content-type"), Some("application/pdf"));
    assert!(res
        .header("content-disposition")
        .unwrap()
        .starts_with("inline;"));
    let html = s
        .upload("x.html", b"<html><script>alert(1)</script></html>")
        .await;
    let l = make_link(&s, &html, json!({"kind": "preview"})).await;
    let res = s.req("GET", l["path"].as_str().unwrap()).send().await;
    assert!(
        res.header("content-disposition")
            .unwrap()
            .starts_with("attachment;"),
        "active content never inline"
    );
}

#[tokio::test]
async fn a_one_use_link_succeeds_exactly_once_under_50_concurrent_requests() {
    let s = Arc::new(TestServer::start().await);
    let id = s.upload("a.txt", b"once").await;
    let l = make_link(&s, &id, json!({"kind": "download", "max_uses": 1})).await;
    let path = l["path"].as_str().unwrap().to_string();
    // HEAD checks without spending the use.
    assert_eq!(s.req("HEAD", &path).send().await.status, 200);
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (s, path) = (s.clone(), path.clone());
            tokio::spawn(async move { s.req("GET", &path).send().await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        let res = t.await.unwrap();
        if res.status == 200 {
            ok += 1;
            assert_eq!(res.body.as_ref(), b"once");
        } else {
            res.assert_error(404, "link_expired");
        }
    }
    assert_eq!(ok, 1);
    let res = s.req("GET", &path).send().await;
    assert_eq!(res.json()["message"], EXPIRED);
}

#[tokio::test]
async fn expired_unknown_and_revoked_links_give_the_seed_message() {
    let s = TestServer::start().await;
    let id = s.upload("a.txt", b"x").await;
    let short = make_link(&s, &id, json!({"kind": "download", "expires_in": 1})).await;
    let live = make_link(&s, &id, json!({"kind": "preview"})).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let res = s.req("GET", short["path"].as_str().unwrap()).send().await;
    res.assert_error(404, "link_expired");
    assert_eq!(res.json()["message"], EXPIRED);
    s.req("GET", "/l/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .send()
        .await
        .assert_error(404, "link_expired");
    s.req("GET", "/l/short")
        .send()
        .await
        .assert_error(404, "link_expired");
    // Revocation is immediate.
    let token = live["path"].as_str().unwrap().strip_prefix("/l/").unwrap();
    assert_eq!(
        s.req("GET", live["path"].as_str().unwrap())
            .send()
            .await
            .status,
        200
    );
    let other = s.new_key("acme", None, "").await;
    s.req("DELETE", &format!("/v1/links/{token}"))
        .key(&other)
        .send()
        .await
        .assert_error(404, "link_expired");
    let read_only = s.new_key("dev", None, "read").await;
    s.req("DELETE", &format!("/v1/links/{token}"))
        .key(&read_only)
        .send()
        .await
        .assert_error(403, "file_access_denied");
    let res = s
        .authed("DELETE", &format!("/v1/links/{token}"))
        .send()
        .await;
    assert_eq!(res.status, 204);
    let res = s.req("GET", live["path"].as_str().unwrap()).send().await;
    res.assert_error(404, "link_expired");
    assert_eq!(res.json()["message"], EXPIRED);
    s.authed("DELETE", &format!("/v1/links/{token}"))
        .send()
        .await
        .assert_error(404, "link_expired");
}

#[tokio::test]
async fn a_deleted_files_link_says_the_file_is_gone() {
    let s = TestServer::start().await;
    let id = s.upload("a.txt", b"x").await;
    let l = make_link(&s, &id, json!({"kind": "download"})).await;
    assert_eq!(
        s.authed("DELETE", &format!("/v1/files/{id}"))
            .send()
            .await
            .status,
        204
    );
    let res = s.req("GET", l["path"].as_str().unwrap()).send().await;
    res.assert_error(404, "file_not_found");
    assert_eq!(res.json()["message"], GONE);
}

#[tokio::test]
async fn get_with_links_true_adds_fresh_ten_minute_paths() {
    let s = TestServer::start().await;
    let id = s.upload("a.csv", b"a,b\n1,2\n").await;
    let plain = s
        .authed("GET", &format!("/v1/files/{id}"))
        .send()
        .await
        .json();
    assert!(plain.get("download_path").is_none());
    let read_only = s.new_key("dev", None, "read").await;
    let f = s
        .req("GET", &format!("/v1/files/{id}?links=true"))
        .key(&read_only)
        .send()
        .await
        .json();
    let dl = f["download_path"].as_str().unwrap();
    let pv = f["preview_path"].as_str().unwrap();
    assert!(dl.starts_with("/l/") && pv.starts_with("/l/") && dl != pv);
    let exp =
        filegate_shared::clock::parse_rfc3339(f["links_expire_at"].as_str().unwrap()).unwrap();
    let secs = (exp - filegate_shared::clock::now()).whole_seconds();
    assert!((598..=601).contains(&secs), "{secs}");
    let d = s.req("GET", dl).send().await;
    assert!(d
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment;"));
    let p = s.req("GET", pv).send().await;
    assert_eq!(p.header("content-type"), Some("text/html; charset=utf-8"));
}

#[tokio::test]
async fn download_url_is_a_signed_attachment_url_with_true_expiry() {
    let s = TestServer::start().await;
    let id = s.upload("Résumé.csv", b"a,b\n").await;
    let before = filegate_shared::clock::now();
    let res = s
        .authed(
            "GET",
            &format!("/v1/files/{id}/download-url?expires_in=120&user_email=a@b.c"),
        )
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let j = res.json();
    assert_eq!(j["file_id"], id.as_str());
    assert_eq!(j["file_name"], "Résumé.csv");
    assert_eq!(j["content_type"], "text/csv; charset=utf-8");
    let exp = filegate_shared::clock::parse_rfc3339(j["expires_at"].as_str().unwrap()).unwrap();
    assert!((exp - before).whole_seconds() <= 121 && (exp - before).whole_seconds() >= 119);
    let direct = get_url(j["download_url"].as_str().unwrap(), &[]).await;
    assert_eq!(direct.status, 200);
    assert_eq!(direct.body.as_ref(), b"a,b\n");
    assert_eq!(
        direct.header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    assert!(direct
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment;"));
    for bad in ["expires_in=0", "expires_in=604801", "expires_in=x", "foo=1"] {
        s.authed("GET", &format!("/v1/files/{id}/download-url?{bad}"))
            .send()
            .await
            .assert_error(400, "invalid_param");
    }
    let other = s.new_key("acme", None, "").await;
    s.req("GET", &format!("/v1/files/{id}/download-url"))
        .key(&other)
        .send()
        .await
        .assert_error(404, "file_not_found");
}

#[tokio::test]
async fn a_304_412_or_416_does_not_spend_a_single_use_link() {
    let s = TestServer::start().await;
    let id = s.upload("a.txt", b"hello").await;
    let l = make_link(&s, &id, json!({"kind": "download", "max_uses": 1})).await;
    let url = s.url(l["path"].as_str().unwrap());
    let head = s.req("HEAD", l["path"].as_str().unwrap()).send().await;
    let etag = head.header("etag").unwrap().to_string();
    assert_eq!(get_url(&url, &[("range", "bytes=100-")]).await.status, 416);
    assert_eq!(get_url(&url, &[("if-none-match", &etag)]).await.status, 304);
    assert_eq!(
        get_url(&url, &[("if-match", "\"other\"")]).await.status,
        412
    );
    let first = get_url(&url, &[]).await;
    assert_eq!(first.status, 200, "still unspent: {}", first.text());
    assert_eq!(first.body.as_ref(), b"hello");
    get_url(&url, &[]).await.assert_error(404, "link_expired");
}

#[tokio::test]
async fn links_true_on_a_pending_upload_gives_the_file_with_null_links() {
    let s = TestServer::start().await;
    let up = s
        .authed("POST", "/v1/uploads")
        .json(json!({"name": "big.bin", "size": 10}))
        .send()
        .await;
    assert_eq!(up.status, 201, "{}", up.text());
    let id = up.json()["file"]["id"].as_str().unwrap().to_string();
    let res = s
        .authed("GET", &format!("/v1/files/{id}?links=true"))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let f = res.json();
    assert_eq!(f["status"], "pending");
    assert!(f["download_path"].is_null() && f["preview_path"].is_null());
    assert!(f.as_object().unwrap().contains_key("links_expire_at"));
}
