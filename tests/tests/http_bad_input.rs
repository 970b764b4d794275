//! A battery of malformed requests against every route: each must get a 4xx in the JSON
//! envelope (never a 5xx, never a dropped connection), and nothing may be left behind.
#![allow(clippy::unwrap_used)]

use filegate_shared::routes::ROUTES;
use filegate_tests::harness::TestServer;

fn concrete(path: &str, id: &str) -> String {
    path.replace("{id}", id)
        .replace("{token}", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
}

#[tokio::test]
async fn malformed_requests_never_get_a_5xx() {
    let s = TestServer::start().await;
    let id = s.upload("keep.txt", b"keep me").await;
    let bodies: [(&str, &[u8]); 7] = [
        ("application/json", b"{"),
        ("application/json", b"[1,2,3]"),
        ("application/json", b"{\"name\": \"\\ud800\"}"),
        ("application/json", &[0xff, 0xfe, 0x00]),
        (
            "multipart/form-data; boundary=x",
            b"--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n",
        ),
        ("multipart/form-data", b"no boundary"),
        ("text/plain", b"hello"),
    ];
    let ids = [
        "not-a-uuid",
        "..%2F..%2Fetc%2Fpasswd",
        "%00",
        &"9".repeat(300),
        "0193A6F2-7C1E-7B3A-9C2D-5E8F1A2B3C4D",
    ];
    let queries = [
        "",
        "?limit=%ZZ",
        "?cursor=%ff%fe",
        "?as_attachment=%00",
        "?expires_in=99999999999999999999999",
        "?render=html&render=html",
        "?user=%0a",
    ];
    let mut checked = 0;
    for (method, path, _) in ROUTES {
        for raw_id in ids {
            for q in queries {
                for (ct, body) in bodies.iter() {
                    let p = format!("{}{q}", concrete(path, raw_id));
                    let res = s
                        .authed(method, &p)
                        .header("content-type", ct)
                        .body(body.to_vec())
                        .send()
                        .await;
                    assert!(
                        res.status.as_u16() < 500,
                        "{method} {p} [{ct}] -> {}: {}",
                        res.status,
                        res.text()
                    );
                    if method != &"HEAD"
                        && !res.status.is_success()
                        && res.status.as_u16() != 302
                        && res.status.as_u16() != 304
                    {
                        let j = res.json();
                        assert_eq!(j["status"], res.status.as_u16(), "{method} {p}: {j}");
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 500);
    // Odd headers on a real file.
    let path = format!("/v1/files/{id}/preview");
    for (k, v) in [
        ("range", "bytes=-0"),
        ("range", "bytes=18446744073709551615-"),
        ("range", "bytes=5-1"),
        ("if-none-match", "\"unterminated"),
        ("if-modified-since", "yesterday"),
        ("if-range", "garbage"),
        ("if-match", ","),
        ("authorization", "Bearer"),
        ("x-api-key", "fg_"),
    ] {
        let res = s.authed("GET", &path).header(k, v).send().await;
        assert!(res.status.as_u16() < 500, "{k}: {v} -> {}", res.status);
    }
    assert_eq!(
        s.authed("GET", &format!("/v1/files/{id}"))
            .send()
            .await
            .json()["name"],
        "keep.txt"
    );
    assert_eq!(
        s.blobs().await.len(),
        1,
        "no bad request left anything behind"
    );
}
