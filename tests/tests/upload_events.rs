//! S3 object-created events complete single-PUT direct uploads (the `filegate-upload-complete`
//! function), using the fixture in `events/`; multipart uploads and foreign keys are left alone.
#![allow(clippy::unwrap_used)]

use aws_lambda_events::event::s3::S3Event;
use bytes::Bytes;
use filegate_tests::harness::{send_url, TestServer};
use serde_json::json;

fn event_for(key: &str) -> S3Event {
    let raw = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../events/s3-object-created.json"
    ))
    .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&raw).unwrap();
    v["Records"][0]["s3"]["object"]["key"] = json!(key);
    serde_json::from_value(v).unwrap()
}

#[tokio::test]
async fn an_object_created_event_completes_a_single_put_upload() {
    let s = TestServer::start_with(|st| st.multipart_threshold = 64 * 1024 * 1024).await;
    let j = s
        .authed("POST", "/v1/uploads")
        .json(json!({"name": "a.csv", "size": 8}))
        .send()
        .await
        .json();
    let id = j["file"]["id"].as_str().unwrap().to_string();
    let headers: Vec<(String, String)> = j["upload"]["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().into()))
        .collect();
    assert_eq!(
        send_url(
            "PUT",
            j["upload"]["url"].as_str().unwrap(),
            &headers,
            Bytes::from_static(b"a,b\n1,2\n")
        )
        .await
        .status,
        200
    );
    assert_eq!(
        s.authed("GET", &format!("/v1/files/{id}"))
            .send()
            .await
            .json()["status"],
        "pending"
    );

    // A key filegate did not mint is ignored, not an error.
    filegate_upload::complete_from_event(&s.backend, event_for("../../etc/passwd")).await;
    filegate_upload::complete_from_event(&s.backend, event_for(&format!("dev/{id}"))).await;
    let f = s
        .authed("GET", &format!("/v1/files/{id}"))
        .send()
        .await
        .json();
    assert_eq!(f["status"], "ready");
    assert_eq!(f["mime_type"], "text/csv");
    assert_eq!(f["sha256"].as_str().unwrap().len(), 64);
    // The client's own completion call afterwards still succeeds.
    assert_eq!(
        s.authed("POST", &format!("/v1/uploads/{id}/complete"))
            .send()
            .await
            .json()["status"],
        "ready"
    );
}

#[tokio::test]
async fn events_leave_multipart_uploads_to_the_client() {
    let s = TestServer::start_with(|st| {
        st.multipart_threshold = 1024;
        st.multipart_part_size = 1024;
    })
    .await;
    let j = s
        .authed("POST", "/v1/uploads")
        .json(json!({"name": "b.bin", "size": 3000}))
        .send()
        .await
        .json();
    let id = j["file"]["id"].as_str().unwrap().to_string();
    filegate_upload::complete_from_event(&s.backend, event_for(&format!("dev/{id}"))).await;
    assert_eq!(
        s.authed("GET", &format!("/v1/files/{id}"))
            .send()
            .await
            .json()["status"],
        "pending"
    );
}
