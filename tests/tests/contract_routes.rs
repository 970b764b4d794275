//! One route table, three places: `ROUTES` (shared/src/routes.rs), `openapi.yaml` and
//! `template.yaml` must list the same (METHOD, path) pairs, each owned by the same function; and
//! every error code the code can produce must be in openapi.yaml's error code enum.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use filegate_shared::domain::{FileId, FileRecord, FileStatus};
use filegate_shared::routes::{Function, ROUTES};
use filegate_shared::ApiError;
use serde_norway::Value;

type Route = (String, String);

const OPENAPI_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn repo_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel)
}

/// Parses a YAML file into a `Value`. CloudFormation short tags (`!Ref`, `!Sub`, `!GetAtt`...)
/// become `Value::Tagged` instead of failing.
fn load_yaml(rel: &str) -> Value {
    let path = repo_file(rel);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("parse {rel}: {e}"))
}

fn mapping<'a>(v: &'a Value, what: &str) -> &'a serde_norway::Mapping {
    v.as_mapping()
        .unwrap_or_else(|| panic!("{what} is not a mapping"))
}

fn text(v: &Value) -> Option<&str> {
    v.as_str()
}

/// The template's function logical ids, per `Function`.
fn template_function_id(f: Function) -> &'static str {
    match f {
        Function::Upload => "UploadFunction",
        Function::Metadata => "MetadataFunction",
        Function::Preview => "PreviewFunction",
        Function::Presign => "PresignFunction",
    }
}

fn routes_table() -> BTreeMap<Route, Function> {
    let mut out = BTreeMap::new();
    for (method, path, function) in ROUTES {
        let prev = out.insert((method.to_string(), path.to_string()), *function);
        assert!(prev.is_none(), "ROUTES lists {method} {path} twice");
    }
    out
}

/// (METHOD, path) → the tags of the operation; also reports operations on `/l/{token}` and
/// elsewhere whose `security` disagrees with API.md.
fn openapi_routes(doc: &Value, problems: &mut Vec<String>) -> BTreeMap<Route, Vec<String>> {
    let mut out = BTreeMap::new();
    let paths = mapping(&doc["paths"], "openapi.yaml `paths`");
    for (path, item) in paths {
        let path = text(path).unwrap().to_string();
        for (key, op) in mapping(item, &format!("openapi.yaml path item {path}")) {
            let key = text(key).unwrap();
            if !OPENAPI_METHODS.contains(&key) {
                continue; // parameters, summary, description, servers
            }
            let tags: Vec<String> = op["tags"]
                .as_sequence()
                .map(|s| {
                    s.iter()
                        .filter_map(|t| t.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let route = (key.to_ascii_uppercase(), path.clone());
            // API.md: every /v1 route needs a key (the document-wide `security`); /l/{token} none.
            let security = op.get("security");
            if path.starts_with("/l/") {
                if security
                    .and_then(Value::as_sequence)
                    .is_none_or(|s| !s.is_empty())
                {
                    problems.push(format!(
                        "openapi.yaml: {} {} must have `security: []` (no key)",
                        route.0, route.1
                    ));
                }
            } else if security.is_some() {
                problems.push(format!(
                    "openapi.yaml: {} {} must not override the document's security",
                    route.0, route.1
                ));
            }
            out.insert(route, tags);
        }
    }
    out
}

/// (METHOD, path) → the function logical id, for every `HttpApi` event in the template.
fn template_routes(doc: &Value, problems: &mut Vec<String>) -> BTreeMap<Route, String> {
    let mut out = BTreeMap::new();
    for (id, res) in mapping(&doc["Resources"], "template.yaml `Resources`") {
        let id = text(id).unwrap();
        if res["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let Some(events) = res["Properties"]["Events"].as_mapping() else {
            continue;
        };
        for (name, event) in events {
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let name = text(name).unwrap_or("?");
            let props = &event["Properties"];
            match (props["Method"].as_str(), props["Path"].as_str()) {
                (Some(method), Some(path)) => {
                    let route = (method.to_ascii_uppercase(), path.to_string());
                    if let Some(other) = out.insert(route.clone(), id.to_string()) {
                        problems.push(format!("template.yaml: {} {} is an event of both {other} and {id}", route.0, route.1));
                    }
                }
                _ => problems.push(format!("template.yaml: {id}.Events.{name} is an HttpApi event without a literal Method and Path")),
            }
        }
    }
    out
}

fn fmt(routes: &BTreeSet<&Route>) -> String {
    routes
        .iter()
        .map(|(m, p)| format!("\n    {m} {p}"))
        .collect()
}

#[test]
fn routes_openapi_and_template_agree() {
    let mut problems = Vec::new();
    let table = routes_table();
    let openapi = openapi_routes(&load_yaml("openapi.yaml"), &mut problems);
    let template = template_routes(&load_yaml("template.yaml"), &mut problems);

    let in_table: BTreeSet<&Route> = table.keys().collect();
    let in_openapi: BTreeSet<&Route> = openapi.keys().collect();
    let in_template: BTreeSet<&Route> = template.keys().collect();
    for (name, other) in [
        ("openapi.yaml", &in_openapi),
        ("template.yaml", &in_template),
    ] {
        let missing: BTreeSet<&Route> = in_table.difference(other).copied().collect();
        let extra: BTreeSet<&Route> = other.difference(&in_table).copied().collect();
        if !missing.is_empty() {
            problems.push(format!("in ROUTES but not in {name}:{}", fmt(&missing)));
        }
        if !extra.is_empty() {
            problems.push(format!("in {name} but not in ROUTES:{}", fmt(&extra)));
        }
    }

    for (route, function) in &table {
        if let Some(id) = template.get(route) {
            let want = template_function_id(*function);
            if id != want {
                problems.push(format!(
                    "template.yaml: {} {} is on {id}, ROUTES says {want}",
                    route.0, route.1
                ));
            }
        }
        if let Some(tags) = openapi.get(route) {
            if tags.first().map(String::as_str) != Some(function.name()) {
                problems.push(format!(
                    "openapi.yaml: {} {} has tags {tags:?}, ROUTES says function `{}` (first tag)",
                    route.0,
                    route.1,
                    function.name()
                ));
            }
        }
    }

    assert!(
        problems.is_empty(),
        "route tables disagree:\n  {}",
        problems.join("\n  ")
    );
}

/// Every variant, so that every `code()` is enumerated. The match below has no wildcard: a new
/// variant fails to compile here until it is added to the list.
fn every_error() -> Vec<ApiError> {
    let all = vec![
        ApiError::InvalidParam("x".into()),
        ApiError::NoFileUploaded,
        ApiError::TooManyFiles,
        ApiError::Unauthorized,
        ApiError::AccessDenied("x".into()),
        ApiError::FileNotFound,
        ApiError::LinkedFileNotFound,
        ApiError::LinkExpired,
        ApiError::Conflict("x".into()),
        ApiError::PreconditionFailed,
        ApiError::FileTooLarge("x".into()),
        ApiError::UnsupportedFileType("x".into()),
        ApiError::RangeNotSatisfiable { size: 1 },
        ApiError::RateLimited,
        ApiError::RouteNotFound("x".into()),
        ApiError::MethodNotAllowed,
        ApiError::Internal("x".into()),
        ApiError::ServiceUnavailable("x".into()),
    ];
    for e in &all {
        match e {
            ApiError::InvalidParam(_)
            | ApiError::NoFileUploaded
            | ApiError::TooManyFiles
            | ApiError::Unauthorized
            | ApiError::AccessDenied(_)
            | ApiError::FileNotFound
            | ApiError::LinkedFileNotFound
            | ApiError::LinkExpired
            | ApiError::Conflict(_)
            | ApiError::PreconditionFailed
            | ApiError::FileTooLarge(_)
            | ApiError::UnsupportedFileType(_)
            | ApiError::RangeNotSatisfiable { .. }
            | ApiError::RateLimited
            | ApiError::RouteNotFound(_)
            | ApiError::MethodNotAllowed
            | ApiError::Internal(_)
            | ApiError::ServiceUnavailable(_) => {}
        }
    }
    all
}

#[test]
fn every_error_code_is_in_the_openapi_enum() {
    let doc = load_yaml("openapi.yaml");
    let error = &doc["components"]["schemas"]["Error"];
    let listed: BTreeSet<String> = error["properties"]["code"]["enum"]
        .as_sequence()
        .expect("components.schemas.Error.properties.code.enum")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let produced: BTreeSet<String> = every_error().iter().map(|e| e.code().to_string()).collect();
    let missing: Vec<&String> = produced.difference(&listed).collect();
    let stale: Vec<&String> = listed.difference(&produced).collect();
    assert!(
        missing.is_empty(),
        "error codes the code produces but openapi.yaml's Error.code enum lacks: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "openapi.yaml's Error.code enum lists codes no ApiError produces: {stale:?}"
    );

    let required: Vec<&str> = error["required"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        required,
        ["status", "code", "message"],
        "the envelope's required fields"
    );
    assert!(
        error["properties"]["request_id"].is_mapping(),
        "the envelope documents request_id (5xx)"
    );
}

/// The File schema lists exactly the fields `FileRecord::to_json` writes, all required.
#[test]
fn file_schema_matches_to_json() {
    let doc = load_yaml("openapi.yaml");
    let schema = &doc["components"]["schemas"]["File"];
    let props: BTreeSet<String> = mapping(&schema["properties"], "File.properties")
        .keys()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    let required: BTreeSet<String> = schema["required"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let now = filegate_shared::clock::now();
    let record = FileRecord {
        id: FileId::parse("0193a6f2-7c1e-7b3a-9c2d-5e8f1a2b3c4d").unwrap(),
        tenant: "dev".into(),
        name: "a.txt".into(),
        extension: Some("txt".into()),
        mime_type: "text/plain".into(),
        size: 1,
        sha256: None,
        status: FileStatus::Pending,
        created_by: None,
        namespace: None,
        created_at: now,
        updated_at: now,
        expires_at: Some(now),
        upload_id: Some("u".into()),
        declared_sha256: Some("0".repeat(64)),
    };
    let json = record.to_json();
    let written: BTreeSet<String> = json.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        props, written,
        "File.properties vs FileRecord::to_json keys"
    );
    assert_eq!(
        required, written,
        "File.required vs FileRecord::to_json keys"
    );
}

/// serde_norway reads CloudFormation's short tags as tagged values, in every position the
/// template uses them (scalar, sequence, nested), rather than failing.
#[test]
fn cloudformation_tags_parse() {
    let doc = load_yaml("template.yaml");
    let api_id = &doc["Resources"]["UploadFunction"]["Properties"]["Events"]["UploadInline"]
        ["Properties"]["ApiId"];
    match api_id {
        Value::Tagged(t) => {
            assert_eq!(t.tag, "!Ref");
            assert_eq!(t.value.as_str(), Some("HttpApi"));
        }
        other => panic!("expected a tagged value for !Ref, got {other:?}"),
    }
    let condition = &doc["Conditions"]["HasPublicBaseUrl"];
    assert!(
        matches!(condition, Value::Tagged(t) if t.tag == "!Not"),
        "{condition:?}"
    );
}
