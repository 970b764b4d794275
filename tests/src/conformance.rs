//! The storage conformance suite: the same cases against every backend, so the local and AWS
//! adapters cannot drift apart. A backend's test file instantiates it with
//! `conformance_suite!(async_fn_returning_backend)`.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use filegate_shared::auth::NewKey;
use filegate_shared::backend::Backend;
use filegate_shared::domain::{
    FileId, FileRecord, FileStatus, LinkKind, LinkRecord, LinkToken, Scopes,
};
use filegate_shared::store::{
    IdempotencyRecord, ListQuery, PutPins, ResponseOverrides, StoreError,
};
use time::OffsetDateTime;

pub fn unique_tenant() -> String {
    format!("t{}", uuid_like())
}

fn uuid_like() -> String {
    FileId::new().to_string().replace('-', "")[16..].to_string()
}

pub fn file(tenant: &str, user: Option<&str>, ns: Option<&str>) -> FileRecord {
    let now = filegate_shared::clock::now();
    FileRecord {
        id: FileId::new(),
        tenant: tenant.into(),
        name: "a.txt".into(),
        extension: Some("txt".into()),
        mime_type: "text/plain".into(),
        size: 3,
        sha256: Some("ab".repeat(32)),
        status: FileStatus::Ready,
        created_by: user.map(str::to_string),
        namespace: ns.map(str::to_string),
        created_at: now,
        updated_at: now,
        expires_at: None,
        upload_id: None,
        declared_sha256: None,
    }
}

fn link(
    tenant: &str,
    file_id: FileId,
    ttl: time::Duration,
    max_uses: Option<u32>,
) -> (LinkToken, LinkRecord) {
    let token = LinkToken::generate();
    let now = filegate_shared::clock::now();
    let rec = LinkRecord {
        token_hash: token.hash(),
        tenant: tenant.into(),
        file_id,
        kind: LinkKind::Download,
        created_at: now,
        expires_at: now + ttl,
        max_uses,
        uses: 0,
        revoked: false,
        created_by_key: "k".into(),
    };
    (token, rec)
}

pub async fn files_round_trip(b: &Backend) {
    let t = unique_tenant();
    let mut f = file(&t, Some("u1"), None);
    b.files.create_file(&f).await.unwrap();
    assert_eq!(b.files.get_file(&t, &f.id).await.unwrap(), Some(f.clone()));
    assert!(
        matches!(b.files.create_file(&f).await, Err(StoreError::Conflict(_))),
        "create must not overwrite"
    );
    f.name = "Résumé — final.pdf".into();
    b.files.update_file(&f).await.unwrap();
    assert_eq!(
        b.files.get_file(&t, &f.id).await.unwrap().unwrap().name,
        "Résumé — final.pdf"
    );
    assert!(b.files.delete_file(&t, &f.id).await.unwrap());
    assert!(!b.files.delete_file(&t, &f.id).await.unwrap());
    assert_eq!(b.files.get_file(&t, &f.id).await.unwrap(), None);
    assert_eq!(
        b.files.update_file(&f).await,
        Err(StoreError::NotFound),
        "update must not resurrect"
    );
}

pub async fn files_are_tenant_scoped(b: &Backend) {
    let (t1, t2) = (unique_tenant(), unique_tenant());
    let f = file(&t1, None, None);
    b.files.create_file(&f).await.unwrap();
    assert_eq!(b.files.get_file(&t2, &f.id).await.unwrap(), None);
    assert!(!b.files.delete_file(&t2, &f.id).await.unwrap());
    let page = b
        .files
        .list_files(
            &t2,
            &ListQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(page.files.is_empty());
}

pub async fn list_is_newest_first_paged_and_filtered(b: &Backend) {
    let t = unique_tenant();
    let mut ids = Vec::new();
    for i in 0..7 {
        let user = if i % 2 == 0 {
            Some("even")
        } else {
            Some("odd")
        };
        let ns = if i < 3 { Some("ns1") } else { None };
        let f = file(&t, user, ns);
        b.files.create_file(&f).await.unwrap();
        ids.push(f.id);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = b
            .files
            .list_files(
                &t,
                &ListQuery {
                    limit: 3,
                    before,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        seen.extend(page.files.iter().map(|f| f.id));
        if !page.has_more {
            break;
        }
        before = page.files.last().map(|f| f.id);
    }
    assert_eq!(seen, ids);
    let evens = b
        .files
        .list_files(
            &t,
            &ListQuery {
                user: Some("even".into()),
                limit: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(evens.files.len(), 2);
    assert!(evens.has_more, "4 even files, page of 2");
    assert!(evens
        .files
        .iter()
        .all(|f| f.created_by.as_deref() == Some("even")));
    let ns = b
        .files
        .list_files(
            &t,
            &ListQuery {
                namespace: Some("ns1".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(ns.files.len(), 3);
    assert!(!ns.has_more);
    let both = ListQuery {
        user: Some("odd".into()),
        namespace: Some("ns1".into()),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(b.files.list_files(&t, &both).await.unwrap().files.len(), 1);
}

pub async fn expired_pending_files_are_hidden(b: &Backend) {
    let t = unique_tenant();
    let mut f = file(&t, None, None);
    f.status = FileStatus::Pending;
    f.expires_at = Some(filegate_shared::clock::now() - time::Duration::seconds(5));
    b.files.create_file(&f).await.unwrap();
    assert_eq!(b.files.get_file(&t, &f.id).await.unwrap(), None);
    let page = b
        .files
        .list_files(
            &t,
            &ListQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(page.files.is_empty());
    let mut live = file(&t, None, None);
    live.status = FileStatus::Pending;
    live.expires_at = Some(filegate_shared::clock::now() + time::Duration::hours(1));
    b.files.create_file(&live).await.unwrap();
    assert!(b.files.get_file(&t, &live.id).await.unwrap().is_some());
}

pub async fn keys_round_trip(b: &Backend) {
    let t = unique_tenant();
    let k = NewKey::generate(&t, Some("u".into()), Scopes::parse("read").unwrap());
    b.keys.create_key(&k.record).await.unwrap();
    assert_eq!(
        b.keys.get_key(&k.record.key_id).await.unwrap(),
        Some(k.record.clone())
    );
    let listed = b.keys.list_keys(Some(&t)).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(
        !serde_json::to_string(&listed[0])
            .unwrap()
            .contains(&k.full[20..]),
        "secret must not be stored"
    );
    assert!(b
        .keys
        .revoke_key(&k.record.key_id, filegate_shared::clock::now())
        .await
        .unwrap());
    assert!(!b
        .keys
        .revoke_key(&k.record.key_id, filegate_shared::clock::now())
        .await
        .unwrap());
    assert!(b
        .keys
        .get_key(&k.record.key_id)
        .await
        .unwrap()
        .unwrap()
        .revoked_at
        .is_some());
    assert_eq!(b.keys.get_key("0000000000000000").await.unwrap(), None);
}

pub async fn links_count_uses_atomically(b: &Backend) {
    let t = unique_tenant();
    let (_, rec) = link(&t, FileId::new(), time::Duration::minutes(5), Some(1));
    b.links.create_link(&rec).await.unwrap();
    let now = filegate_shared::clock::now();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let links = Arc::clone(&b.links);
            let hash = rec.token_hash.clone();
            tokio::spawn(async move { links.consume_link(&hash, now).await.unwrap().is_some() })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        wins += usize::from(t.await.unwrap());
    }
    assert_eq!(wins, 1, "a 1-use link must succeed exactly once");
    assert_eq!(
        b.links
            .get_link(&rec.token_hash)
            .await
            .unwrap()
            .unwrap()
            .uses,
        1
    );
}

pub async fn links_expire_and_revoke(b: &Backend) {
    let t = unique_tenant();
    let (_, rec) = link(&t, FileId::new(), time::Duration::minutes(5), None);
    b.links.create_link(&rec).await.unwrap();
    let later: OffsetDateTime = rec.expires_at + time::Duration::seconds(1);
    assert!(
        b.links
            .consume_link(&rec.token_hash, later)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    let now = filegate_shared::clock::now();
    assert_eq!(
        b.links
            .consume_link(&rec.token_hash, now)
            .await
            .unwrap()
            .unwrap()
            .uses,
        1
    );
    assert!(!b
        .links
        .revoke_link("someone-else", &rec.token_hash)
        .await
        .unwrap());
    assert!(b.links.revoke_link(&t, &rec.token_hash).await.unwrap());
    assert!(
        b.links
            .consume_link(&rec.token_hash, now)
            .await
            .unwrap()
            .is_none(),
        "revoked"
    );
    assert!(b
        .links
        .get_link(&LinkToken::generate().hash())
        .await
        .unwrap()
        .is_none());
}

pub async fn idempotency_first_writer_wins(b: &Backend) {
    let t = unique_tenant();
    let rec = IdempotencyRecord {
        tenant: t.clone(),
        key: "retry-1".into(),
        request_hash: "h1".into(),
        file_id: FileId::new(),
        expires_at: filegate_shared::clock::now() + time::Duration::hours(1),
    };
    assert!(b.idempotency.put_idempotency(&rec).await.unwrap());
    let mut second = rec.clone();
    second.request_hash = "h2".into();
    assert!(!b.idempotency.put_idempotency(&second).await.unwrap());
    assert_eq!(
        b.idempotency.get_idempotency(&t, "retry-1").await.unwrap(),
        Some(rec)
    );
    assert_eq!(
        b.idempotency
            .get_idempotency(&unique_tenant(), "retry-1")
            .await
            .unwrap(),
        None
    );
}

pub async fn blobs_round_trip_with_ranges(b: &Backend) {
    let key = format!("{}/{}", unique_tenant(), FileId::new());
    let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    b.blobs.put(&key, Bytes::from(data.clone())).await.unwrap();
    assert_eq!(b.blobs.head(&key).await.unwrap(), Some(10_000));
    assert_eq!(
        b.blobs.get(&key, None).await.unwrap(),
        Bytes::from(data.clone())
    );
    assert_eq!(
        b.blobs.get(&key, Some(100..=199)).await.unwrap(),
        Bytes::from(data[100..200].to_vec())
    );
    assert_eq!(
        b.blobs.get(&key, Some(9_990..=9_999)).await.unwrap().len(),
        10
    );
    b.blobs.put(&key, Bytes::from_static(b"new")).await.unwrap();
    assert_eq!(
        b.blobs.get(&key, None).await.unwrap(),
        Bytes::from_static(b"new")
    );
    b.blobs.delete(&key).await.unwrap();
    b.blobs.delete(&key).await.unwrap();
    assert_eq!(b.blobs.head(&key).await.unwrap(), None);
    assert_eq!(b.blobs.get(&key, None).await, Err(StoreError::NotFound));
}

pub async fn signer_reports_true_expiry(b: &Backend) {
    let key = format!("{}/{}", unique_tenant(), FileId::new());
    let before = filegate_shared::clock::now();
    let o = ResponseOverrides {
        content_type: "text/plain".into(),
        content_disposition: "attachment".into(),
    };
    let get = b
        .signer
        .presign_get(&key, Duration::from_secs(120), &o)
        .await
        .unwrap();
    assert!(get.expires_at > before && get.expires_at <= before + time::Duration::seconds(121));
    assert!(get.url.starts_with("http"));
    let pins = PutPins {
        size: 5,
        content_type: "text/plain".into(),
        sha256: None,
    };
    let put = b
        .signer
        .presign_put(&key, Duration::from_secs(60), &pins)
        .await
        .unwrap();
    assert_eq!(put.method, "PUT");
    assert!(put
        .headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("content-length") && v == "5"));
}

pub async fn server_secret_is_stable(b: &Backend) {
    let first = b.secrets.server_secret().await.unwrap();
    assert_eq!(first, b.cursor_key, "the cursor key is the stored secret");
    assert_eq!(
        b.secrets.server_secret().await.unwrap(),
        first,
        "first writer wins, then it never changes"
    );
    assert_ne!(first, [0u8; 32]);
}

/// Instantiates every case as a `#[tokio::test]` against the backend `$make` returns
/// (`$make` is an async fn returning `Option<Backend>`; `None` skips, e.g. no emulator).
#[macro_export]
macro_rules! conformance_suite {
    ($make:path) => {
        $crate::conformance_suite!(@cases $make;
            files_round_trip, files_are_tenant_scoped, list_is_newest_first_paged_and_filtered,
            expired_pending_files_are_hidden, keys_round_trip, links_count_uses_atomically,
            links_expire_and_revoke, idempotency_first_writer_wins, blobs_round_trip_with_ranges,
            signer_reports_true_expiry, server_secret_is_stable);
    };
    (@cases $make:path; $($case:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                if let Some(backend) = $make().await {
                    $crate::conformance::$case(&backend).await;
                }
            }
        )*
    };
}
