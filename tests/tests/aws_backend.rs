//! The AWS backend against local emulators:
//! - moto (`FILEGATE_TEST_MOTO_URL`, DynamoDB and S3 on one endpoint): the storage conformance
//!   suite, on a fresh table and bucket per test run;
//! - SeaweedFS (`FILEGATE_TEST_SEAWEED_URL`, `..._ACCESS_KEY`, `..._SECRET_KEY`): presigned URLs
//!   through a real HTTP client, because SeaweedFS verifies SigV4 where moto does not.
//!
//! Without those variables the tests print why and pass, unless `FILEGATE_REQUIRE_EMULATORS=1`
//! (CI), where a missing emulator is a failure. Start them with `scripts/emulators.sh`.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use filegate_shared::backend::Backend;
use filegate_shared::domain::{FileId, FileStatus};
use filegate_shared::settings::Settings;
use filegate_shared::store::aws::aws_sdk_dynamodb::types::AttributeValue;
use filegate_shared::store::aws::aws_sdk_s3;
use filegate_shared::store::aws::{
    build_backend_with, create_bucket, create_table, dynamo_client, s3_client, static_config,
    DynamoMeta, ListReadBound, S3Blobs, S3Signer, PENDING_TAG,
};
use filegate_shared::store::{
    BlobStore, FileStore, IdempotencyRecord, ListQuery, MultipartStore, PutPins, ResponseOverrides,
    SignedRequest, Signer,
};
use filegate_tests::conformance::{file, unique_tenant};
use filegate_tests::conformance_suite;
use filegate_tests::harness::{send_raw, Res};
use http::Method;
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

const REGION: &str = "us-east-1";

/// The emulator endpoint in `var`, or `None` after saying why the test is skipped.
fn emulator(var: &str) -> Option<String> {
    match std::env::var(var).ok().filter(|v| !v.is_empty()) {
        Some(url) => Some(url.trim_end_matches('/').to_string()),
        None if std::env::var("FILEGATE_REQUIRE_EMULATORS").as_deref() == Ok("1") => {
            panic!("{var} is not set but FILEGATE_REQUIRE_EMULATORS=1: start the emulators (scripts/emulators.sh)")
        }
        None => {
            eprintln!("SKIPPED: {var} is not set (source scripts/emulators.sh; emulators_start)");
            None
        }
    }
}

fn run_id() -> String {
    FileId::new().to_string().replace('-', "")[20..].to_string()
}

// ---- moto: the conformance suite -------------------------------------------------------------

/// Table and bucket names, created once per test process. Each test builds its own clients:
/// an SDK client's connection pool belongs to the runtime of the test that made it.
static MOTO_NAMES: OnceCell<(String, String)> = OnceCell::const_new();

async fn moto_backend() -> Option<Backend> {
    let url = emulator("FILEGATE_TEST_MOTO_URL")?;
    let config = static_config(&url, REGION, "testing", "testing");
    let (table, bucket) = MOTO_NAMES
        .get_or_init(|| async {
            let id = run_id();
            let (table, bucket) = (format!("filegate-test-{id}"), format!("filegate-test-{id}"));
            create_table(&dynamo_client(&config), &table)
                .await
                .expect("create table on moto");
            create_bucket(&s3_client(&config, true), &bucket)
                .await
                .expect("create bucket on moto");
            (table, bucket)
        })
        .await
        .clone();
    let mut settings = Settings::from_lookup(|_| None).expect("default settings");
    settings.table = table;
    settings.bucket = bucket;
    settings.s3_force_path_style = true;
    Some(
        build_backend_with(settings, &config)
            .await
            .expect("AWS backend on moto"),
    )
}

conformance_suite!(moto_backend);

/// A filter that matches little must not read the whole tenant in one request: each request
/// reads at most `max_queries` pages, comes back short with `has_more`, and the cursor resumes
/// at DynamoDB's `LastEvaluatedKey` until every match has been returned exactly once.
#[tokio::test]
async fn moto_sparse_filtered_list_reads_a_bounded_amount_per_request() {
    let Some(b) = moto_backend().await else {
        return;
    };
    let url = emulator("FILEGATE_TEST_MOTO_URL").expect("moto url");
    let meta = DynamoMeta::new(
        dynamo_client(&static_config(&url, REGION, "testing", "testing")),
        &b.settings.table,
    )
    .with_list_read_bound(ListReadBound {
        filtered_page: 3,
        max_queries: 2,
    });
    let t = unique_tenant();
    let mut needles = Vec::new();
    for i in 0..22 {
        let f = file(&t, Some(if i < 2 { "needle" } else { "hay" }), None);
        meta.create_file(&f).await.expect("create");
        if i < 2 {
            needles.push(f.id);
        }
    }
    needles.sort_by(|a, b| b.cmp(a));
    let (mut found, mut before, mut requests, mut short_pages) = (Vec::new(), None, 0, 0);
    loop {
        let page = meta
            .list_files(
                &t,
                &ListQuery {
                    user: Some("needle".into()),
                    namespace: None,
                    before,
                    limit: 2,
                },
            )
            .await
            .expect("list");
        requests += 1;
        assert!(requests < 40, "the cursor must make progress");
        found.extend(page.files.iter().map(|f| f.id));
        match page.next_after() {
            Some(after) => {
                if page.files.len() < 2 {
                    short_pages += 1;
                }
                before = Some(after);
            }
            None => break,
        }
    }
    assert_eq!(found, needles, "every match once, newest first");
    assert!(
        short_pages >= 3,
        "22 items at 2 queries of 3 per request need several short pages, got {short_pages}"
    );
}

/// A raw S3 client on moto and the test bucket, to look at what the adapter stored.
fn moto_s3(b: &Backend) -> (aws_sdk_s3::Client, String) {
    let url = emulator("FILEGATE_TEST_MOTO_URL").expect("moto url");
    (
        s3_client(&static_config(&url, REGION, "testing", "testing"), true),
        b.settings.bucket.clone(),
    )
}

/// Multipart is not in the shared suite (the local adapter's parts arrive through `serve`),
/// so the S3 adapter's part flow is checked here: presigned parts, complete, abort.
#[tokio::test]
async fn moto_multipart_upload_completes_and_aborts() {
    let Some(b) = moto_backend().await else {
        return;
    };
    let key = format!("mp/{}", FileId::new());
    let upload_id = b
        .multipart
        .create_multipart(&key, "application/pdf")
        .await
        .expect("create");
    let part1 = vec![b'a'; 5 * 1024 * 1024];
    let part2 = b"tail".to_vec();
    let mut parts = Vec::new();
    for (n, body) in [(1u32, &part1), (2, &part2)] {
        let signed = b
            .signer
            .presign_part(&key, &upload_id, n, Duration::from_secs(60))
            .await
            .expect("presign part");
        let res = send(&signed, &[], Bytes::from(body.clone())).await;
        assert_eq!(res.status, 200, "part {n}: {}", res.text());
        let etag = res.header("etag").expect("part etag").to_string();
        parts.push(filegate_shared::store::CompletedPart {
            part_number: n,
            etag,
        });
    }
    b.multipart
        .complete_multipart(&key, &upload_id, &parts)
        .await
        .expect("complete");
    let (client, bucket) = moto_s3(&b);
    assert_eq!(
        tags(&client, &bucket, &key).await,
        vec![PENDING_TAG.to_string()],
        "tagged at creation"
    );
    b.multipart.commit_object(&key).await.expect("commit");
    assert_eq!(
        tags(&client, &bucket, &key).await,
        vec!["filegate-status=ready".to_string()]
    );
    assert_eq!(
        b.blobs.head(&key).await.expect("head"),
        Some((part1.len() + part2.len()) as u64)
    );
    assert_eq!(
        b.blobs
            .get(&key, Some(5 * 1024 * 1024..=5 * 1024 * 1024 + 3))
            .await
            .expect("get"),
        Bytes::from_static(b"tail")
    );

    let other = format!("mp/{}", FileId::new());
    let id = b
        .multipart
        .create_multipart(&other, "text/plain")
        .await
        .expect("create");
    b.multipart
        .abort_multipart(&other, &id)
        .await
        .expect("abort");
    b.multipart
        .abort_multipart(&other, &id)
        .await
        .expect("abort is idempotent");
    let missing = b.multipart.complete_multipart(&other, &id, &parts).await;
    assert!(
        missing.is_err(),
        "completing an aborted upload must fail: {missing:?}"
    );
    b.blobs.delete(&key).await.expect("delete");
}

/// DynamoDB applies `Limit` before the filter: a user's files behind more than a page of
/// other users' files must still be found, and `has_more` must still be right.
#[tokio::test]
async fn moto_filtered_list_reads_past_pages_of_non_matches() {
    let Some(b) = moto_backend().await else {
        return;
    };
    let t = unique_tenant();
    let mut mine = Vec::new();
    for _ in 0..2 {
        let f = file(&t, Some("rare"), None);
        b.files.create_file(&f).await.expect("create");
        mine.push(f.id);
    }
    let others: Vec<_> = (0..230).map(|_| file(&t, Some("busy"), None)).collect();
    futures_util::future::try_join_all(others.iter().map(|f| b.files.create_file(f)))
        .await
        .expect("create");
    let q = |before| ListQuery {
        user: Some("rare".into()),
        before,
        limit: 1,
        ..Default::default()
    };
    let first = b.files.list_files(&t, &q(None)).await.expect("list");
    assert_eq!(
        first.files.iter().map(|f| f.id).collect::<Vec<_>>(),
        vec![mine[1]]
    );
    assert!(first.has_more);
    let second = b
        .files
        .list_files(&t, &q(Some(mine[1])))
        .await
        .expect("list");
    assert_eq!(
        second.files.iter().map(|f| f.id).collect::<Vec<_>>(),
        vec![mine[0]]
    );
    assert!(!second.has_more);
    let all = b
        .files
        .list_files(
            &t,
            &ListQuery {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .expect("list");
    assert_eq!((all.files.len(), all.has_more), (100, true));
}

/// The item shapes the table's TTL relies on: `ttl` on pending files only (gone once ready),
/// on links and on idempotency records; and an expired idempotency record may be replaced.
#[tokio::test]
async fn moto_items_carry_ttl_as_designed() {
    let Some(b) = moto_backend().await else {
        return;
    };
    let url = emulator("FILEGATE_TEST_MOTO_URL").expect("moto url");
    let client = dynamo_client(&static_config(&url, REGION, "testing", "testing"));
    let table = b.settings.table.clone();
    let ttl_of = |pk: String, sk: String| {
        let (client, table) = (client.clone(), table.clone());
        async move {
            let out = client
                .get_item()
                .table_name(table)
                .key("pk", AttributeValue::S(pk))
                .key("sk", AttributeValue::S(sk))
                .send()
                .await
                .expect("get item");
            let item = out.item.expect("item exists");
            item.get("ttl").map(|v| {
                v.as_n()
                    .expect("ttl is a number")
                    .parse::<i64>()
                    .expect("epoch")
            })
        }
    };
    let t = unique_tenant();
    let mut f = file(&t, None, None);
    f.status = FileStatus::Pending;
    f.expires_at = Some(filegate_shared::clock::now() + time::Duration::hours(1));
    b.files.create_file(&f).await.expect("create");
    let expected = f.expires_at.map(|e| e.unix_timestamp());
    assert_eq!(
        ttl_of(format!("T#{t}"), format!("F#{}", f.id)).await,
        expected
    );
    f.status = FileStatus::Ready;
    f.expires_at = None;
    b.files.update_file(&f).await.expect("update");
    assert_eq!(
        ttl_of(format!("T#{t}"), format!("F#{}", f.id)).await,
        None,
        "a ready file never expires"
    );

    let now = filegate_shared::clock::now();
    let old = IdempotencyRecord {
        tenant: t.clone(),
        key: "k1".into(),
        request_hash: "h1".into(),
        file_id: f.id,
        expires_at: now - time::Duration::seconds(1),
    };
    assert!(b.idempotency.put_idempotency(&old).await.expect("put"));
    assert_eq!(
        ttl_of(format!("T#{t}"), "I#k1".into()).await,
        Some(old.expires_at.unix_timestamp())
    );
    assert_eq!(
        b.idempotency.get_idempotency(&t, "k1").await.expect("get"),
        None,
        "expired reads as absent"
    );
    let new = IdempotencyRecord {
        request_hash: "h2".into(),
        expires_at: now + time::Duration::hours(1),
        ..old
    };
    assert!(
        b.idempotency.put_idempotency(&new).await.expect("put"),
        "an expired record may be replaced"
    );
    assert_eq!(
        b.idempotency.get_idempotency(&t, "k1").await.expect("get"),
        Some(new)
    );
}

// ---- SeaweedFS: presigned URLs over real HTTP -----------------------------------------------

struct Seaweed {
    client: aws_sdk_s3::Client,
    bucket: String,
    blobs: S3Blobs,
    signer: S3Signer,
}

async fn seaweed() -> Option<Seaweed> {
    let url = emulator("FILEGATE_TEST_SEAWEED_URL")?;
    let ak = std::env::var("FILEGATE_TEST_SEAWEED_ACCESS_KEY")
        .expect("FILEGATE_TEST_SEAWEED_ACCESS_KEY");
    let sk = std::env::var("FILEGATE_TEST_SEAWEED_SECRET_KEY")
        .expect("FILEGATE_TEST_SEAWEED_SECRET_KEY");
    let config = static_config(&url, REGION, &ak, &sk);
    let client = s3_client(&config, true);
    let bucket = format!("filegate-presign-{}", run_id());
    create_bucket(&client, &bucket)
        .await
        .expect("create bucket on SeaweedFS");
    Some(Seaweed {
        blobs: S3Blobs::new(client.clone(), &bucket),
        signer: S3Signer::new(client.clone(), &bucket, config.credentials_provider()),
        client,
        bucket,
    })
}

/// The object's tags as `key=value` strings.
async fn tags(client: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Vec<String> {
    let out = client
        .get_object_tagging()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .expect("get tagging");
    out.tag_set()
        .iter()
        .map(|t| format!("{}={}", t.key(), t.value()))
        .collect()
}

/// Sends a signed request as a client would: its URL and headers, `extra` replacing any of them.
async fn send(req: &SignedRequest, extra: &[(&str, &str)], body: Bytes) -> Res {
    send_url(&req.method, &req.url, &req.headers, extra, body).await
}

async fn send_url(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    extra: &[(&str, &str)],
    body: Bytes,
) -> Res {
    let rest = url
        .strip_prefix("http://")
        .expect("emulator URLs are plain http");
    let (host, path) = rest.split_once('/').expect("URL has a path");
    let addr: SocketAddr = host.parse().expect("emulator host is ip:port");
    let mut all: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| !extra.iter().any(|(e, _)| e.eq_ignore_ascii_case(k)))
        .cloned()
        .collect();
    all.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let method = Method::from_bytes(method.as_bytes()).expect("method");
    send_raw(addr, method, &format!("/{path}"), &all, body).await
}

fn overrides() -> ResponseOverrides {
    ResponseOverrides {
        content_type: "text/csv; charset=utf-8".into(),
        content_disposition:
            "attachment; filename=\"report.csv\"; filename*=UTF-8''r%C3%A9port.csv".into(),
    }
}

#[tokio::test]
async fn seaweed_presigned_get_carries_overrides_and_refuses_tampering() {
    let Some(s) = seaweed().await else { return };
    let key = format!("dev/{}", FileId::new());
    s.blobs
        .put(&key, Bytes::from_static(b"a,b\n1,2\n"))
        .await
        .expect("put");
    let req = s
        .signer
        .presign_get(&key, Duration::from_secs(60), &overrides())
        .await
        .expect("presign");

    let res = send(&req, &[], Bytes::new()).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.body, Bytes::from_static(b"a,b\n1,2\n"));
    assert_eq!(
        res.header("content-type"),
        Some(overrides().content_type.as_str())
    );
    assert_eq!(
        res.header("content-disposition"),
        Some(overrides().content_disposition.as_str())
    );
    let ranged = send(&req, &[("range", "bytes=2-4")], Bytes::new()).await;
    assert_eq!(
        (ranged.status.as_u16(), ranged.body.clone()),
        (206, Bytes::from_static(b"b\n1"))
    );

    // Each part of the URL is covered by the signature: the key, an override, the signature.
    let other_key = req.url.replacen(&key, &format!("dev/{}", FileId::new()), 1);
    let other_type = req.url.replacen("text%2Fcsv", "text%2Fhtml", 1);
    let sig = req
        .url
        .split("X-Amz-Signature=")
        .nth(1)
        .expect("signature")
        .to_string();
    let flipped = format!(
        "{}{}",
        &sig[..sig.len() - 1],
        if sig.ends_with('0') { '1' } else { '0' }
    );
    let other_sig = req.url.replacen(&sig, &flipped, 1);
    for (what, url) in [
        ("key", other_key),
        ("override", other_type),
        ("signature", other_sig),
    ] {
        assert_ne!(url, req.url, "the {what} was not changed");
        let res = send_url("GET", &url, &req.headers, &[], Bytes::new()).await;
        assert_eq!(
            res.status,
            403,
            "a tampered {what} must be refused: {}",
            res.text()
        );
    }
}

#[tokio::test]
async fn seaweed_presigned_get_expires() {
    let Some(s) = seaweed().await else { return };
    let key = format!("dev/{}", FileId::new());
    s.blobs
        .put(&key, Bytes::from_static(b"soon gone"))
        .await
        .expect("put");
    let req = s
        .signer
        .presign_get(&key, Duration::from_secs(2), &overrides())
        .await
        .expect("presign");
    assert_eq!(send(&req, &[], Bytes::new()).await.status, 200);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let res = send(&req, &[], Bytes::new()).await;
    assert_eq!(
        res.status,
        403,
        "an expired URL must be refused: {}",
        res.text()
    );
}

#[tokio::test]
async fn seaweed_presigned_put_pins_length_type_and_checksum() {
    let Some(s) = seaweed().await else { return };
    let body = Bytes::from_static(b"0123456789");
    let sha = hex::encode(Sha256::digest(&body));
    let pins = PutPins {
        size: 10,
        content_type: "text/plain".into(),
        sha256: None,
    };

    // The signed headers are the client's instructions; a body of another length is refused.
    let key = format!("dev/{}", FileId::new());
    let req = s
        .signer
        .presign_put(&key, Duration::from_secs(60), &pins)
        .await
        .expect("presign");
    let longer = send(
        &req,
        &[("content-length", "11")],
        Bytes::from_static(b"0123456789!"),
    )
    .await;
    assert_eq!(longer.status, 403, "longer body: {}", longer.text());
    let shorter = send(
        &req,
        &[("content-length", "4")],
        Bytes::from_static(b"0123"),
    )
    .await;
    assert_eq!(shorter.status, 403, "shorter body: {}", shorter.text());
    let retyped = send_url(
        "PUT",
        &req.url,
        &[("content-length".into(), "10".into())],
        &[("content-type", "text/html")],
        body.clone(),
    )
    .await;
    assert_eq!(
        retyped.status,
        403,
        "another content type: {}",
        retyped.text()
    );
    assert_eq!(
        s.blobs.head(&key).await.expect("head"),
        None,
        "nothing was stored"
    );
    let untagged: Vec<(String, String)> = req
        .headers
        .iter()
        .filter(|(k, _)| k != "x-amz-tagging")
        .cloned()
        .collect();
    let escaped = send_url("PUT", &req.url, &untagged, &[], body.clone()).await;
    assert_eq!(
        escaped.status,
        403,
        "pending tag left out: {}",
        escaped.text()
    );
    let ok = send(&req, &[], body.clone()).await;
    assert_eq!(ok.status, 200, "the declared body: {}", ok.text());
    assert_eq!(s.blobs.get(&key, None).await.expect("get"), body);
    assert_eq!(
        tags(&s.client, &s.bucket, &key).await,
        vec![PENDING_TAG.to_string()]
    );
    s.blobs.commit_object(&key).await.expect("commit object");
    assert_eq!(
        tags(&s.client, &s.bucket, &key).await,
        vec!["filegate-status=ready".to_string()]
    );

    // A declared SHA-256 is pinned too: same length, other bytes, is refused.
    let key = format!("dev/{}", FileId::new());
    let pins = PutPins {
        sha256: Some(sha),
        ..pins
    };
    let req = s
        .signer
        .presign_put(&key, Duration::from_secs(60), &pins)
        .await
        .expect("presign");
    assert!(
        req.headers
            .iter()
            .any(|(k, _)| k == "x-amz-checksum-sha256"),
        "{:?}",
        req.headers
    );
    let wrong = send(&req, &[], Bytes::from_static(b"9876543210")).await;
    assert_eq!(
        wrong.status,
        400,
        "other bytes, same length: {}",
        wrong.text()
    );
    let dropped: Vec<(String, String)> = req
        .headers
        .iter()
        .filter(|(k, _)| k != "x-amz-checksum-sha256")
        .cloned()
        .collect();
    let unsent = send_url(
        "PUT",
        &req.url,
        &dropped,
        &[],
        Bytes::from_static(b"9876543210"),
    )
    .await;
    assert_eq!(
        unsent.status,
        403,
        "checksum header left out: {}",
        unsent.text()
    );
    let right = send(&req, &[], body.clone()).await;
    assert_eq!(right.status, 200, "{}", right.text());
    assert_eq!(s.blobs.head(&key).await.expect("head"), Some(10));
}
