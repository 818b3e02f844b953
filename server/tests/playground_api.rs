//! The playground's API in-process: whole replies with trace ids, feedback,
//! schema templates and checks, over REST and server functions. The model is
//! an OpenAI-compatible server replayed from recorded traffic, so these
//! tests need neither the embedded model nor a paid API.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

#[path = "../../tests/replay/mod.rs"]
mod replay;
mod support;

use std::path::{Path, PathBuf};
use std::sync::Once;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use pep_server::config::{Config, LogFormat};
use serde_json::{json, Value};
use tower::ServiceExt;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The server's telemetry, installed once for the whole test binary as
/// `main` installs it, so runs get trace ids.
fn telemetry() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let telemetry = pep_server::telemetry::init(LogFormat::Text).expect("telemetry");
        // Kept for the life of the process, like the server's.
        std::mem::forget(telemetry);
    });
}

/// A server whose catalog has one OpenAI-compatible model served by a
/// replay of `fixture` (under tests/fixtures/vllm), and the shipped schema
/// templates.
async fn start(dir: &tempfile::TempDir, fixture: &str) -> (replay::Replay, Router) {
    telemetry();
    let vllm = replay::Replay::start(vec![replay::load(
        &root().join("tests/fixtures/vllm").join(fixture),
    )])
    .await;
    let catalog = format!(
        r#"
endpoints:
  vllm:
    kind: openai_compatible
    base_url: {}/v1
models:
  - id: vllm/structured
    label: Structured
    endpoint: vllm
    provider_model: test-model
    params:
      max_tokens: {{ min: 1, max: 1000, default: 64 }}
    capabilities: {{ tools: true, json_object: true, json_schema: true }}
"#,
        vllm.url
    );
    let config_dir = dir.path().join("config");
    std::fs::create_dir_all(config_dir.join("schemas")).unwrap();
    std::fs::write(config_dir.join("models.yaml"), catalog).unwrap();
    // One tool that is offered and one that is refused.
    std::fs::write(
        config_dir.join("tools.yaml"),
        "tools:\n  - name: calc\n    kind: calculator\n    approval: true\n  - name: sh\n    kind: shell\n",
    )
    .unwrap();
    for entry in std::fs::read_dir(root().join("config/schemas")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(
            &path,
            config_dir.join("schemas").join(path.file_name().unwrap()),
        )
        .unwrap();
    }
    let config = Config {
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.path().to_owned(),
        database_url: None,
        models_config: config_dir.join("models.yaml"),
        local_model_path: None,
        site_root: None,
        log_format: LogFormat::Text,
        session_idle_minutes: 45,
        allowed_hosts: Vec::new(),
        shutdown_grace_seconds: 30,
        run_lease_seconds: 30,
    };
    let app = pep_server::router(pep_server::build_state(&config).await.expect("state"));
    (vllm, app)
}

fn send_json(method: &str, uri: &str, body: Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}

async fn call(app: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let (status, _, bytes) = support::exchange(app, request).await;
    (status, support::json_of(&bytes))
}

fn is_trace_id(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()) && s != "0".repeat(32)
    })
}

fn chat_body(extra: Value) -> Value {
    let mut body = json!({
        "model": "vllm/structured",
        "messages": [{"role": "user", "content": "Weather in Paris as JSON"}]
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    body
}

fn weather_format(strict: bool) -> Value {
    json!({
        "type": "json_schema",
        "name": "weather",
        "strict": strict,
        "schema": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "temperature_c": {"type": "integer"}},
            "required": ["city", "temperature_c"],
            "additionalProperties": false
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_reply_carries_its_trace_id_and_validation() {
    let dir = tempfile::tempdir().unwrap();
    let (_vllm, app) = start(&dir, "json_schema.http").await;
    let (status, reply) = call(
        &app,
        send_json(
            "POST",
            "/api/v1/chat",
            chat_body(json!({"params": {"response_format": weather_format(true)}})),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["status"], "ok");
    assert_eq!(reply["text"], "{\"city\":\"Paris\",\"temperature_c\":18}");
    assert_eq!(reply["validation"], json!({"valid": true, "errors": []}));
    assert!(is_trace_id(&reply["trace_id"]), "{reply}");
    assert_eq!(reply["tool_calls"], json!([]));

    let run_id = reply["run_id"].as_str().unwrap();
    let (status, run) = call(&app, get(&format!("/api/v1/runs/{run_id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(run["trace_id"], reply["trace_id"]);
    assert_eq!(run["validation"], reply["validation"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_turn_sends_progress_and_one_trace_id() {
    let dir = tempfile::tempdir().unwrap();
    let (_vllm, app) = start(&dir, "streaming.http").await;
    let res = app
        .clone()
        .oneshot(send_json(
            "POST",
            "/api/v1/chat",
            chat_body(json!({"stream": true})),
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let events: Vec<Value> = text
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|d| serde_json::from_str(d).unwrap())
        .collect();
    assert!(text.contains("event: progress"), "{text}");
    let (first, last) = (&events[0], events.last().unwrap());
    assert_eq!(
        (first["type"].as_str(), last["type"].as_str()),
        (Some("started"), Some("done"))
    );
    assert!(is_trace_id(&first["trace_id"]), "{first}");
    assert_eq!(first["trace_id"], last["trace_id"]);
    assert_eq!(last["validation"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_is_set_changed_and_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let (_vllm, app) = start(&dir, "streaming.http").await;
    let (_, reply) = call(
        &app,
        send_json("POST", "/api/v1/chat", chat_body(json!({}))),
    )
    .await;
    let uri = format!(
        "/api/v1/runs/{}/feedback",
        reply["run_id"].as_str().unwrap()
    );
    for rating in [json!("like"), json!("dislike"), Value::Null, Value::Null] {
        let (status, body) = call(&app, send_json("PUT", &uri, json!({ "rating": rating }))).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{rating}: {body}");
    }
    for bad in [
        json!({"rating": "meh"}),
        json!({}),
        json!({"rating": "like", "x": 1}),
    ] {
        let (status, body) = call(&app, send_json("PUT", &uri, bad.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(body["error"]["kind"], "bad_request", "{body}");
    }
    let missing = format!("/api/v1/runs/{}/feedback", uuid::Uuid::now_v7());
    let (status, body) = call(&app, send_json("PUT", &missing, json!({"rating": "like"}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["kind"], "not_found");
    let (status, _) = call(
        &app,
        send_json(
            "PUT",
            "/api/v1/runs/nope/feedback",
            json!({"rating": "like"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_templates_and_checks() {
    let dir = tempfile::tempdir().unwrap();
    let (vllm, app) = start(&dir, "json_schema.http").await;
    let (status, templates) = call(&app, get("/api/v1/schemas")).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = templates
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        names.contains(&"sentiment") && names.len() >= 4,
        "{names:?}"
    );
    assert!(templates[0]["schema"].is_object());

    let check = |format: Value| {
        send_json(
            "POST",
            "/api/v1/schemas/check",
            json!({"model": "vllm/structured", "response_format": format}),
        )
    };
    let (status, body) = call(&app, check(weather_format(true))).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"issues": []})));
    let open = json!({
        "type": "json_schema", "name": "w", "strict": true,
        "schema": {"type": "object", "properties": {"address": {"type": "object", "properties": {"city": {"type": "string"}}}}}
    });
    let (status, body) = call(&app, check(open.clone())).await;
    assert_eq!(status, StatusCode::OK);
    let paths: Vec<&str> = body["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["path"].as_str())
        .collect();
    assert!(
        paths.contains(&"") && paths.contains(&"/properties/address"),
        "{body}"
    );

    // The same schema in a chat request is refused before anything is sent.
    let (status, body) = call(
        &app,
        send_json(
            "POST",
            "/api/v1/chat",
            chat_body(json!({"params": {"response_format": open}})),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("/properties/address"));
    assert!(vllm.requests().is_empty());

    let (status, body) = call(
        &app,
        send_json(
            "POST",
            "/api/v1/schemas/check",
            json!({"model": "nope", "response_format": {"type": "json_object"}}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["kind"], "unknown_model");
    for bad in [
        json!({"model": "vllm/structured"}),
        json!({"model": "vllm/structured", "response_format": {"type": "xml"}}),
    ] {
        let (status, body) = call(&app, send_json("POST", "/api/v1/schemas/check", bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_functions_answer_the_playground() {
    let dir = tempfile::tempdir().unwrap();
    let (_vllm, app) = start(&dir, "json_schema.http").await;
    let sfn = |name: &str, body: Value| send_json("POST", &format!("/_sfn/{name}"), body);
    let (status, settings) = call(&app, sfn("ui_settings", json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    assert_eq!(settings, json!({"session_idle_minutes": 45}));
    let (status, templates) = call(&app, sfn("schema_templates", json!({}))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(templates.as_array().is_some_and(|t| t.len() >= 4));

    let (status, issues) = call(
        &app,
        sfn(
            "check_response_format",
            json!({"model": "vllm/structured", "format": weather_format(false)}),
        ),
    )
    .await;
    assert_eq!((status, issues), (StatusCode::OK, json!([])));

    let (status, reply) = call(
        &app,
        sfn(
            "chat_complete",
            json!({"request": chat_body(json!({"session_id": "tab-1"}))}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["status"], "ok");
    assert!(is_trace_id(&reply["trace_id"]), "{reply}");

    let (status, body) = call(
        &app,
        sfn(
            "feedback",
            json!({"run_id": reply["run_id"], "rating": "dislike"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Server functions report errors with the engine's message and the
    // status the REST API gives the same error.
    let (status, body) = call(
        &app,
        sfn(
            "feedback",
            json!({"run_id": uuid::Uuid::now_v7(), "rating": null}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.to_string().contains("no run"), "{body}");
}

/// What the tools file offers is listed with its source and status, and a
/// declaration it refused is listed with the reason, not dropped unseen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tools_on_offer_and_the_refused_ones_are_listed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_vllm, app) = start(&dir, "streaming.http").await;
    let (status, list) = call(&app, get("/api/v1/tools")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let tools = list["tools"].as_array().unwrap();
    assert_eq!(tools.len(), 1, "{list}");
    assert_eq!(tools[0]["name"], "calc");
    assert_eq!(tools[0]["source"], json!({"kind": "builtin"}));
    assert_eq!(tools[0]["status"], json!({"state": "available"}));
    assert_eq!(tools[0]["approval"], true);
    assert_eq!(tools[0]["parameters"]["required"], json!(["expression"]));
    let refused = list["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{list}");
    assert_eq!(refused[0]["tool"], "sh");
    assert!(refused[0]["file"].as_str().unwrap().ends_with("tools.yaml"));
    assert!(
        refused[0]["reason"].as_str().unwrap().contains("shell"),
        "{list}"
    );
}
