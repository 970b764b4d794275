//! `GET|HEAD /v1/files/{id}/preview` and `/download` through the real HTTP surface: every
//! header of API.md, RFC 9110 ranges and conditional requests, active content, render=html,
//! and the redirect to a signed blob URL for big files.
#![allow(clippy::unwrap_used)]

use filegate_tests::harness::{aws_mode, get_url, send_url, skip_on_aws, TestServer};

fn body_of(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

async fn server_with(name: &str, bytes: &[u8]) -> (TestServer, String) {
    let s = TestServer::start().await;
    let id = s.upload(name, bytes).await;
    (s, format!("/v1/files/{id}/preview"))
}

#[tokio::test]
async fn preview_sends_every_contract_header() {
    let (s, path) = server_with("Résumé.pdf", b"%PDF-1.4\n1 0 obj\n").await;
    let res = s.authed("GET", &path).send().await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body.as_ref(), b"%PDF-1.4\n1 0 obj\n");
    assert_eq!(res.header("content-type"), Some("application/pdf"));
    assert_eq!(res.header("content-length"), Some("17"));
    assert_eq!(
        res.header("content-disposition"),
        Some("inline; filename=\"Resume.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf")
    );
    assert_eq!(res.header("cache-control"), Some("private, max-age=3600"));
    assert_eq!(res.header("accept-ranges"), Some("bytes"));
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    let etag = res.header("etag").unwrap();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && !etag.starts_with("W/"),
        "strong etag: {etag}"
    );
    assert!(res.header("last-modified").unwrap().ends_with(" GMT"));
    assert!(res.header("content-security-policy").is_some());
}

#[tokio::test]
async fn text_types_carry_a_charset() {
    let (s, path) = server_with("notes.txt", "héllo".as_bytes()).await;
    let res = s.authed("GET", &path).send().await;
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(res
        .header("content-security-policy")
        .unwrap()
        .contains("sandbox"));
}

#[tokio::test]
async fn as_attachment_and_download_force_attachment() {
    let (s, path) = server_with("a.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").await;
    let inline = s.authed("GET", &path).send().await;
    assert!(inline
        .header("content-disposition")
        .unwrap()
        .starts_with("inline;"));
    let att = s
        .authed("GET", &format!("{path}?as_attachment=true"))
        .send()
        .await;
    assert!(att
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment;"));
    let dl = s
        .authed("GET", &path.replace("/preview", "/download"))
        .send()
        .await;
    assert_eq!(dl.status, 200);
    assert!(dl
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment;"));
    s.authed("GET", &format!("{path}?as_attachment=yes"))
        .send()
        .await
        .assert_error(400, "invalid_param");
    s.authed("GET", &format!("{path}?colour=red"))
        .send()
        .await
        .assert_error(400, "invalid_param");
}

#[tokio::test]
async fn names_with_quotes_and_newlines_never_reach_a_header_raw() {
    let s = TestServer::start().await;
    let id = s.upload("plain.txt", b"x").await;
    let renamed = s
        .authed("PATCH", &format!("/v1/files/{id}"))
        .json(serde_json::json!({"name": "a\";b%22 c'.txt"}))
        .send()
        .await;
    assert_eq!(renamed.status, 200);
    let res = s
        .authed("GET", &format!("/v1/files/{id}/download"))
        .send()
        .await;
    let cd = res.header("content-disposition").unwrap();
    assert!(cd.starts_with("attachment; filename=\""), "{cd}");
    let fallback = cd
        .split("filename=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(!fallback.contains(';') && !fallback.contains('%'), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''a%22%3Bb%2522%20c%27.txt"),
        "{cd}"
    );
}

#[tokio::test]
async fn active_content_is_always_an_attachment() {
    let s = TestServer::start().await;
    for (name, bytes) in [
        ("page.html", &b"<html><script>alert(1)</script></html>"[..]),
        (
            "x.svg",
            &b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"[..],
        ),
        (
            "x.xhtml",
            &b"<html xmlns=\"http://www.w3.org/1999/xhtml\"/>"[..],
        ),
        ("app.js", &b"alert(1)"[..]),
    ] {
        let id = s.upload(name, bytes).await;
        let res = s
            .authed("GET", &format!("/v1/files/{id}/preview"))
            .send()
            .await;
        assert_eq!(res.status, 200);
        assert!(
            res.header("content-disposition")
                .unwrap()
                .starts_with("attachment;"),
            "{name}: {:?}",
            res.headers
        );
        assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    }
}

#[tokio::test]
async fn rfc9110_14_2_single_range_is_206_with_content_range() {
    let data = body_of(5000);
    let (s, path) = server_with("data.bin", &data).await;
    let res = s
        .authed("GET", &path)
        .header("range", "bytes=0-99")
        .send()
        .await;
    assert_eq!(res.status, 206);
    assert_eq!(res.body.as_ref(), &data[..100]);
    assert_eq!(res.header("content-length"), Some("100"));
    assert_eq!(res.header("content-range"), Some("bytes 0-99/5000"));
    let suffix = s
        .authed("GET", &path)
        .header("range", "bytes=-10")
        .send()
        .await;
    assert_eq!(suffix.body.as_ref(), &data[4990..]);
    assert_eq!(suffix.header("content-range"), Some("bytes 4990-4999/5000"));
    let open = s
        .authed("GET", &path)
        .header("range", "bytes=4000-")
        .send()
        .await;
    assert_eq!(open.body.len(), 1000);
}

#[tokio::test]
async fn rfc9110_15_5_17_unsatisfiable_range_is_416_with_star_content_range() {
    let (s, path) = server_with("data.bin", &body_of(500)).await;
    let res = s
        .authed("GET", &path)
        .header("range", "bytes=10000000-")
        .send()
        .await;
    res.assert_error(416, "range_not_satisfiable");
    assert_eq!(res.header("content-range"), Some("bytes */500"));
}

#[tokio::test]
async fn rfc9110_14_2_several_ranges_and_bad_syntax_get_the_whole_body() {
    let data = body_of(300);
    let (s, path) = server_with("data.bin", &data).await;
    let multi = s
        .authed("GET", &path)
        .header("range", "bytes=0-9,20-29")
        .send()
        .await;
    assert_eq!(multi.status, 200);
    assert_eq!(multi.body.as_ref(), &data[..]);
    let junk = s
        .authed("GET", &path)
        .header("range", "bytes=abc")
        .send()
        .await;
    assert_eq!(junk.status, 200);
    let unit = s
        .authed("GET", &path)
        .header("range", "items=0-1")
        .send()
        .await;
    assert_eq!(unit.status, 200);
}

/// One response header of a plain authenticated GET (a validator to send back).
async fn header_of(s: &TestServer, path: &str, name: &str) -> String {
    let res = s.authed("GET", path).send().await;
    res.header(name)
        .unwrap_or_else(|| panic!("no {name} on GET {path}"))
        .to_string()
}

#[tokio::test]
async fn rfc9110_13_1_5_if_range_honored() {
    let data = body_of(300);
    let (s, path) = server_with("data.bin", &data).await;
    let etag = header_of(&s, &path, "etag").await;
    let hit = s
        .authed("GET", &path)
        .header("range", "bytes=0-9")
        .header("if-range", &etag)
        .send()
        .await;
    assert_eq!(hit.status, 206);
    let miss = s
        .authed("GET", &path)
        .header("range", "bytes=0-9")
        .header("if-range", "\"other\"")
        .send()
        .await;
    assert_eq!(miss.status, 200);
    assert_eq!(miss.body.len(), 300);
}

#[tokio::test]
async fn rfc9110_8_8_3_the_html_page_has_its_own_etag_and_conditionals_use_it() {
    let (s, path) = server_with("t.csv", b"a,b\n1,2\n").await;
    let raw_etag = header_of(&s, &path, "etag").await;
    let html_path = format!("{path}?render=html");
    let page = s.authed("GET", &html_path).send().await;
    assert_eq!(page.status, 200);
    let page_etag = page.header("etag").unwrap().to_string();
    assert_ne!(
        page_etag, raw_etag,
        "another representation, another validator"
    );
    let revalidated = s
        .authed("GET", &html_path)
        .header("if-none-match", &page_etag)
        .send()
        .await;
    assert_eq!(revalidated.status, 304);
    assert_eq!(revalidated.header("etag"), Some(page_etag.as_str()));
    let status = async |path: &str, name: &str, value: &str| {
        s.authed("GET", path)
            .header(name, value)
            .send()
            .await
            .status
    };
    // The bytes' validator does not validate the page, and the page's does not the bytes.
    assert_eq!(status(&html_path, "if-none-match", &raw_etag).await, 200);
    assert_eq!(status(&path, "if-none-match", &page_etag).await, 200);
    assert_eq!(
        status(&html_path, "if-match", &page_etag).await,
        200,
        "If-Match with the page's own ETag"
    );
}

#[tokio::test]
async fn rfc9110_13_1_2_etag_round_trip_gives_304() {
    let (s, path) = server_with("a.txt", b"cache me").await;
    let first = s.authed("GET", &path).send().await;
    let etag = first.header("etag").unwrap().to_string();
    let again = s
        .authed("GET", &path)
        .header("if-none-match", &etag)
        .send()
        .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_eq!(again.header("cache-control"), Some("private, max-age=3600"));
    let weak = s
        .authed("GET", &path)
        .header("if-none-match", &format!("W/{etag}"))
        .send()
        .await;
    assert_eq!(weak.status, 304, "If-None-Match uses the weak comparison");
    let other = s
        .authed("GET", &path)
        .header("if-none-match", "\"nope\"")
        .send()
        .await;
    assert_eq!(other.status, 200);
}

#[tokio::test]
async fn rfc9110_13_1_3_if_modified_since_gives_304() {
    let (s, path) = server_with("a.txt", b"cache me").await;
    let lm = header_of(&s, &path, "last-modified").await;
    assert_eq!(
        s.authed("GET", &path)
            .header("if-modified-since", &lm)
            .send()
            .await
            .status,
        304
    );
    let old = "Sat, 01 Jan 2000 00:00:00 GMT";
    assert_eq!(
        s.authed("GET", &path)
            .header("if-modified-since", old)
            .send()
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn rfc9110_13_1_1_if_match_mismatch_is_412() {
    let (s, path) = server_with("a.txt", b"x").await;
    let etag = header_of(&s, &path, "etag").await;
    s.authed("GET", &path)
        .header("if-match", "\"stale\"")
        .send()
        .await
        .assert_error(412, "precondition_failed");
    assert_eq!(
        s.authed("GET", &path)
            .header("if-match", &etag)
            .send()
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn head_has_the_same_headers_and_no_body() {
    let (s, path) = server_with("a.csv", b"a,b\n1,2\n").await;
    let get = s.authed("GET", &path).send().await;
    let head = s.authed("HEAD", &path).send().await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    for h in [
        "content-type",
        "content-length",
        "content-disposition",
        "etag",
        "last-modified",
        "cache-control",
        "accept-ranges",
    ] {
        assert_eq!(head.header(h), get.header(h), "{h}");
    }
    let ranged = s
        .authed("HEAD", &path)
        .header("range", "bytes=0-1")
        .send()
        .await;
    assert_eq!(ranged.status, 206);
    assert_eq!(ranged.header("content-length"), Some("2"));
}

#[tokio::test]
async fn render_html_shows_csv_as_an_escaped_table_without_scripts() {
    let (s, path) = server_with(
        "evil.csv",
        b"name,note\n<script>alert(1)</script>,\"a, \"\"quoted\"\" cell\"\n",
    )
    .await;
    let res = s.authed("GET", &format!("{path}?render=html")).send().await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    let csp = res.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'none'") || csp.contains("default-src 'none'"),
        "{csp}"
    );
    let html = res.text();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<table"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.to_lowercase().contains("<script"));
    assert!(html.contains("a, &quot;quoted&quot; cell"));
    assert!(html.contains("<title>evil.csv</title>"));
}

#[tokio::test]
async fn render_html_for_xml_and_text_and_refused_for_others() {
    let s = TestServer::start().await;
    let xml = s
        .upload(
            "a.xml",
            b"<?xml version=\"1.0\"?><root><item id=\"1\">&amp; <b>x</b></item></root>",
        )
        .await;
    let res = s
        .authed("GET", &format!("/v1/files/{xml}/preview?render=html"))
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert!(res.text().contains("item"));
    let txt = s.upload("a.txt", b"if x < y && z > 1 then").await;
    let res = s
        .authed("GET", &format!("/v1/files/{txt}/preview?render=html"))
        .send()
        .await;
    assert!(res.text().contains("<pre") && res.text().contains("x &lt; y &amp;&amp; z &gt; 1"));
    let pdf = s.upload("a.pdf", b"%PDF-1.4\n").await;
    s.authed("GET", &format!("/v1/files/{pdf}/preview?render=html"))
        .send()
        .await
        .assert_error(400, "invalid_param");
    s.authed("GET", &format!("/v1/files/{txt}/preview?render=pdf"))
        .send()
        .await
        .assert_error(400, "invalid_param");
}

#[tokio::test]
async fn render_html_is_bounded_with_a_truncated_notice() {
    let s = TestServer::start_with(|st| st.render_max_rows = 10).await;
    let mut csv = String::from("n\n");
    for i in 0..50 {
        csv.push_str(&format!("{i}\n"));
    }
    let id = s.upload("many.csv", csv.as_bytes()).await;
    let html = s
        .authed("GET", &format!("/v1/files/{id}/preview?render=html"))
        .send()
        .await
        .text();
    assert!(html.to_lowercase().contains("truncated"));
    assert!(!html.contains("<td>49</td>"));
}

#[tokio::test]
async fn big_files_redirect_to_a_signed_url_with_the_same_headers() {
    let s = TestServer::start_with(|st| st.inline_response_limit = 1000).await;
    let data = body_of(5000);
    let id = s.upload("Résumé big.bin", &data).await;
    let res = s
        .authed("GET", &format!("/v1/files/{id}/preview?as_attachment=true"))
        .send()
        .await;
    assert_eq!(res.status, 302);
    assert!(
        res.body.is_empty(),
        "big bytes never pass through the function"
    );
    let location = res.header("location").unwrap().to_string();
    let store = aws_mode()
        .map(|moto| format!("{moto}/"))
        .unwrap_or_else(|| s.url("/_blob/"));
    assert!(location.starts_with(&store), "{location}");
    let direct = get_url(&location, &[]).await;
    assert_eq!(direct.status, 200);
    assert_eq!(direct.body.as_ref(), &data[..]);
    assert_eq!(
        direct.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(
        direct.header("content-disposition"),
        Some(
            "attachment; filename=\"Resume big.bin\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20big.bin"
        )
    );
    let ranged = get_url(&location, &[("range", "bytes=100-199")]).await;
    assert_eq!(ranged.status, 206);
    assert_eq!(ranged.body.as_ref(), &data[100..200]);
    assert_eq!(ranged.header("content-range"), Some("bytes 100-199/5000"));
    if skip_on_aws("our envelope on the store's 416 and 403 (the store answers in its own format)")
    {
        return;
    }
    get_url(&location, &[("range", "bytes=9999-")])
        .await
        .assert_error(416, "range_not_satisfiable");
    let tampered = location.replace("attachment", "inline");
    get_url(&tampered, &[])
        .await
        .assert_error(403, "file_access_denied");
}

#[tokio::test]
async fn signed_blob_urls_expire() {
    if skip_on_aws("moto checks no signatures; SeaweedFS covers S3 expiry in aws_backend.rs") {
        return;
    }
    let s = TestServer::start_with(|st| {
        st.inline_response_limit = 10;
        st.signed_url_ttl = 1;
    })
    .await;
    let id = s.upload("a.bin", &body_of(100)).await;
    let location = s
        .authed("GET", &format!("/v1/files/{id}/preview"))
        .send()
        .await
        .header("location")
        .unwrap()
        .to_string();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    get_url(&location, &[])
        .await
        .assert_error(403, "file_access_denied");
}

#[tokio::test]
async fn preview_respects_tenancy_scopes_and_ids() {
    let (s, path) = server_with("a.txt", b"x").await;
    let other = s.new_key("acme", None, "").await;
    s.req("GET", &path)
        .key(&other)
        .send()
        .await
        .assert_error(404, "file_not_found");
    let write_only = s.new_key("dev", None, "write").await;
    s.req("GET", &path)
        .key(&write_only)
        .send()
        .await
        .assert_error(403, "file_access_denied");
    s.req("GET", &path)
        .send()
        .await
        .assert_error(401, "unauthorized");
    s.authed("GET", "/v1/files/xyz/preview")
        .send()
        .await
        .assert_error(400, "invalid_param");
    s.authed(
        "GET",
        "/v1/files/0193a6f2-7c1e-7b3a-9c2d-5e8f1a2b3c4d/download",
    )
    .send()
    .await
    .assert_error(404, "file_not_found");
}

/// A local server whose inline limit sends `bytes` (uploaded as `name`) through the signed
/// blob URL; returns the server, the file's preview path and that URL.
async fn big_file_behind_blob_url(name: &str, bytes: &[u8]) -> (TestServer, String, String) {
    let s = TestServer::start_with(|st| {
        st.inline_response_limit = 1000;
        st.signed_url_ttl = 120;
    })
    .await;
    let id = s.upload(name, bytes).await;
    let path = format!("/v1/files/{id}/preview");
    let res = s.authed("GET", &path).send().await;
    assert_eq!(res.status, 302);
    let location = res.header("location").unwrap().to_string();
    assert!(location.starts_with(&s.url("/_blob/")), "{location}");
    (s, path, location)
}

#[tokio::test]
async fn blob_url_sends_validators_cache_control_and_the_preview_guards() {
    if skip_on_aws("the local /_blob server's headers (S3 sends its own)") {
        return;
    }
    let mut pdf = b"%PDF-1.4\n1 0 obj\n".to_vec();
    pdf.resize(5000, b' ');
    let (s, path, location) = big_file_behind_blob_url("big.pdf", &pdf).await;
    let res = get_url(&location, &[]).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body.as_ref(), &pdf[..]);
    assert_eq!(res.header("content-type"), Some("application/pdf"));
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(res.header("accept-ranges"), Some("bytes"));
    let etag = res.header("etag").unwrap().to_string();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && !etag.starts_with("W/"),
        "strong etag: {etag}"
    );
    let last_modified = res.header("last-modified").unwrap().to_string();
    assert!(last_modified.ends_with(" GMT"), "{last_modified}");
    let cache = res.header("cache-control").unwrap();
    let max_age: u64 = cache
        .strip_prefix("private, max-age=")
        .unwrap_or_else(|| panic!("{cache}"))
        .parse()
        .unwrap();
    assert!(
        (1..=120).contains(&max_age),
        "no longer than the URL lives: {cache}"
    );
    // The same CSP as the API sends for bytes of the same type, read off a small PDF.
    let small = s.upload("small.pdf", b"%PDF-1.4\n1 0 obj\n").await;
    let inline = s
        .authed("GET", &format!("/v1/files/{small}/preview"))
        .send()
        .await;
    assert_eq!(inline.status, 200);
    assert!(inline.header("content-security-policy").is_some());
    assert_eq!(
        res.header("content-security-policy"),
        inline.header("content-security-policy")
    );
    let bin = s.upload("small.bin", &body_of(10)).await;
    let big_bin = s.upload("big.bin", &body_of(5000)).await;
    let inline_bin = s
        .authed("GET", &format!("/v1/files/{bin}/preview"))
        .send()
        .await;
    let blob_bin = s
        .authed("GET", &format!("/v1/files/{big_bin}/preview"))
        .send()
        .await;
    let blob_bin = get_url(blob_bin.header("location").unwrap(), &[]).await;
    assert_eq!(blob_bin.status, 200);
    assert!(blob_bin
        .header("content-security-policy")
        .unwrap()
        .contains("sandbox"));
    assert_eq!(
        blob_bin.header("content-security-policy"),
        inline_bin.header("content-security-policy")
    );
    // The blob's validator is the file's: the API accepts it too.
    let revalidated = s
        .authed("GET", &path)
        .header("if-none-match", &etag)
        .send()
        .await;
    assert_eq!(revalidated.status, 304);
    assert_eq!(revalidated.header("etag"), Some(etag.as_str()));
    // HEAD: the same headers, no body.
    let head = send_url("HEAD", &location, &[], bytes::Bytes::new()).await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    for name in [
        "etag",
        "last-modified",
        "content-type",
        "content-disposition",
        "content-length",
        "content-security-policy",
        "x-content-type-options",
    ] {
        assert_eq!(head.header(name), res.header(name), "{name}");
    }
}

#[tokio::test]
async fn rfc9110_13_1_5_blob_url_honours_if_range() {
    if skip_on_aws("the local /_blob server's If-Range (S3 honours its own)") {
        return;
    }
    let data = body_of(5000);
    let (_s, _path, location) = big_file_behind_blob_url("data.bin", &data).await;
    let first = get_url(&location, &[]).await;
    let etag = first.header("etag").unwrap().to_string();
    let last_modified = first.header("last-modified").unwrap().to_string();
    let hit = get_url(
        &location,
        &[("range", "bytes=100-199"), ("if-range", &etag)],
    )
    .await;
    assert_eq!(hit.status, 206);
    assert_eq!(hit.body.as_ref(), &data[100..200]);
    assert_eq!(hit.header("content-range"), Some("bytes 100-199/5000"));
    assert_eq!(hit.header("etag"), Some(etag.as_str()));
    let by_date = get_url(
        &location,
        &[("range", "bytes=100-199"), ("if-range", &last_modified)],
    )
    .await;
    assert_eq!(by_date.status, 206);
    for stale in ["\"other\"", "Sun, 06 Nov 1994 08:49:37 GMT"] {
        let miss = get_url(
            &location,
            &[("range", "bytes=100-199"), ("if-range", stale)],
        )
        .await;
        assert_eq!(miss.status, 200, "If-Range: {stale}");
        assert_eq!(miss.body.as_ref(), &data[..], "the whole, current body");
        assert_eq!(miss.header("content-range"), None);
        assert_eq!(miss.header("content-length"), Some("5000"));
    }
    let weak = get_url(
        &location,
        &[
            ("range", "bytes=100-199"),
            ("if-range", &format!("W/{etag}")),
        ],
    )
    .await;
    assert_eq!(weak.status, 200, "If-Range needs a strong match");
}

#[tokio::test]
async fn rfc9110_13_1_2_blob_url_if_none_match_gives_304() {
    if skip_on_aws("the local /_blob server's conditionals (S3 answers its own)") {
        return;
    }
    let (_s, _path, location) = big_file_behind_blob_url("data.bin", &body_of(5000)).await;
    let first = get_url(&location, &[]).await;
    let etag = first.header("etag").unwrap().to_string();
    let again = get_url(&location, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_eq!(again.header("last-modified"), first.header("last-modified"));
    assert!(again
        .header("cache-control")
        .unwrap()
        .starts_with("private, max-age="));
    let with_range = get_url(
        &location,
        &[("if-none-match", &etag), ("range", "bytes=0-9")],
    )
    .await;
    assert_eq!(with_range.status, 304, "304 wins over Range");
    let other = get_url(&location, &[("if-none-match", "\"nope\"")]).await;
    assert_eq!(other.status, 200);
    assert_eq!(other.body.len(), 5000);
    get_url(&location, &[("if-match", "\"nope\"")])
        .await
        .assert_error(412, "precondition_failed");
    // Conditionals never get past the signature check.
    let tampered = location.replace("expires=", "expires=1");
    get_url(&tampered, &[("if-none-match", &etag)])
        .await
        .assert_error(403, "file_access_denied");
}
