//! Get, list, rename and delete through the real HTTP surface.
#![allow(clippy::unwrap_used)]

use filegate_tests::harness::TestServer;
use serde_json::json;

#[tokio::test]
async fn get_returns_the_file_and_rejects_bad_ids() {
    let s = TestServer::start().await;
    let id = s.upload("a.txt", b"hello").await;
    let res = s.authed("GET", &format!("/v1/files/{id}")).send().await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["id"], id.as_str());
    assert_eq!(res.json()["size"], 5);
    s.authed("GET", "/v1/files/not-a-uuid")
        .send()
        .await
        .assert_error(400, "invalid_param");
    s.authed("GET", "/v1/files/0193a6f2-7c1e-7b3a-9c2d-5e8f1a2b3c4d")
        .send()
        .await
        .assert_error(404, "file_not_found");
    s.authed("GET", &format!("/v1/files/{id}?bogus=1"))
        .send()
        .await
        .assert_error(400, "invalid_param");
    s.authed("GET", &format!("/v1/files/{id}?links=maybe"))
        .send()
        .await
        .assert_error(400, "invalid_param");
}

#[tokio::test]
async fn forty_five_uploads_page_newest_first_at_limit_20() {
    let s = TestServer::start().await;
    let mut ids = Vec::new();
    for i in 0..45 {
        ids.push(
            s.upload(&format!("f{i}.txt"), format!("{i}").as_bytes())
                .await,
        );
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/files?limit=20&cursor={c}"),
            None => "/v1/files?limit=20".into(),
        };
        let page = s.authed("GET", &path).send().await;
        assert_eq!(page.status, 200, "{}", page.text());
        let j = page.json();
        let data = j["data"].as_array().unwrap();
        pages.push(data.len());
        seen.extend(data.iter().map(|f| f["id"].as_str().unwrap().to_string()));
        if !j["has_more"].as_bool().unwrap() {
            assert!(j["next_cursor"].is_null());
            break;
        }
        cursor = Some(j["next_cursor"].as_str().unwrap().to_string());
    }
    assert_eq!(pages, vec![20, 20, 5]);
    assert_eq!(seen, ids, "newest first, no gaps, no repeats");
    let default = s.authed("GET", "/v1/files").send().await.json();
    assert_eq!(
        default["data"].as_array().unwrap().len(),
        20,
        "default limit is 20"
    );
}

#[tokio::test]
async fn tampered_or_bad_list_parameters_are_invalid_param() {
    let s = TestServer::start().await;
    for i in 0..3 {
        s.upload(&format!("{i}.txt"), b"x").await;
    }
    let j = s.authed("GET", "/v1/files?limit=1").send().await.json();
    let cursor = j["next_cursor"].as_str().unwrap().to_string();
    assert_eq!(
        s.authed("GET", &format!("/v1/files?limit=1&cursor={cursor}"))
            .send()
            .await
            .status,
        200
    );
    let mut tampered = cursor.clone().into_bytes();
    tampered[5] = if tampered[5] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    s.authed("GET", &format!("/v1/files?cursor={tampered}"))
        .send()
        .await
        .assert_error(400, "invalid_param");
    s.authed("GET", "/v1/files?cursor=garbage")
        .send()
        .await
        .assert_error(400, "invalid_param");
    // A cursor from one listing cannot be replayed against other filters.
    s.authed("GET", &format!("/v1/files?limit=1&cursor={cursor}&user=u"))
        .send()
        .await
        .assert_error(400, "invalid_param");
    for bad in [
        "limit=0",
        "limit=101",
        "limit=abc",
        "limit=-1",
        "sort=name",
        "limit=1&limit=2",
    ] {
        s.authed("GET", &format!("/v1/files?{bad}"))
            .send()
            .await
            .assert_error(400, "invalid_param");
    }
}

#[tokio::test]
async fn list_filters_by_user_and_namespace() {
    let s = TestServer::start().await;
    s.upload_as(
        &s.key,
        "a.txt",
        b"a",
        &[("user", "alice"), ("namespace", "n1")],
    )
    .await;
    s.upload_as(
        &s.key,
        "b.txt",
        b"b",
        &[("user", "bob"), ("namespace", "n1")],
    )
    .await;
    s.upload_as(&s.key, "c.txt", b"c", &[("user", "alice")])
        .await;
    let names = |j: serde_json::Value| -> Vec<String> {
        j["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names(s.authed("GET", "/v1/files?user=alice").send().await.json()),
        ["c.txt", "a.txt"]
    );
    assert_eq!(
        names(
            s.authed("GET", "/v1/files?namespace=n1")
                .send()
                .await
                .json()
        ),
        ["b.txt", "a.txt"]
    );
    assert_eq!(
        names(
            s.authed("GET", "/v1/files?namespace=n1&user=bob")
                .send()
                .await
                .json()
        ),
        ["b.txt"]
    );
}

#[tokio::test]
async fn rename_keeps_unicode_and_applies_name_rules() {
    let s = TestServer::start().await;
    let id = s.upload("draft.txt", b"x").await;
    let path = format!("/v1/files/{id}");
    let res = s
        .authed("PATCH", &path)
        .json(json!({"name": "Résumé 2026 — final.md"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["name"], "Résumé 2026 — final.md");
    assert_eq!(res.json()["extension"], "md");
    assert_eq!(
        s.authed("GET", &path).send().await.json()["name"],
        "Résumé 2026 — final.md"
    );
    for bad in [
        json!({"name": ""}),
        json!({"name": "a/b"}),
        json!({"name": ".."}),
        json!({}),
        json!({"name": 5}),
        json!({"name": "x", "size": 1}),
    ] {
        s.authed("PATCH", &path)
            .json(bad)
            .send()
            .await
            .assert_error(400, "invalid_param");
    }
    s.authed("PATCH", &path)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .assert_error(400, "invalid_param");
    s.authed("PATCH", "/v1/files/0193a6f2-7c1e-7b3a-9c2d-5e8f1a2b3c4d")
        .json(json!({"name": "x"}))
        .send()
        .await
        .assert_error(404, "file_not_found");
}

#[tokio::test]
async fn rename_honors_extension_rules() {
    let s = TestServer::start_with(|st| st.denied_extensions = vec!["exe".into()]).await;
    let id = s.upload("a.txt", b"x").await;
    s.authed("PATCH", &format!("/v1/files/{id}"))
        .json(json!({"name": "a.exe"}))
        .send()
        .await
        .assert_error(415, "unsupported_file_type");
}

#[tokio::test]
async fn delete_removes_bytes_and_metadata() {
    let s = TestServer::start().await;
    let id = s.upload("a.txt", b"bye").await;
    assert_eq!(s.blobs().await.len(), 1);
    let res = s.authed("DELETE", &format!("/v1/files/{id}")).send().await;
    assert_eq!(res.status, 204);
    assert!(res.body.is_empty());
    assert!(s.blobs().await.is_empty());
    s.authed("GET", &format!("/v1/files/{id}"))
        .send()
        .await
        .assert_error(404, "file_not_found");
    s.authed("DELETE", &format!("/v1/files/{id}"))
        .send()
        .await
        .assert_error(404, "file_not_found");
}

#[tokio::test]
async fn bulk_delete_by_ids_reports_deleted_and_not_found() {
    let s = TestServer::start().await;
    let a = s.upload("a.txt", b"a").await;
    let b = s.upload("b.txt", b"b").await;
    let keep = s.upload("c.txt", b"c").await;
    let missing = "0193a6f2-7c1e-7b3a-9c2d-5e8f1a2b3c4d";
    let res = s
        .authed("DELETE", "/v1/files")
        .json(json!({"ids": [a, b, missing]}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.json(),
        json!({"deleted": [a, b], "not_found": [missing]})
    );
    assert_eq!(s.blobs().await.len(), 1);
    assert_eq!(
        s.authed("GET", &format!("/v1/files/{keep}"))
            .send()
            .await
            .status,
        200
    );
    let too_many: Vec<String> = (0..101).map(|_| missing.to_string()).collect();
    s.authed("DELETE", "/v1/files")
        .json(json!({"ids": too_many}))
        .send()
        .await
        .assert_error(400, "invalid_param");
    s.authed("DELETE", "/v1/files")
        .json(json!({"ids": []}))
        .send()
        .await
        .assert_error(400, "invalid_param");
    s.authed("DELETE", "/v1/files")
        .json(json!({"ids": ["nope"]}))
        .send()
        .await
        .assert_error(400, "invalid_param");
    s.authed("DELETE", "/v1/files")
        .json(json!({"idz": [keep]}))
        .send()
        .await
        .assert_error(400, "invalid_param");
    s.authed("DELETE", "/v1/files")
        .send()
        .await
        .assert_error(400, "invalid_param");
    assert_eq!(
        s.authed("GET", &format!("/v1/files/{keep}"))
            .send()
            .await
            .status,
        200,
        "bad requests delete nothing"
    );
}

#[tokio::test]
async fn delete_all_runs_in_bounded_batches() {
    let s = TestServer::start().await;
    for i in 0..105 {
        s.upload(&format!("{i}.txt"), b"x").await;
    }
    let other_tenant = s.new_key("other", None, "").await;
    s.upload_as(&other_tenant, "theirs.txt", b"x", &[]).await;
    let first = s.authed("DELETE", "/v1/files?all=true").send().await.json();
    assert_eq!(first, json!({"deleted_count": 100, "has_more": true}));
    let second = s.authed("DELETE", "/v1/files?all=true").send().await.json();
    assert_eq!(second, json!({"deleted_count": 5, "has_more": false}));
    let left = s.authed("GET", "/v1/files").send().await.json();
    assert!(left["data"].as_array().unwrap().is_empty());
    let theirs = s
        .req("GET", "/v1/files")
        .key(&other_tenant)
        .send()
        .await
        .json();
    assert_eq!(
        theirs["data"].as_array().unwrap().len(),
        1,
        "another tenant's files survive"
    );
    assert_eq!(s.blobs().await.len(), 1);
}
