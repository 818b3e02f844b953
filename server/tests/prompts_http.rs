//! The Prompt Hub's REST API and the OpenAPI document, in-process (tower
//! `oneshot`), on a server started without a model: none of these calls
//! needs one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

mod support;

use std::path::{Path, PathBuf};

use support::call;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use axum::Router;
use pep_server::config::{Config, LogFormat};
use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

async fn start(dir: &tempfile::TempDir) -> Router {
    let config = Config {
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.path().to_owned(),
        database_url: None,
        models_config: root().join("config/models.yaml"),
        local_model_path: Some(dir.path().join("no-model.gguf")),
        site_root: None,
        log_format: LogFormat::Text,
        session_idle_minutes: 30,
        allowed_hosts: Vec::new(),
        shutdown_grace_seconds: 30,
        run_lease_seconds: 30,
    };
    pep_server::router(pep_server::build_state(&config).await.expect("state"))
}

/// A JSON call; returns the status and the JSON body (`null` when empty).
async fn json_call(
    app: &Router,
    method: Method,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let (status, _, bytes) = match body {
        Some(body) => call(app, method, uri, Some("application/json"), body.to_string()).await,
        None => call(app, method, uri, None, Body::empty()).await,
    };
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!("{uri}: not JSON ({e}): {}", String::from_utf8_lossy(&bytes))
        })
    };
    (status, value)
}

fn assert_error(status: StatusCode, body: &Value, expected: StatusCode, kind: &str, what: &str) {
    assert_eq!(status, expected, "{what}: {body}");
    assert_eq!(body["error"]["kind"], kind, "{what}: {body}");
    assert!(
        !body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .is_empty(),
        "{what}: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starter_prompts_are_there_on_first_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir).await;
    let (status, prompts) = json_call(&app, Method::GET, "/api/v1/prompts", None).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = prompts
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for expected in [
        "Summarise",
        "Translate",
        "Code review",
        "Extract entities as JSON",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    // A second start on the same data folder adds none.
    drop(app);
    let app = start(&dir).await;
    let (_, again) = json_call(&app, Method::GET, "/api/v1/prompts", None).await;
    assert_eq!(again.as_array().unwrap().len(), names.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prompt_through_its_whole_life() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir).await;
    let (status, created) = json_call(
        &app,
        Method::POST,
        "/api/v1/prompts",
        Some(json!({
            "name": "Greeter",
            "description": "Says hello",
            "tags": ["Demo"],
            "version": {
                "template": "Hello {{ name }}!",
                "system": "Be {{ mood }}.",
                "defaults": {"mood": "warm"},
                "params": {"temperature": 0.5},
                "message": "first"
            }
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["prompt"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["prompt"]["tags"], json!(["demo"]));
    assert_eq!(created["versions"][0]["version"], 1);
    assert_eq!(created["versions"][0]["lifecycle"], "draft");
    let base = format!("/api/v1/prompts/{id}");

    let (status, body) = json_call(
        &app,
        Method::POST,
        "/api/v1/prompts",
        Some(json!({"name": "greeter"})),
    )
    .await;
    assert_error(
        status,
        &body,
        StatusCode::CONFLICT,
        "conflict",
        "duplicate name",
    );

    let (status, v2) = json_call(
        &app,
        Method::POST,
        &format!("{base}/versions"),
        Some(json!({"template": "Hi {{ name }}, {{ greeting }}!", "system": "Be {{ mood }}.", "defaults": {"mood": "warm"}, "params": {"temperature": 0.2}})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v2}");
    assert_eq!(v2["version"], 2);

    let (status, found) =
        json_call(&app, Method::GET, "/api/v1/prompts?q=GREET&tags=demo", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found[0]["id"], id.as_str());
    assert_eq!(found[0]["latest_version"], 2);
    let (_, none) = json_call(&app, Method::GET, "/api/v1/prompts?tags=demo,other", None).await;
    assert_eq!(none, json!([]));

    let (status, patched) = json_call(
        &app,
        Method::PATCH,
        &base,
        Some(json!({"description": "Greets"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (patched["name"].as_str(), patched["description"].as_str()),
        (Some("Greeter"), Some("Greets"))
    );

    let (status, v) = json_call(&app, Method::GET, &format!("{base}/versions/1"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["template"], "Hello {{ name }}!");
    let (_, versions) = json_call(&app, Method::GET, &format!("{base}/versions"), None).await;
    assert_eq!(versions.as_array().unwrap().len(), 2);

    let (status, v) = json_call(
        &app,
        Method::PUT,
        &format!("{base}/versions/2/lifecycle"),
        Some(json!({"lifecycle": "published"})),
    )
    .await;
    assert_eq!(
        (status, v["lifecycle"].as_str()),
        (StatusCode::OK, Some("published"))
    );
    let (status, body) = json_call(
        &app,
        Method::PUT,
        &format!("{base}/versions/2/lifecycle"),
        Some(json!({"lifecycle": "draft"})),
    )
    .await;
    assert_error(
        status,
        &body,
        StatusCode::CONFLICT,
        "conflict",
        "back to draft",
    );

    let (status, label) = json_call(
        &app,
        Method::PUT,
        &format!("{base}/labels/production"),
        Some(json!({"version": 2})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{label}");
    assert_eq!(label["version"], 2);
    let (status, v) = json_call(
        &app,
        Method::GET,
        &format!("{base}/labels/production"),
        None,
    )
    .await;
    assert_eq!((status, v["version"].as_u64()), (StatusCode::OK, Some(2)));
    let (_, labels) = json_call(&app, Method::GET, &format!("{base}/labels"), None).await;
    assert_eq!(labels[0]["name"], "production");

    // Render a version: undefined variables are issues with positions.
    let (status, rendered) = json_call(
        &app,
        Method::POST,
        &format!("{base}/versions/2/render"),
        Some(json!({"variables": {"name": "Ann"}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rendered["messages"], json!([]));
    assert_eq!(rendered["issues"][0]["kind"], "undefined");
    assert_eq!(rendered["issues"][0]["variable"], "greeting");
    assert_eq!(
        (
            rendered["issues"][0]["line"].as_u64(),
            rendered["issues"][0]["column"].as_u64()
        ),
        (Some(1), Some(19))
    );
    let (_, rendered) = json_call(
        &app,
        Method::POST,
        &format!("{base}/versions/2/render"),
        Some(json!({"variables": {"name": "Ann", "greeting": "welcome"}})),
    )
    .await;
    assert_eq!(rendered["system"], "Be warm.");
    assert_eq!(
        rendered["messages"],
        json!([{"role": "user", "content": "Hi Ann, welcome!"}])
    );
    assert_eq!(rendered["variables"], json!(["greeting", "mood", "name"]));

    // Render a template not saved, with a syntax error.
    let (status, rendered) = json_call(
        &app,
        Method::POST,
        "/api/v1/prompts/render",
        Some(json!({"template": "ok\n{% if x %}never closed"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rendered["issues"][0]["kind"], "syntax");
    assert!(
        rendered["issues"][0]["line"].as_u64().is_some(),
        "{rendered}"
    );
    let (_, rendered) = json_call(&app, Method::POST, "/api/v1/prompts/render", Some(json!({"template": "{{ a }}", "examples": [{"input": "q", "output": "r"}], "variables": {"a": 1}}))).await;
    assert_eq!(rendered["messages"].as_array().unwrap().len(), 3);
    // An editor's template may still be empty: it renders, it is not saved.
    let (status, rendered) = json_call(
        &app,
        Method::POST,
        "/api/v1/prompts/render",
        Some(json!({"template": ""})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{rendered}");
    assert_eq!(
        rendered["messages"],
        json!([{"role": "user", "content": ""}])
    );

    let (status, diff) =
        json_call(&app, Method::GET, &format!("{base}/diff?from=1&to=2"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        diff["template"]
            .as_str()
            .unwrap()
            .contains("-Hello {{ name }}!"),
        "{diff}"
    );
    assert_eq!(diff["changes"][0]["field"], "params.temperature");

    let (status, _) = json_call(
        &app,
        Method::DELETE,
        &format!("{base}/labels/production"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = json_call(
        &app,
        Method::GET,
        &format!("{base}/labels/production"),
        None,
    )
    .await;
    assert_error(
        status,
        &body,
        StatusCode::NOT_FOUND,
        "not_found",
        "deleted label",
    );

    let (status, _) = json_call(&app, Method::DELETE, &base, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = json_call(&app, Method::GET, &base, None).await;
    assert_error(
        status,
        &body,
        StatusCode::NOT_FOUND,
        "not_found",
        "deleted prompt",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_clearly_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir).await;
    let (_, created) = json_call(
        &app,
        Method::POST,
        "/api/v1/prompts",
        Some(json!({"name": "Kept", "version": {"template": "t"}})),
    )
    .await;
    let id = created["prompt"]["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/prompts/{id}");
    let (_, before) = json_call(&app, Method::GET, "/api/v1/prompts?limit=500", None).await;
    let (_, detail_before) = json_call(&app, Method::GET, &base, None).await;

    let raw = |method: Method, uri: String, content_type: &'static str, body: String| {
        (method, uri, Some(content_type), body)
    };
    let big = format!(
        "{{\"name\": \"x\", \"description\": \"{}\"}}",
        "a".repeat(1_100_000)
    );
    let cases = [
        (
            raw(
                Method::POST,
                "/api/v1/prompts".into(),
                "application/json",
                "{\"name\": ".into(),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            raw(
                Method::POST,
                "/api/v1/prompts".into(),
                "application/json",
                "{\"name\": 7}".into(),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            raw(
                Method::POST,
                "/api/v1/prompts".into(),
                "text/plain",
                "{\"name\": \"x\"}".into(),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            raw(
                Method::POST,
                "/api/v1/prompts".into(),
                "application/json",
                big,
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        ),
        (
            raw(
                Method::POST,
                "/api/v1/prompts".into(),
                "application/json",
                "{\"name\": \"  \"}".into(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            raw(
                Method::POST,
                "/api/v1/prompts".into(),
                "application/json",
                "{\"name\": \"y\", \"tags\": [\"a,b\"]}".into(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            raw(
                Method::POST,
                "/api/v1/prompts".into(),
                "application/json",
                "{\"name\": \"kept\"}".into(),
            ),
            StatusCode::CONFLICT,
            "conflict",
        ),
        (
            raw(
                Method::POST,
                format!("{base}/versions"),
                "application/json",
                "{\"template\": \"\"}".into(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            raw(
                Method::POST,
                format!("{base}/versions"),
                "application/json",
                "{\"template\": 3}".into(),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            raw(
                Method::POST,
                "/api/v1/prompts/nope/versions".into(),
                "application/json",
                "{\"template\": \"t\"}".into(),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            raw(
                Method::POST,
                format!("/api/v1/prompts/{}/versions", uuid::Uuid::now_v7()),
                "application/json",
                "{\"template\": \"t\"}".into(),
            ),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            raw(
                Method::PUT,
                format!("{base}/versions/1/lifecycle"),
                "application/json",
                "{\"lifecycle\": \"gone\"}".into(),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            raw(
                Method::PUT,
                format!("{base}/versions/0/lifecycle"),
                "application/json",
                "{\"lifecycle\": \"published\"}".into(),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            raw(
                Method::PUT,
                format!("{base}/versions/9/lifecycle"),
                "application/json",
                "{\"lifecycle\": \"published\"}".into(),
            ),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            raw(
                Method::PUT,
                format!("{base}/labels/Prod%20X"),
                "application/json",
                "{\"version\": 1}".into(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            raw(
                Method::PUT,
                format!("{base}/labels/prod"),
                "application/json",
                "{\"version\": 5}".into(),
            ),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            raw(
                Method::PUT,
                format!("{base}/labels/prod"),
                "application/json",
                "{\"version\": -1}".into(),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            raw(
                Method::PATCH,
                base.clone(),
                "application/json",
                "{\"name\": \"\"}".into(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            raw(
                Method::GET,
                format!("{base}/diff?from=1"),
                "application/json",
                String::new(),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            raw(
                Method::GET,
                format!("{base}/diff?from=1&to=4"),
                "application/json",
                String::new(),
            ),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            raw(
                Method::GET,
                "/api/v1/prompts?limit=0".into(),
                "application/json",
                String::new(),
            ),
            // As on every list (`/runs`, `/conversations`).
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            raw(
                Method::GET,
                "/api/v1/prompts?limit=x".into(),
                "application/json",
                String::new(),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            raw(
                Method::POST,
                "/api/v1/prompts/render".into(),
                "application/json",
                format!("{{\"template\": \"{}\"}}", "x".repeat(70_000)),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            raw(
                Method::POST,
                "/api/v1/prompts/import".into(),
                "application/yaml",
                "prompts: [{name: a".into(),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            raw(
                Method::POST,
                "/api/v1/prompts/import".into(),
                "application/json",
                "{\"prompts\": [{\"name\": \"KEPT\"}]}".into(),
            ),
            StatusCode::CONFLICT,
            "conflict",
        ),
        (
            raw(
                Method::POST,
                "/api/v1/prompts/import?on_conflict=maybe".into(),
                "application/yaml",
                "prompts: []".into(),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            raw(
                Method::GET,
                "/api/v1/prompts/export?ids=nope".into(),
                "application/json",
                String::new(),
            ),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
    ];
    for ((method, uri, content_type, body), expected, kind) in cases {
        let what = format!("{method} {uri}");
        let (status, _, bytes) = call(&app, method, &uri, content_type, body).await;
        let body: Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("{what}: not JSON: {}", String::from_utf8_lossy(&bytes)));
        assert_error(status, &body, expected, kind, &what);
    }

    let (_, after) = json_call(&app, Method::GET, "/api/v1/prompts?limit=500", None).await;
    assert_eq!(after, before);
    let (_, detail_after) = json_call(&app, Method::GET, &base, None).await;
    assert_eq!(detail_after, detail_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_and_import_carry_whole_prompts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir).await;
    let (status, content_type, yaml) = call(
        &app,
        Method::GET,
        "/api/v1/prompts/export",
        None,
        Body::empty(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/yaml");
    let yaml = String::from_utf8(yaml).unwrap();
    assert!(yaml.contains("format: pep.prompts/v1"), "{yaml}");
    assert!(yaml.contains("name: Summarise"), "{yaml}");

    // The same prompts into a server that already has them: all skipped.
    let (status, _, report) = call(
        &app,
        Method::POST,
        "/api/v1/prompts/import?on_conflict=skip",
        Some("application/yaml"),
        yaml.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let report: Value = serde_json::from_slice(&report).unwrap();
    assert_eq!(report["imported"], json!([]));
    assert_eq!(report["skipped"].as_array().unwrap().len(), 4);

    // JSON, one prompt, into a server whose starters were deleted.
    let (_, list) = json_call(&app, Method::GET, "/api/v1/prompts?q=translate", None).await;
    let id = list[0]["id"].as_str().unwrap().to_owned();
    let (status, content_type, json_text) = call(
        &app,
        Method::GET,
        &format!("/api/v1/prompts/export?format=json&ids={id}"),
        None,
        Body::empty(),
    )
    .await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "application/json")
    );
    let bundle: Value = serde_json::from_slice(&json_text).unwrap();
    assert_eq!(bundle["prompts"].as_array().unwrap().len(), 1);
    let (status, _) = json_call(&app, Method::DELETE, &format!("/api/v1/prompts/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, report) = json_call(
        &app,
        Method::POST,
        "/api/v1/prompts/import",
        Some(bundle.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let new_id = report["imported"][0]["id"].as_str().unwrap();
    let (_, _, again) = call(
        &app,
        Method::GET,
        &format!("/api/v1/prompts/export?format=json&ids={new_id}"),
        None,
        Body::empty(),
    )
    .await;
    let again: Value = serde_json::from_slice(&again).unwrap();
    assert_eq!(again, bundle);

    // An import over the size limit is refused before it is read.
    let huge = vec![b' '; pep_server::api::MAX_IMPORT_BYTES + 1];
    let (status, _, body) = call(
        &app,
        Method::POST,
        "/api/v1/prompts/import",
        Some("application/yaml"),
        huge,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        String::from_utf8_lossy(&body)
    );
}

/// Every route of `/api/v1`, as `(method, path)` in the document's form.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/models"),
    ("get", "/api/v1/tools"),
    ("post", "/api/v1/chat"),
    ("get", "/api/v1/runs"),
    ("get", "/api/v1/runs/stats"),
    ("get", "/api/v1/runs/{id}"),
    ("get", "/api/v1/runs/{id}/tool-calls"),
    ("post", "/api/v1/runs/{id}/cancel"),
    ("put", "/api/v1/runs/{id}/feedback"),
    ("get", "/api/v1/schemas"),
    ("post", "/api/v1/schemas/check"),
    ("get", "/api/v1/prompts"),
    ("post", "/api/v1/prompts"),
    ("get", "/api/v1/prompts/{id}"),
    ("patch", "/api/v1/prompts/{id}"),
    ("delete", "/api/v1/prompts/{id}"),
    ("get", "/api/v1/prompts/{id}/versions"),
    ("post", "/api/v1/prompts/{id}/versions"),
    ("get", "/api/v1/prompts/{id}/versions/{version}"),
    ("put", "/api/v1/prompts/{id}/versions/{version}/lifecycle"),
    ("post", "/api/v1/prompts/{id}/versions/{version}/render"),
    ("get", "/api/v1/prompts/{id}/labels"),
    ("get", "/api/v1/prompts/{id}/labels/{label}"),
    ("put", "/api/v1/prompts/{id}/labels/{label}"),
    ("delete", "/api/v1/prompts/{id}/labels/{label}"),
    ("post", "/api/v1/prompts/render"),
    ("get", "/api/v1/prompts/{id}/diff"),
    ("get", "/api/v1/prompts/export"),
    ("post", "/api/v1/prompts/import"),
    ("get", "/api/v1/conversations"),
    ("get", "/api/v1/conversations/{id}"),
    ("patch", "/api/v1/conversations/{id}"),
    ("delete", "/api/v1/conversations/{id}"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_covers_every_route() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir).await;
    let (status, doc) = json_call(&app, Method::GET, "/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["info"]["title"], "PEP API");

    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if let Some(operation) = item.get(method) {
                assert!(operation["responses"].is_object(), "{method} {path}");
                assert!(
                    !operation["tags"].as_array().unwrap().is_empty(),
                    "{method} {path}"
                );
                documented.push((method.to_owned(), path.clone()));
            }
        }
    }
    documented.sort();
    let mut expected: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    expected.sort();
    assert_eq!(documented, expected);

    // Each documented operation is served: the router answers it with its
    // handler (JSON, YAML or an empty 204), never "no such route" or
    // "method not allowed".
    for (method, path) in &expected {
        let uri = path
            .replace("{id}", &uuid::Uuid::now_v7().to_string())
            .replace("{version}", "1")
            .replace("{label}", "production");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let (status, content_type, _) =
            call(&app, method.clone(), &uri, Some("application/json"), "{}").await;
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
        assert!(
            !content_type.starts_with("text/html"),
            "{method} {uri}: {status} {content_type}"
        );
        assert!(
            content_type.starts_with("application/") || status == StatusCode::NO_CONTENT,
            "{method} {uri}: {status} {content_type:?}"
        );
    }

    // Schemas of the shared types are in the document.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "Prompt",
        "PromptVersion",
        "RenderedPrompt",
        "VersionDiff",
        "ChatRequest",
        "RunRecord",
        "RunPage",
        "RunStats",
        "ToolCallAudit",
        "Conversation",
        "ConversationSummary",
        "ModelInfo",
        "ErrorBody",
    ] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_interactive_docs_are_served_without_a_network() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir).await;
    let (status, content_type, html) = call(&app, Method::GET, "/docs/", None, Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("https://"),
        "the page loads something from outside: {html}"
    );
    for asset in [
        "/docs/swagger-ui-bundle.js",
        "/docs/swagger-ui.css",
        "/docs/swagger-initializer.js",
    ] {
        let (status, _, body) = call(&app, Method::GET, asset, None, Body::empty()).await;
        assert_eq!(status, StatusCode::OK, "{asset}");
        assert!(body.len() > 100, "{asset}");
    }
    let (_, _, init) = call(
        &app,
        Method::GET,
        "/docs/swagger-initializer.js",
        None,
        Body::empty(),
    )
    .await;
    assert!(String::from_utf8_lossy(&init).contains("/api/v1/openapi.json"));
}

/// One request with the given headers; returns the status, the answer's
/// headers and the body as JSON (`null` when empty or not JSON).
async fn with_headers(
    app: &Router,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut request = axum::http::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Body::from(body.to_owned())).unwrap();
    let (status, headers, bytes) = support::exchange_whole(app, request).await;
    (status, headers, support::json_of(&bytes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_sites_cannot_act_for_the_user() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir).await;
    let host = ("host", "127.0.0.1:3000");
    let (_, prompts) = json_call(&app, Method::GET, "/api/v1/prompts", None).await;
    let before = prompts.as_array().unwrap().len();

    // What a page of another site can send without asking first.
    let create = r#"{"new": {"name": "forged"}}"#;
    let import = "format: pep.prompts/v1\nprompts:\n- name: forged2\n  versions: []\n";
    let forged = [
        (
            "/_sfn/prompts/create",
            vec![host, ("content-type", "text/plain")],
            create,
        ),
        (
            "/_sfn/prompts/create",
            vec![
                host,
                ("content-type", "application/json"),
                ("origin", "https://evil.example"),
            ],
            create,
        ),
        (
            "/_sfn/history/delete_conversation",
            vec![
                host,
                ("content-type", "application/json"),
                ("sec-fetch-site", "cross-site"),
            ],
            r#"{"id": "0190f0e0-0000-7000-8000-000000000000"}"#,
        ),
        (
            "/api/v1/prompts/import",
            vec![host, ("content-type", "text/plain;charset=UTF-8")],
            import,
        ),
        (
            "/api/v1/prompts",
            vec![host, ("content-type", "application/x-www-form-urlencoded")],
            "name=forged",
        ),
    ];
    for (uri, headers, body) in forged {
        let (status, _, answer) = with_headers(&app, Method::POST, uri, &headers, body).await;
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{uri} {headers:?}: {status} {answer}"
        );
        assert!(answer["error"]["message"].as_str().is_some(), "{answer}");
    }
    let (_, prompts) = json_call(&app, Method::GET, "/api/v1/prompts", None).await;
    assert_eq!(
        prompts.as_array().unwrap().len(),
        before,
        "nothing was created"
    );

    // PEP's own page (same origin) and programs (no Origin) still work.
    let (status, _, created) = with_headers(
        &app,
        Method::POST,
        "/_sfn/prompts/create",
        &[
            host,
            ("content-type", "application/json"),
            ("origin", "http://127.0.0.1:3000"),
            ("sec-fetch-site", "same-origin"),
        ],
        r#"{"new": {"name": "from the page"}}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");

    // DNS rebinding: a name this server was not told it has.
    let (status, _, answer) = with_headers(
        &app,
        Method::GET,
        "/api/v1/prompts",
        &[("host", "evil.example")],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::MISDIRECTED_REQUEST, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("evil.example"));
    // The probes answer whatever name an orchestrator uses.
    let (status, _, _) = with_headers(
        &app,
        Method::GET,
        "/healthz",
        &[("host", "10.0.0.7:3000")],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_and_answers_carry_the_security_headers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir).await;
    for uri in ["/", "/prompts", "/runs", "/docs/", "/api/v1/prompts"] {
        let (status, headers, _) =
            with_headers(&app, Method::GET, uri, &[("host", "127.0.0.1:3000")], "").await;
        assert!(status.is_success(), "{uri}: {status}");
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{uri}");
        assert_eq!(header("referrer-policy"), "same-origin", "{uri}");
        let csp = header("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{uri}: {csp}");
        if !uri.starts_with("/api") && !uri.starts_with("/docs") {
            let scripts = csp
                .split(';')
                .map(str::trim)
                .find(|d| d.starts_with("script-src"))
                .unwrap_or_default();
            assert!(
                scripts.starts_with("script-src 'self' 'nonce-"),
                "{uri}: {csp}"
            );
            assert!(!scripts.contains("unsafe-inline"), "{uri}: {csp}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misspelt_fields_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir).await;
    let (status, created) = json_call(
        &app,
        Method::POST,
        "/api/v1/prompts",
        Some(json!({"name": "strict"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["prompt"]["id"].as_str().unwrap().to_owned();
    let cases = [
        (
            Method::PATCH,
            format!("/api/v1/prompts/{id}"),
            json!({"descripton": "x"}),
            "descripton",
        ),
        (
            Method::POST,
            format!("/api/v1/prompts/{id}/versions"),
            json!({"template": "hi", "tempalte": "x"}),
            "tempalte",
        ),
        (
            Method::POST,
            format!("/api/v1/prompts/{id}/versions"),
            json!({"template": "hi", "params": {"temprature": 1.9}}),
            "temprature",
        ),
        (
            Method::POST,
            "/api/v1/chat".to_owned(),
            json!({"model": "local/smollm2-135m",
                   "messages": [{"role": "user", "content": "hi"}],
                   "params": {"temprature": 1.9}}),
            "temprature",
        ),
        (
            Method::POST,
            "/api/v1/chat".to_owned(),
            json!({"model": "local/smollm2-135m",
                   "messages": [{"role": "user", "content": "hi", "nmae": "x"}]}),
            "nmae",
        ),
        (
            Method::POST,
            "/api/v1/chat".to_owned(),
            json!({"model": "local/smollm2-135m",
                   "messages": [{"role": "user", "content": "hi"}], "strem": true}),
            "strem",
        ),
    ];
    for (method, uri, body, field) in cases {
        let (status, answer) = json_call(&app, method, &uri, Some(body)).await;
        assert_error(
            status,
            &answer,
            StatusCode::BAD_REQUEST,
            "bad_request",
            &uri,
        );
        assert!(
            answer["error"]["message"].as_str().unwrap().contains(field),
            "{uri}: {answer}"
        );
    }
    let (_, detail) = json_call(&app, Method::GET, &format!("/api/v1/prompts/{id}"), None).await;
    assert_eq!(detail["versions"], json!([]), "nothing was saved");
}

/// Text the rules treat differently: blank, padded, control characters,
/// the length limits, commas, non-ASCII letters, symbols.
fn samples(limit: usize) -> Vec<String> {
    let mut samples: Vec<String> = [
        "plain",
        "  padded  ",
        "",
        "   ",
        "a\nb",
        "tab\there",
        "a\u{7f}b",
        "x\u{85}y",
        "\u{a0}",
        "\u{2003}word",
        "a,b",
        "C++ & Rust",
        "émoji 🎉",
        "Prod",
        "v1.2",
        "a_b-c",
        "0",
        "-x",
        "a b",
        "a/b",
        "data.v2",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    samples.push("x".repeat(limit));
    samples.push("y".repeat(limit + 1));
    samples.push(format!(" {} ", "z".repeat(limit - 1)));
    samples
}

/// The largest seed the server takes is the one the document states, and
/// the next one up is refused by both: a saved version's seed is checked
/// against the document's `GenerationParams.seed` and sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_states_the_seed_bound_the_server_keeps() {
    use pep::chat::MAX_SEED;

    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir).await;
    let (_, doc) = json_call(&app, Method::GET, "/api/v1/openapi.json", None).await;
    let seed = support::document_schema(
        &doc,
        &[
            "components",
            "schemas",
            "GenerationParams",
            "properties",
            "seed",
        ],
    );
    let (status, created) = json_call(
        &app,
        Method::POST,
        "/api/v1/prompts",
        Some(json!({"name": "Seeded"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["prompt"]["id"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/prompts/{id}/versions");
    for (value, taken) in [(0, true), (MAX_SEED, true), (MAX_SEED + 1, false)] {
        assert_eq!(
            seed.is_valid(&json!(value)),
            taken,
            "the document on {value}"
        );
        let body = json!({"template": "hi", "params": {"seed": value}});
        let (status, answer) = json_call(&app, Method::POST, &uri, Some(body)).await;
        assert_eq!(
            status == StatusCode::CREATED,
            taken,
            "seed {value}: {answer}"
        );
    }
}

/// A client that keeps to the document is never refused for a text rule,
/// and one that breaks it always is: for prompt names, tags and label
/// names, each sample is checked against the document's schema and sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_states_the_text_rules_the_server_keeps() {
    use pep::prompts::limits::{MAX_NAME_CHARS, MAX_TAGS, MAX_TAG_CHARS};

    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir).await;
    let (_, doc) = json_call(&app, Method::GET, "/api/v1/openapi.json", None).await;
    let name = support::document_schema(
        &doc,
        &["components", "schemas", "NewPrompt", "properties", "name"],
    );
    let tags = support::document_schema(
        &doc,
        &["components", "schemas", "NewPrompt", "properties", "tags"],
    );
    let label =
        support::parameter_schema(&doc, "put", "/api/v1/prompts/{id}/labels/{label}", "label");

    let mut checked = 0;
    for (i, sample) in samples(MAX_NAME_CHARS).into_iter().enumerate() {
        let body = json!({"name": sample.clone(), "description": format!("{i}")});
        let (status, answer) = json_call(&app, Method::POST, "/api/v1/prompts", Some(body)).await;
        let documented = name.is_valid(&json!(sample));
        assert_eq!(
            status == StatusCode::CREATED,
            documented,
            "name {sample:?}: {answer}"
        );
        if !documented {
            assert_error(
                status,
                &answer,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                "name",
            );
        }
        checked += 1;
    }
    for (i, sample) in samples(MAX_TAG_CHARS).into_iter().enumerate() {
        let body = json!({"name": format!("tagged {i}"), "tags": [sample]});
        let (status, answer) = json_call(&app, Method::POST, "/api/v1/prompts", Some(body)).await;
        let documented = tags.is_valid(&json!([sample]));
        assert_eq!(
            status == StatusCode::CREATED,
            documented,
            "tag {sample:?}: {answer}"
        );
        checked += 1;
    }
    for count in [MAX_TAGS, MAX_TAGS + 1] {
        let list: Vec<String> = (0..count).map(|i| format!("t{i}")).collect();
        let body = json!({"name": format!("{count} tags"), "tags": list});
        let (status, answer) = json_call(&app, Method::POST, "/api/v1/prompts", Some(body)).await;
        let documented = tags.is_valid(&json!(list));
        assert_eq!(
            status == StatusCode::CREATED,
            documented,
            "{count} tags: {answer}"
        );
        assert_eq!(documented, count <= MAX_TAGS);
    }

    let (_, created) = json_call(
        &app,
        Method::POST,
        "/api/v1/prompts",
        Some(json!({"name": "labelled", "version": {"template": "t"}})),
    )
    .await;
    let id = created["prompt"]["id"].as_str().unwrap().to_owned();
    for sample in samples(MAX_TAG_CHARS) {
        if sample.is_empty() {
            continue; // an empty segment is another route
        }
        let uri = format!("/api/v1/prompts/{id}/labels/{}", percent(&sample));
        let (status, answer) =
            json_call(&app, Method::PUT, &uri, Some(json!({"version": 1}))).await;
        let documented = label.is_valid(&json!(sample));
        assert_eq!(
            status == StatusCode::OK,
            documented,
            "label {sample:?}: {answer}"
        );
        checked += 1;
    }
    assert!(checked > 60, "{checked} samples");
}

/// `text` as one path segment.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
