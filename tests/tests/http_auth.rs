//! Keys, scopes and tenancy through the real HTTP surface.
#![allow(clippy::unwrap_used)]

use filegate_tests::harness::TestServer;
use serde_json::json;

#[tokio::test]
async fn missing_malformed_unknown_or_revoked_keys_are_401() {
    let s = TestServer::start().await;
    s.req("GET", "/v1/files")
        .send()
        .await
        .assert_error(401, "unauthorized");
    s.req("GET", "/v1/files")
        .header("authorization", "Bearer nope")
        .send()
        .await
        .assert_error(401, "unauthorized");
    s.req("GET", "/v1/files")
        .header("authorization", &format!("Basic {}", s.key))
        .send()
        .await
        .assert_error(401, "unauthorized");
    let forged = format!("fg_{}_{}", &s.key[3..19], "0".repeat(64));
    s.req("GET", "/v1/files")
        .key(&forged)
        .send()
        .await
        .assert_error(401, "unauthorized");
    let unknown = format!("fg_{}_{}", "0".repeat(16), "0".repeat(64));
    s.req("GET", "/v1/files")
        .key(&unknown)
        .send()
        .await
        .assert_error(401, "unauthorized");
    // X-API-Key works as well as Bearer.
    assert_eq!(
        s.req("GET", "/v1/files")
            .header("x-api-key", &s.key)
            .send()
            .await
            .status,
        200
    );
    let k = s.new_key("dev", None, "").await;
    assert_eq!(s.req("GET", "/v1/files").key(&k).send().await.status, 200);
    let key_id = &k[3..19];
    filegate_cli::keys_cmd::revoke(s.backend.keys.as_ref(), key_id)
        .await
        .unwrap();
    s.req("GET", "/v1/files")
        .key(&k)
        .send()
        .await
        .assert_error(401, "unauthorized");
}

#[tokio::test]
async fn scopes_are_enforced_with_403() {
    let s = TestServer::start().await;
    let id = s.upload("a.txt", b"x").await;
    let read = s.new_key("dev", None, "read").await;
    let write = s.new_key("dev", None, "write").await;
    s.upload_as(&read, "b.txt", b"x", &[])
        .await
        .assert_error(403, "file_access_denied");
    s.req("PATCH", &format!("/v1/files/{id}"))
        .key(&read)
        .json(json!({"name": "b.txt"}))
        .send()
        .await
        .assert_error(403, "file_access_denied");
    s.req("DELETE", &format!("/v1/files/{id}"))
        .key(&read)
        .send()
        .await
        .assert_error(403, "file_access_denied");
    s.req("DELETE", "/v1/files?all=true")
        .key(&write)
        .send()
        .await
        .assert_error(403, "file_access_denied");
    s.req("GET", &format!("/v1/files/{id}"))
        .key(&write)
        .send()
        .await
        .assert_error(403, "file_access_denied");
    assert_eq!(
        s.req("GET", &format!("/v1/files/{id}"))
            .key(&read)
            .send()
            .await
            .status,
        200
    );
    assert!(s.blobs().await.len() == 1);
}

#[tokio::test]
async fn another_tenants_file_is_indistinguishable_from_a_missing_one() {
    let s = TestServer::start().await;
    let id = s.upload("mine.txt", b"x").await;
    let other = s.new_key("acme", None, "").await;
    let path = format!("/v1/files/{id}");
    s.req("GET", &path)
        .key(&other)
        .send()
        .await
        .assert_error(404, "file_not_found");
    s.req("PATCH", &path)
        .key(&other)
        .json(json!({"name": "stolen.txt"}))
        .send()
        .await
        .assert_error(404, "file_not_found");
    s.req("DELETE", &path)
        .key(&other)
        .send()
        .await
        .assert_error(404, "file_not_found");
    let bulk = s
        .req("DELETE", "/v1/files")
        .key(&other)
        .json(json!({"ids": [id]}))
        .send()
        .await
        .json();
    assert_eq!(bulk["not_found"], json!([id]));
    assert_eq!(
        s.req("DELETE", "/v1/files?all=true")
            .key(&other)
            .send()
            .await
            .json()["deleted_count"],
        0
    );
    let list = s.req("GET", "/v1/files").key(&other).send().await.json();
    assert!(list["data"].as_array().unwrap().is_empty());
    assert_eq!(
        s.authed("GET", &path).send().await.json()["name"],
        "mine.txt"
    );
}

/// A file uploaded by the unbound dev key on behalf of user bob.
async fn bobs_file(s: &TestServer) -> String {
    s.upload_as(&s.key, "bob.txt", b"b", &[("user", "bob")])
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_user_bound_key_sees_only_its_users_files() {
    let s = TestServer::start().await;
    let alice = s.new_key("dev", Some("alice"), "").await;
    let bobs = bobs_file(&s).await;
    // Uploads are recorded as the bound user, and naming another user is refused.
    let mine = s.upload_as(&alice, "alice.txt", b"a", &[]).await;
    assert_eq!(mine.json()["created_by"], "alice");
    s.upload_as(&alice, "x.txt", b"a", &[("user", "bob")])
        .await
        .assert_error(403, "file_access_denied");
    let list = s.req("GET", "/v1/files").key(&alice).send().await.json();
    let names: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alice.txt"]);
    s.req("GET", "/v1/files?user=bob")
        .key(&alice)
        .send()
        .await
        .assert_error(403, "file_access_denied");
    s.req("GET", &format!("/v1/files/{bobs}"))
        .key(&alice)
        .send()
        .await
        .assert_error(403, "file_access_denied");
    s.req("DELETE", &format!("/v1/files/{bobs}"))
        .key(&alice)
        .send()
        .await
        .assert_error(403, "file_access_denied");
    s.req("DELETE", "/v1/files?all=true")
        .key(&alice)
        .send()
        .await;
    assert_eq!(
        s.authed("GET", &format!("/v1/files/{bobs}"))
            .send()
            .await
            .status,
        200,
        "bob's file survives alice's delete-all"
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_get_the_envelope() {
    let s = TestServer::start().await;
    s.authed("GET", "/v2/nothing")
        .send()
        .await
        .assert_error(404, "route_not_found");
    let put = s.authed("PUT", "/v1/files").send().await;
    put.assert_error(405, "method_not_allowed");
    assert_eq!(
        put.header("allow"),
        Some("GET, POST, DELETE"),
        "RFC 9110 §15.5.6"
    );
}

#[tokio::test]
async fn a_user_bound_key_cannot_reach_another_users_file_through_links_or_preview() {
    let s = TestServer::start().await;
    let alice = s.new_key("dev", Some("alice"), "").await;
    let bobs = bobs_file(&s).await;
    let link = s
        .authed("POST", &format!("/v1/files/{bobs}/links"))
        .json(serde_json::json!({"kind": "download"}))
        .send()
        .await
        .json();
    let token = link["path"].as_str().unwrap().strip_prefix("/l/").unwrap();
    s.req("DELETE", &format!("/v1/links/{token}"))
        .key(&alice)
        .send()
        .await
        .assert_error(403, "file_access_denied");
    assert_eq!(
        s.req("GET", link["path"].as_str().unwrap())
            .send()
            .await
            .status,
        200,
        "alice's refused revoke left bob's link alive"
    );
    for path in [
        format!("/v1/files/{bobs}/preview"),
        format!("/v1/files/{bobs}/download"),
        format!("/v1/files/{bobs}/download-url"),
    ] {
        s.req("GET", &path)
            .key(&alice)
            .send()
            .await
            .assert_error(403, "file_access_denied");
    }
    s.req("POST", &format!("/v1/files/{bobs}/links"))
        .key(&alice)
        .json(serde_json::json!({"kind": "download"}))
        .send()
        .await
        .assert_error(403, "file_access_denied");
    // Claiming another user in the query is refused even for alice's own file.
    let mine = s.upload_as(&alice, "a.txt", b"a", &[]).await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.req("GET", &format!("/v1/files/{mine}/preview?user=bob"))
        .key(&alice)
        .send()
        .await
        .assert_error(403, "file_access_denied");
    assert_eq!(
        s.req("GET", &format!("/v1/files/{mine}/preview?user=alice"))
            .key(&alice)
            .send()
            .await
            .status,
        200
    );
}
