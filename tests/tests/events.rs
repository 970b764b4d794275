//! The `events/*.json` fixtures are real API Gateway (HTTP API v2) events: each parses with
//! `lambda_http::request::from_str` to its own route, and runs through the owning function's
//! handler to the route's success status against a freshly seeded local backend.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use filegate_shared::http::Response;
use filegate_shared::routes::{match_route, Function, ROUTES};
use filegate_tests::fixtures::{self, CSV, FILE_ID};
use http::Method;

const S3_EVENT: &str = "s3-object-created.json";

/// What each event must get. Every `events/*.json` but the S3 one needs a row.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Status(u16),
}

const EXPECTED: &[(&str, Expect)] = &[
    ("upload-post-files.json", Expect::Status(201)),
    ("upload-create-upload.json", Expect::Status(201)),
    // The seeded file is ready: completing it again returns it unchanged.
    ("upload-complete-upload.json", Expect::Status(200)),
    ("metadata-list-files.json", Expect::Status(200)),
    ("metadata-delete-files.json", Expect::Status(200)),
    ("metadata-get-file.json", Expect::Status(200)),
    ("metadata-rename-file.json", Expect::Status(200)),
    ("metadata-delete-file.json", Expect::Status(204)),
    ("preview-get-preview.json", Expect::Status(206)),
    ("preview-head-preview.json", Expect::Status(200)),
    ("preview-get-download.json", Expect::Status(200)),
    ("preview-head-download.json", Expect::Status(200)),
    ("preview-get-link.json", Expect::Status(200)),
    ("preview-head-link.json", Expect::Status(200)),
    ("presign-create-link.json", Expect::Status(201)),
    ("presign-revoke-link.json", Expect::Status(204)),
    ("presign-download-url.json", Expect::Status(200)),
];

fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("events")
}

/// Every `events/*.json` but the S3 one, sorted by name.
fn http_events() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(events_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if !name.ends_with(".json") || name == S3_EVENT {
            continue;
        }
        out.push((name, std::fs::read_to_string(&path).unwrap()));
    }
    out.sort();
    out
}

/// `/v1/files/{id}` matches `/v1/files/<anything non-empty>`.
fn template_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter().zip(&p).all(|(t, p)| {
            if t.starts_with('{') && t.ends_with('}') {
                !p.is_empty()
            } else {
                t == p
            }
        })
}

fn body_json(name: &str, res: &Response) -> serde_json::Value {
    serde_json::from_slice(res.body().as_ref()).unwrap_or_else(|e| {
        panic!(
            "{name}: body is not JSON ({e}): {:?}",
            String::from_utf8_lossy(res.body().as_ref())
        )
    })
}

fn header<'a>(res: &'a Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// A few route-specific checks beyond the status, so a fixture cannot pass by accident.
fn check_success(name: &str, res: &Response) {
    let body = res.body().as_ref();
    match name {
        "upload-post-files.json" => {
            let j = body_json(name, res);
            assert_eq!(j["name"], "hello.txt", "{name}: {j}");
            assert_eq!(j["created_by"], "abc-123", "{name}: {j}");
            assert_eq!(j["status"], "ready", "{name}: {j}");
        }
        "metadata-list-files.json" => {
            let j = body_json(name, res);
            assert_eq!(j["data"][0]["id"], FILE_ID, "{name}: {j}");
            assert_eq!(j["has_more"], false, "{name}: {j}");
        }
        "metadata-delete-files.json" => {
            let j = body_json(name, res);
            assert_eq!(j["deleted"], serde_json::json!([FILE_ID]), "{name}: {j}");
        }
        "metadata-get-file.json" => {
            let j = body_json(name, res);
            assert_eq!(j["id"], FILE_ID, "{name}: {j}");
            assert!(
                j["preview_path"].as_str().unwrap_or("").starts_with("/l/"),
                "{name}: {j}"
            );
            assert!(
                j["download_path"].as_str().unwrap_or("").starts_with("/l/"),
                "{name}: {j}"
            );
        }
        "metadata-rename-file.json" => {
            assert_eq!(body_json(name, res)["name"], "report-2026.csv");
        }
        "preview-get-preview.json" => {
            assert_eq!(
                header(res, "content-range"),
                format!("bytes 0-15/{}", CSV.len()),
                "{name}"
            );
            assert_eq!(body, &CSV[..16], "{name}");
        }
        "preview-get-download.json" => {
            assert!(
                header(res, "content-disposition").starts_with("attachment"),
                "{name}: {:?}",
                res.headers()
            );
            assert_eq!(body, CSV, "{name}");
        }
        "preview-head-preview.json" | "preview-head-download.json" | "preview-head-link.json" => {
            assert!(body.is_empty(), "{name}: HEAD must have no body");
            assert!(
                !header(res, "etag").is_empty(),
                "{name}: {:?}",
                res.headers()
            );
        }
        "preview-get-link.json" => {
            // A preview link to a CSV file: the HTML table page.
            assert!(
                header(res, "content-type").starts_with("text/html"),
                "{name}: {:?}",
                res.headers()
            );
            assert!(String::from_utf8_lossy(body).contains("alpha"), "{name}");
        }
        "presign-create-link.json" => {
            let j = body_json(name, res);
            assert_eq!(j["kind"], "download", "{name}: {j}");
            assert_eq!(j["max_uses"], 1, "{name}: {j}");
            let path = j["path"].as_str().unwrap();
            // Behind API Gateway without a configured public URL, links use the request's host.
            assert_eq!(
                j["url"],
                format!("https://abcdef1234.execute-api.us-east-1.amazonaws.com{path}"),
                "{name}: {j}"
            );
        }
        "presign-download-url.json" => {
            let j = body_json(name, res);
            assert_eq!(j["file_id"], FILE_ID, "{name}: {j}");
            assert!(
                j["download_url"].as_str().is_some_and(|u| !u.is_empty()),
                "{name}: {j}"
            );
        }
        _ => {}
    }
}

#[tokio::test]
async fn every_http_event_runs_through_its_handler() {
    let events = http_events();
    let names: BTreeSet<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    let expected: BTreeSet<&str> = EXPECTED.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names, expected,
        "events/*.json vs the EXPECTED table of this test"
    );

    let mut covered: BTreeSet<(String, String)> = BTreeSet::new();
    for (name, text) in &events {
        let raw: serde_json::Value =
            serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
        assert_eq!(raw["version"], "2.0", "{name}");
        assert_eq!(raw["requestContext"]["stage"], "$default", "{name}");
        assert!(
            raw["headers"]["host"].is_string(),
            "{name}: needs a host header"
        );
        let route_key = raw["routeKey"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no routeKey"));
        assert_eq!(raw["requestContext"]["routeKey"], route_key, "{name}");
        let (method, template) = route_key
            .split_once(' ')
            .unwrap_or_else(|| panic!("{name}: routeKey `{route_key}`"));

        let req = lambda_http::request::from_str(text)
            .unwrap_or_else(|e| panic!("{name}: lambda_http cannot parse it: {e}"));
        assert_eq!(req.method().as_str(), method, "{name}: method vs routeKey");
        let path = req.uri().path().to_string();
        assert_eq!(
            path,
            raw["rawPath"].as_str().unwrap(),
            "{name}: uri path vs rawPath"
        );
        assert!(
            template_matches(template, &path),
            "{name}: path {path} does not fit routeKey {route_key}"
        );

        let rows: Vec<&(&str, &str, Function)> = ROUTES
            .iter()
            .filter(|(m, t, _)| *m == method && template_matches(t, &path))
            .collect();
        assert_eq!(
            rows.len(),
            1,
            "{name}: {method} {path} fits ROUTES rows {rows:?}"
        );
        let (_, row_template, row_function) = rows[0];
        assert_eq!(*row_template, template, "{name}: routeKey vs ROUTES");
        let function = match_route(&Method::from_bytes(method.as_bytes()).unwrap(), &path)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"))
            .function();
        assert_eq!(function, *row_function, "{name}: match_route vs ROUTES");
        assert!(
            covered.insert((method.to_string(), template.to_string())),
            "{name}: a second event for {route_key}"
        );

        // A fresh backend per event, so deletes and revokes do not affect the others.
        let dir = tempfile::tempdir().unwrap();
        // The same data `seed-fixtures` writes for scripts/lambda_invoke_check.sh.
        let backend = fixtures::seeded(dir.path()).await.unwrap();
        let res = match function {
            Function::Upload => filegate_upload::handle(&backend, req).await,
            Function::Metadata => filegate_metadata::handle(&backend, req).await,
            Function::Preview => filegate_preview::handle(&backend, req).await,
            Function::Presign => filegate_presign::handle(&backend, req).await,
        };
        let status = res.status().as_u16();
        let expect = EXPECTED
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| *e)
            .unwrap();
        match expect {
            Expect::Status(want) => {
                assert_eq!(
                    status,
                    want,
                    "{name} ({route_key}): body {}",
                    String::from_utf8_lossy(res.body().as_ref())
                );
                check_success(name, &res);
            }
        }
    }

    let table: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let missing: Vec<_> = table.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "routes without an event in events/: {missing:?}"
    );
}

#[test]
fn s3_event_parses() {
    let text = std::fs::read_to_string(events_dir().join(S3_EVENT)).unwrap();
    let event: aws_lambda_events::event::s3::S3Event = serde_json::from_str(&text).unwrap();
    assert_eq!(event.records.len(), 1);
    let record = &event.records[0];
    assert_eq!(record.event_name.as_deref(), Some("ObjectCreated:Put"));
    assert_eq!(record.s3.bucket.name.as_deref(), Some("filegate-bucket"));
    assert_eq!(
        record.s3.object.key.as_deref(),
        Some(format!("dev/{FILE_ID}").as_str())
    );
}
