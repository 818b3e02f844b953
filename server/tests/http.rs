//! The HTTP application in-process: the REST API, SSE streaming, errors and
//! probes, with the real engine and the real local model.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use futures::StreamExt;
use http_body_util::BodyExt;
use pep::schema::hostile;
use pep_server::config::{Config, LogFormat};
use serde_json::{json, Value};
use tower::ServiceExt;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn model_path() -> PathBuf {
    let path = std::env::var_os("PEP_TEST_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("data/models/SmolLM2-135M-Instruct.Q4_1.gguf"));
    assert!(
        path.is_file(),
        "model {} missing: run `make model`",
        path.display()
    );
    path
}

async fn start(dir: &tempfile::TempDir, model: PathBuf) -> Router {
    let config = Config {
        addr: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.path().to_owned(),
        database_url: None,
        models_config: root().join("config/models.yaml"),
        local_model_path: Some(model),
        site_root: None,
        log_format: LogFormat::Text,
        session_idle_minutes: 30,
        allowed_hosts: Vec::new(),
        shutdown_grace_seconds: 30,
        run_lease_seconds: 30,
    };
    pep_server::router(pep_server::build_state(&config).await.expect("state"))
}

fn post_json(uri: &str, body: Value) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

async fn json_body(res: axum::response::Response) -> Value {
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    serde_json::from_slice(&bytes).expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streaming_chat_sends_sse_deltas_then_done_and_records_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir, model_path()).await;
    let res = app
        .clone()
        .oneshot(post_json(
            "/api/v1/chat",
            json!({
                "model": "local/smollm2-135m",
                "messages": [{"role": "user", "content": "List four animals."}],
                "params": {"max_tokens": 32, "temperature": 0.0},
                "stream": true
            }),
        ))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/event-stream");

    // Read the body frame by frame, as a client would.
    let mut body = res.into_body().into_data_stream();
    let mut frames = 0;
    let mut text = String::new();
    while let Some(chunk) = body.next().await {
        text.push_str(std::str::from_utf8(&chunk.expect("chunk")).expect("utf-8"));
        frames += 1;
    }
    let events: Vec<Value> = text
        .lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .map(|d| serde_json::from_str(d).expect("event json"))
        .collect();
    let deltas = events.iter().filter(|e| e["type"] == "delta").count();
    assert!(deltas >= 3, "{text}");
    assert!(
        frames >= 3,
        "the response was not streamed: {frames} frames"
    );
    assert_eq!(events[0]["type"], "started");
    let done = events.last().expect("events");
    assert_eq!(done["type"], "done");
    assert_eq!(done["status"], "ok");
    assert!(text.contains("event: delta"));

    let run_id = done["run_id"].as_str().expect("run id");
    let res = app
        .clone()
        .oneshot(
            Request::get(format!("/api/v1/runs/{run_id}"))
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::OK);
    let run = json_body(res).await;
    let reply: String = events
        .iter()
        .filter(|e| e["type"] == "delta")
        .filter_map(|e| e["text"].as_str())
        .collect();
    assert_eq!(run["reply"], reply);
    assert_eq!(
        run["usage"]["output_tokens"],
        done["usage"]["output_tokens"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_streaming_chat_answers_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir, model_path()).await;
    let res = app
        .oneshot(post_json(
            "/api/v1/chat",
            json!({
                "model": "local/smollm2-135m",
                "messages": [{"role": "user", "content": "Say yes."}],
                // A whole number written as a float is that number.
                "params": {"max_tokens": 8.0}
            }),
        ))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::OK);
    let answer = json_body(res).await;
    assert_eq!(answer["status"], "ok");
    assert!(!answer["text"].as_str().unwrap_or_default().is_empty());
    assert!(answer["usage"]["output_tokens"].as_u64().unwrap_or(0) <= 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_error_status() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir, model_path()).await;
    let user = json!([{"role": "user", "content": "x"}]);
    let cases = [
        (
            json!({"model": "nope", "messages": user}),
            StatusCode::NOT_FOUND,
            "unknown_model",
            None,
        ),
        (
            json!({"model": "local/smollm2-135m", "messages": user, "params": {"top_p": 7}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            Some("params.top_p"),
        ),
        (
            json!({"model": "local/smollm2-135m", "messages": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            Some("messages"),
        ),
        (
            // Providers read a seed as a signed 64-bit integer.
            json!({"model": "local/smollm2-135m", "messages": user,
                   "params": {"seed": 9_223_372_036_854_775_808_u64}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            Some("params.seed"),
        ),
        (
            json!({"model": "local/smollm2-135m", "messages": user, "params": {"max_tokens": 8.5}}),
            StatusCode::BAD_REQUEST,
            "bad_request",
            None,
        ),
        (
            json!({"messages": "nope"}),
            StatusCode::BAD_REQUEST,
            "bad_request",
            None,
        ),
    ];
    for (body, status, kind, field) in cases {
        let res = app
            .clone()
            .oneshot(post_json("/api/v1/chat", body.clone()))
            .await
            .expect("response");
        assert_eq!(res.status(), status, "{body}");
        let err = json_body(res).await;
        assert_eq!(err["error"]["kind"], kind, "{body}");
        assert_eq!(err["error"]["field"].as_str(), field, "{body}: {err}");
        assert!(!err["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .is_empty());
    }
    let res = app
        .clone()
        .oneshot(
            Request::get("/api/v1/runs/not-a-uuid")
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app
        .oneshot(
            Request::get("/api/v1/runs?limit=0")
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_and_models() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir, model_path()).await;
    for path in ["/healthz", "/readyz"] {
        let res = app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).expect("req"))
            .await
            .expect("res");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    let res = app
        .oneshot(
            Request::get("/api/v1/models")
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("res");
    let models = json_body(res).await;
    assert_eq!(models[0]["id"], "local/smollm2-135m");
    assert_eq!(models[0]["unavailable"], Value::Null);

    // Without its model the server still starts, and says why it is not ready.
    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir, dir.path().join("missing.gguf")).await;
    let res = app
        .clone()
        .oneshot(Request::get("/readyz").body(Body::empty()).expect("req"))
        .await
        .expect("res");
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let res = app
        .oneshot(
            Request::get("/api/v1/models")
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("res");
    let models = json_body(res).await;
    assert!(models[0]["unavailable"]
        .as_str()
        .unwrap_or_default()
        .contains("missing.gguf"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_server_rendered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir, model_path()).await;
    let res = app
        .oneshot(Request::get("/").body(Body::empty()).expect("req"))
        .await
        .expect("res");
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    let html = String::from_utf8_lossy(&bytes);
    assert!(html.contains("Prompt Engineering Playground"), "{html}");
    assert!(html.contains("id=\"message\""));
}

/// A `json_schema` response format around a hostile schema.
fn schema_bomb(schema: Value) -> Value {
    json!({"type": "json_schema", "name": "bomb", "schema": schema, "strict": false})
}

/// Many clients at once, each sending a schema bomb for the local model and
/// leaving: every one is refused with the limit it broke, and the model's
/// one slot is free for the next ordinary request, which answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_bombs_from_many_clients_leave_the_model_free() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = start(&dir, model_path()).await;
    let bombs = (0..32).map(|i| {
        let app = app.clone();
        let format = if i % 2 == 0 {
            schema_bomb(hostile::ref_chain(2_000))
        } else {
            schema_bomb(hostile::any_of_bomb(30))
        };
        async move {
            let res = app
                .oneshot(post_json(
                    "/api/v1/chat",
                    json!({
                        "model": "local/smollm2-135m",
                        "messages": [{"role": "user", "content": "Fill it in."}],
                        "params": {"max_tokens": 16, "response_format": format},
                        "stream": true
                    }),
                ))
                .await
                .expect("response");
            let status = res.status();
            // The client leaves without reading the body.
            (status, json_body(res).await)
        }
    });
    for (status, body) in futures::future::join_all(bombs).await {
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let message = body["error"]["message"].as_str().expect("message");
        assert!(
            message.contains("$ref chain limit") || message.contains("expansion limit"),
            "{message}"
        );
    }
    let res = app
        .oneshot(post_json(
            "/api/v1/chat",
            json!({
                "model": "local/smollm2-135m",
                "messages": [{"role": "user", "content": "Say hi."}],
                "params": {"max_tokens": 8, "temperature": 0.0}
            }),
        ))
        .await
        .expect("response");
    assert_eq!(res.status(), StatusCode::OK);
    let reply = json_body(res).await;
    assert_eq!(reply["status"], "ok", "{reply}");
    assert!(!reply["text"].as_str().expect("text").is_empty(), "{reply}");
}
