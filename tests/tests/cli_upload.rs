//! `filegate upload` against a real server: inline for small files, parallel parts for big ones.
#![allow(clippy::unwrap_used)]

use filegate_cli::upload_cmd::{upload, UploadArgs};
use filegate_tests::harness::{get_url, TestServer};
use sha2::{Digest, Sha256};

#[tokio::test]
async fn uploads_small_files_inline_and_big_files_in_parallel_parts() {
    let s = TestServer::start_with(|st| {
        st.inline_upload_limit = 64 * 1024;
        st.multipart_threshold = 100 * 1024;
        st.multipart_part_size = 32 * 1024;
        st.inline_response_limit = 64 * 1024;
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let args = UploadArgs {
        url: format!("http://{}", s.addr),
        key: s.key.clone(),
        inline_limit: 64 * 1024,
        parallel: 3,
        user: Some("cli".into()),
        namespace: None,
    };

    let small = dir.path().join("Résumé 2026 — final.txt");
    std::fs::write(&small, b"hello from the cli").unwrap();
    let f = upload(&small, &args).await.unwrap();
    assert_eq!(f["name"], "Résumé 2026 — final.txt");
    assert_eq!(f["created_by"], "cli");

    let big_bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    let big = dir.path().join("big.bin");
    std::fs::write(&big, &big_bytes).unwrap();
    let f = upload(&big, &args).await.unwrap();
    assert_eq!(f["status"], "ready");
    assert_eq!(f["size"], 300_000);
    assert_eq!(f["sha256"], hex::encode(Sha256::digest(&big_bytes)));
    let id = f["id"].as_str().unwrap();
    let loc = s
        .authed("GET", &format!("/v1/files/{id}/download"))
        .send()
        .await
        .header("location")
        .unwrap()
        .to_string();
    assert_eq!(get_url(&loc, &[]).await.body.as_ref(), &big_bytes[..]);

    // Between the inline limit and the multipart threshold: one signed PUT.
    let mid = dir.path().join("mid.bin");
    std::fs::write(&mid, vec![9u8; 80 * 1024]).unwrap();
    assert_eq!(upload(&mid, &args).await.unwrap()["status"], "ready");

    let bad = UploadArgs {
        key: "fg_nope".into(),
        ..args
    };
    let err = upload(&small, &bad).await.unwrap_err();
    assert!(err.contains("401"), "{err}");
}
