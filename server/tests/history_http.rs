//! The history's REST API and server functions in-process (tower
//! `oneshot`): the run search and its figures, one run with its tool calls,
//! and stored conversations (list, reopen, rename, delete), each with its
//! bad cases. Turns are answered by a replay of recorded vLLM traffic, so
//! no model is needed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

#[path = "../../tests/replay/mod.rs"]
mod replay;
mod support;

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Method, StatusCode};
use axum::Router;
use pep_server::config::{Config, LogFormat};
use serde_json::{json, Value};
use uuid::Uuid;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A server whose one model, with tools, is served by a replay of vLLM's
/// tool-call answer.
async fn start(dir: &tempfile::TempDir) -> (replay::Replay, Router) {
    let vllm = replay::Replay::start(vec![replay::load(
        &root().join("tests/fixtures/vllm/tool_call.http"),
    )])
    .await;
    let catalog = format!(
        r#"
endpoints:
  vllm:
    kind: openai_compatible
    base_url: {}/v1
models:
  - id: vllm/tools
    label: Tools
    endpoint: vllm
    provider_model: test-model
    params:
      max_tokens: {{ min: 1, max: 1000, default: 64 }}
    capabilities: {{ tools: true }}
"#,
        vllm.url
    );
    let config_dir = dir.path().join("config");
    std::fs::create_dir_all(config_dir.join("schemas")).unwrap();
    std::fs::write(config_dir.join("models.yaml"), catalog).unwrap();
    let config = Config {
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.path().to_owned(),
        database_url: None,
        models_config: config_dir.join("models.yaml"),
        local_model_path: None,
        site_root: None,
        log_format: LogFormat::Text,
        session_idle_minutes: 30,
        allowed_hosts: Vec::new(),
        shutdown_grace_seconds: 30,
        run_lease_seconds: 30,
    };
    let app = pep_server::router(pep_server::build_state(&config).await.expect("state"));
    (vllm, app)
}

async fn raw(
    app: &Router,
    method: Method,
    uri: &str,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> (StatusCode, Value) {
    let (status, _, bytes) = support::call(app, method, uri, content_type, body).await;
    (status, support::json_of(&bytes))
}

async fn get(app: &Router, uri: &str) -> (StatusCode, Value) {
    raw(app, Method::GET, uri, None, Body::empty()).await
}

async fn send(app: &Router, method: Method, uri: &str, body: Value) -> (StatusCode, Value) {
    raw(app, method, uri, Some("application/json"), body.to_string()).await
}

/// A 4xx with an error body of `kind` and a message.
#[track_caller]
fn refused(status: StatusCode, body: &Value, expected: StatusCode, kind: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["error"]["kind"], kind, "{body}");
    assert!(
        !body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .is_empty(),
        "{body}"
    );
}

/// A turn that asks for the weather, with the tool, in `conversation`.
async fn turn(app: &Router, conversation: Option<Uuid>, text: &str) -> (StatusCode, Value) {
    let mut body = json!({
        "model": "vllm/tools",
        "messages": [{"role": "user", "content": text}],
        "session_id": "tab-1",
        "params": {"tools": [{
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}
        }]}
    });
    if let Some(id) = conversation {
        body["conversation_id"] = json!(id);
    }
    send(app, Method::POST, "/api/v1/chat", body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_are_searched_counted_and_read_with_their_tool_calls() {
    let dir = tempfile::tempdir().unwrap();
    let (_vllm, app) = start(&dir).await;
    let (status, first) = turn(&app, None, "Weather in Paris?").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let prompt = Uuid::now_v7();
    let (status, second) = send(
        &app,
        Method::POST,
        "/api/v1/chat",
        json!({
            "model": "vllm/tools",
            "messages": [{"role": "user", "content": "Hi"}],
            "prompt": {"prompt_id": prompt, "version": 2}
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{second}");

    // The search: a page and the total.
    let (status, page) = get(&app, "/api/v1/runs").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 2);
    assert_eq!(page["runs"][0]["id"], second["run_id"], "newest first");
    assert_eq!(page["runs"][1]["preview"], "");
    let (_, page) = get(&app, "/api/v1/runs?limit=1&offset=1").await;
    assert_eq!(
        (
            page["total"].as_u64(),
            page["runs"].as_array().map(Vec::len)
        ),
        (Some(2), Some(1))
    );
    assert_eq!(page["runs"][0]["id"], first["run_id"]);
    for (query, total) in [
        ("model=vllm/tools&status=ok", 2),
        ("status=failed", 0),
        ("session_id=tab-1", 1),
        (&format!("prompt_id={prompt}&prompt_version=2") as &str, 1),
        // A version alone: that version of any prompt.
        ("prompt_version=2", 1),
        ("prompt_version=3", 0),
        (
            "since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00%2B02:00",
            2,
        ),
        ("sort=latency&order=asc", 2),
        ("sort=ttft&order=desc&limit=500", 2),
        ("sort=tokens", 2),
        ("sort=cost&offset=5", 2),
    ] {
        let (status, page) = get(&app, &format!("/api/v1/runs?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {page}");
        assert_eq!(page["total"], total, "{query}");
    }
    let (_, page) = get(&app, &format!("/api/v1/runs?prompt_id={prompt}")).await;
    assert_eq!(
        page["runs"][0]["prompt"],
        json!({"prompt_id": prompt, "version": 2})
    );

    // Bad queries: 400, with what was wrong.
    for query in [
        "limit=0",
        "limit=501",
        "limit=ten",
        "offset=-1",
        "status=done",
        "sort=speed",
        "order=up",
        "since=yesterday",
        "until=2026-13-01T00:00:00Z",
        "prompt_version=0",
        "conversation_id=not-a-uuid",
        "prompt_id=42",
        "model=",
        "modle=vllm/tools",
    ] {
        let (status, body) = get(&app, &format!("/api/v1/runs?{query}")).await;
        refused(status, &body, StatusCode::BAD_REQUEST, "bad_request");
        let (status, body) = get(&app, &format!("/api/v1/runs/stats?{query}")).await;
        refused(status, &body, StatusCode::BAD_REQUEST, "bad_request");
    }

    // The figures.
    let (status, stats) = get(&app, "/api/v1/runs/stats").await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(
        (stats["count"].as_u64(), stats["ok"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(stats["points"].as_array().map(Vec::len), Some(2));
    assert_eq!(stats["points"][0]["id"], first["run_id"], "oldest first");
    assert!(stats["latency_p50_ms"].as_f64().is_some(), "{stats}");
    let (_, stats) = get(&app, "/api/v1/runs/stats?status=cancelled").await;
    assert_eq!(stats["count"], 0);
    assert_eq!(stats["latency_p95_ms"], Value::Null);

    // One run: its tool calls, its rating once given.
    let id = first["run_id"].as_str().unwrap();
    let (status, run) = get(&app, &format!("/api/v1/runs/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(run["tool_calls"][0]["name"], "get_weather");
    assert_eq!(run["feedback"], Value::Null);
    assert_eq!(run["conversation_id"], Value::Null);
    let (status, _) = send(
        &app,
        Method::PUT,
        &format!("/api/v1/runs/{id}/feedback"),
        json!({"rating": "like"}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, run) = get(&app, &format!("/api/v1/runs/{id}")).await;
    assert_eq!(run["feedback"], "like");
    let (_, page) = get(&app, "/api/v1/runs?session_id=tab-1").await;
    assert_eq!(page["runs"][0]["feedback"], "like");

    let (status, calls) = get(&app, &format!("/api/v1/runs/{id}/tool-calls")).await;
    assert_eq!(status, StatusCode::OK, "{calls}");
    assert_eq!(
        calls,
        json!([{
            "run_id": id,
            "index": 0,
            "call_id": "call_weather_1",
            "name": "get_weather",
            "arguments": "{\"city\":\"Paris\"}",
            "arguments_valid": true,
            "created_at": run["created_at"],
        }])
    );
    // (The replayed model calls the tool whatever it is offered.)
    let other = second["run_id"].as_str().unwrap();
    let (status, calls) = get(&app, &format!("/api/v1/runs/{other}/tool-calls")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(calls[0]["run_id"], other);
    let missing = Uuid::now_v7();
    for uri in [
        format!("/api/v1/runs/{missing}"),
        format!("/api/v1/runs/{missing}/tool-calls"),
    ] {
        let (status, body) = get(&app, &uri).await;
        refused(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    for uri in ["/api/v1/runs/nope", "/api/v1/runs/nope/tool-calls"] {
        let (status, body) = get(&app, uri).await;
        refused(status, &body, StatusCode::BAD_REQUEST, "bad_request");
    }
    // The feedback body: malformed, unknown fields and a wrong type are
    // refused and change nothing.
    for body in [
        r#"{"rating": "like""#,
        r#"{"rating": 1}"#,
        r#"{"rating": null, "x": 1}"#,
    ] {
        let (status, err) = raw(
            &app,
            Method::PUT,
            &format!("/api/v1/runs/{id}/feedback"),
            Some("application/json"),
            body,
        )
        .await;
        refused(status, &err, StatusCode::BAD_REQUEST, "bad_request");
    }
    let (_, run) = get(&app, &format!("/api/v1/runs/{id}")).await;
    assert_eq!(run["feedback"], "like");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversations_are_listed_reopened_renamed_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (vllm, app) = start(&dir).await;
    let id = Uuid::now_v7();
    let (status, reply) = turn(&app, Some(id), "Weather in Paris?\nIn Celsius.").await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let other = Uuid::now_v7();
    let (status, _) = turn(&app, Some(other), "Weather in Rome?").await;
    assert_eq!(status, StatusCode::OK);

    // Listed, newest first; found by title.
    let (status, list) = get(&app, "/api/v1/conversations").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_eq!(list[0]["id"], json!(other));
    assert_eq!(list[1]["title"], "Weather in Paris?");
    assert_eq!(list[1]["message_count"], 2);
    assert_eq!(list[1]["model"], "vllm/tools");
    let (_, found) = get(&app, "/api/v1/conversations?q=PARIS").await;
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    assert_eq!(found[0]["id"], json!(id));
    let (_, page) = get(&app, "/api/v1/conversations?limit=1&offset=1").await;
    assert_eq!(page[0]["id"], json!(id));
    let (_, none) = get(&app, "/api/v1/conversations?q=zzz").await;
    assert_eq!(none, json!([]));
    for query in ["limit=0", "limit=501", "limit=x", "offset=-2", "sort=title"] {
        let (status, body) = get(&app, &format!("/api/v1/conversations?{query}")).await;
        refused(status, &body, StatusCode::BAD_REQUEST, "bad_request");
    }

    // Reopened: the messages, the reply's run, the last run.
    let uri = format!("/api/v1/conversations/{id}");
    let (status, c) = get(&app, &uri).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["id"], json!(id));
    assert_eq!(c["last_run_id"], reply["run_id"]);
    assert_eq!(
        c["messages"][0]["message"]["content"],
        "Weather in Paris?\nIn Celsius."
    );
    assert_eq!(c["messages"][0]["run_id"], Value::Null);
    assert_eq!(c["messages"][1]["run_id"], reply["run_id"]);
    assert_eq!(
        c["messages"][1]["message"]["tool_calls"][0]["name"],
        "get_weather"
    );
    let (_, run) = get(
        &app,
        &format!("/api/v1/runs/{}", reply["run_id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(run["conversation_id"], json!(id));

    // Renamed; bad bodies are refused and change nothing.
    let (status, renamed) = send(&app, Method::PATCH, &uri, json!({"title": "  Paris  "})).await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["title"], "Paris");
    for (body, expected, kind) in [
        (
            json!({"title": "   "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            json!({"title": "x".repeat(201)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (
            json!({"title": "a\u{0}b"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
        ),
        (json!({"title": 5}), StatusCode::BAD_REQUEST, "bad_request"),
        (
            json!({"title": "x", "pinned": true}),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (json!({}), StatusCode::BAD_REQUEST, "bad_request"),
        (json!(["x"]), StatusCode::BAD_REQUEST, "bad_request"),
    ] {
        let (status, err) = send(&app, Method::PATCH, &uri, body.clone()).await;
        refused(status, &err, expected, kind);
    }
    let (status, err) = raw(
        &app,
        Method::PATCH,
        &uri,
        Some("application/json"),
        "{\"title\":",
    )
    .await;
    refused(status, &err, StatusCode::BAD_REQUEST, "bad_request");
    let (status, err) = raw(&app, Method::PATCH, &uri, None, "{\"title\": \"x\"}").await;
    refused(status, &err, StatusCode::BAD_REQUEST, "bad_request");
    let huge = json!({"title": "x".repeat(pep_server::api::MAX_CONVERSATION_BODY_BYTES)});
    let (status, err) = send(&app, Method::PATCH, &uri, huge).await;
    refused(status, &err, StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    let (_, c) = get(&app, &uri).await;
    assert_eq!(c["title"], "Paris", "the refused calls changed nothing");

    // The document states the title's rules: a title it allows is taken,
    // one it forbids is refused.
    let (_, doc) = get(&app, "/api/v1/openapi.json").await;
    let title = support::document_schema(
        &doc,
        &["components", "schemas", "RenameBody", "properties", "title"],
    );
    let limit = pep::query::MAX_TITLE_CHARS;
    for sample in [
        "Lyon".to_owned(),
        " Lyon ".into(),
        String::new(),
        "\u{a0}\u{2003}".into(),
        "a\u{0}b".into(),
        "two\nlines".into(),
        "é".repeat(limit),
        "é".repeat(limit + 1),
        format!(" {} ", "x".repeat(limit - 1)),
    ] {
        let (status, answer) = send(&app, Method::PATCH, &uri, json!({"title": sample})).await;
        let documented = title.is_valid(&json!(sample));
        assert_eq!(
            status == StatusCode::OK,
            documented,
            "title {sample:?}: {answer}"
        );
    }
    let missing = format!("/api/v1/conversations/{}", Uuid::now_v7());
    let (status, err) = send(&app, Method::PATCH, &missing, json!({"title": "x"})).await;
    refused(status, &err, StatusCode::NOT_FOUND, "not_found");
    for method in [Method::GET, Method::PATCH, Method::DELETE] {
        let (status, err) = send(
            &app,
            method,
            "/api/v1/conversations/nope",
            json!({"title": "x"}),
        )
        .await;
        refused(status, &err, StatusCode::BAD_REQUEST, "bad_request");
    }
    let (status, err) = get(&app, &missing).await;
    refused(status, &err, StatusCode::NOT_FOUND, "not_found");

    // Deleted: gone, once; a turn naming it is refused and nothing runs.
    let (status, body) = raw(&app, Method::DELETE, &uri, None, Body::empty()).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (status, err) = raw(&app, Method::DELETE, &uri, None, Body::empty()).await;
    refused(status, &err, StatusCode::NOT_FOUND, "not_found");
    let (status, err) = get(&app, &uri).await;
    refused(status, &err, StatusCode::NOT_FOUND, "not_found");
    let (_, list) = get(&app, "/api/v1/conversations").await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let sent = vllm.requests().len();
    let (status, err) = turn(&app, Some(id), "Weather in Paris?").await;
    refused(status, &err, StatusCode::CONFLICT, "conflict");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("deleted"),
        "{err}"
    );
    assert_eq!(vllm.requests().len(), sent);
    let (_, page) = get(&app, &format!("/api/v1/runs?conversation_id={id}")).await;
    assert_eq!(
        page["total"], 1,
        "its run stays; the refused turn left none"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_with_nul_is_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (vllm, app) = start(&dir).await;
    let (status, err) = turn(&app, Some(Uuid::now_v7()), "a\u{0}b").await;
    refused(
        status,
        &err,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    assert!(
        err["error"]["message"].as_str().unwrap().contains("U+0000"),
        "{err}"
    );
    let (status, err) = send(
        &app,
        Method::POST,
        "/api/v1/chat",
        json!({"model": "vllm/tools", "messages": [{"role": "user", "content": "hi"}],
               "conversation_id": Uuid::nil()}),
    )
    .await;
    refused(
        status,
        &err,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request",
    );
    let (status, err) = get(&app, "/api/v1/runs?model=a%00b").await;
    refused(status, &err, StatusCode::BAD_REQUEST, "bad_request");
    let (status, err) = get(&app, "/api/v1/conversations?q=a%00b").await;
    refused(status, &err, StatusCode::BAD_REQUEST, "bad_request");
    assert!(vllm.requests().is_empty());
    let (_, page) = get(&app, "/api/v1/runs").await;
    assert_eq!(page["total"], 0);
    let (_, list) = get(&app, "/api/v1/conversations").await;
    assert_eq!(list, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ui_reaches_the_history_through_server_functions() {
    let dir = tempfile::tempdir().unwrap();
    let (_vllm, app) = start(&dir).await;
    let id = Uuid::now_v7();
    let (status, reply) = turn(&app, Some(id), "Weather in Paris?").await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let sfn = |name: &str, body: Value| {
        let app = app.clone();
        let uri = format!("/_sfn/history/{name}");
        async move { send(&app, Method::POST, &uri, body).await }
    };

    let (status, page) = sfn("runs", json!({"query": {"limit": 10}})).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1);
    let (status, stats) = sfn("run_stats", json!({"query": {}})).await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(stats["count"], 1);
    let (status, run) = sfn("run", json!({"id": reply["run_id"]})).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!(run["tool_calls"][0]["name"], "get_weather");
    let (status, list) = sfn("conversations", json!({"q": "", "limit": 10, "offset": 0})).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list[0]["id"], json!(id));
    let (status, c) = sfn("conversation", json!({"id": id})).await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["last_run_id"], reply["run_id"]);
    let (status, renamed) = sfn("rename_conversation", json!({"id": id, "title": "Paris"})).await;
    assert_eq!(status, StatusCode::OK, "{renamed}");
    assert_eq!(renamed["title"], "Paris");
    let (status, _) = sfn("delete_conversation", json!({"id": id})).await;
    assert_eq!(status, StatusCode::OK);
    // Errors carry the engine's message and the REST API's status.
    let (status, body) = sfn("conversation", json!({"id": id})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.to_string().contains("no conversation"), "{body}");
    let (status, body) = sfn("runs", json!({"query": {"limit": 0}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("limit"), "{body}");
}
