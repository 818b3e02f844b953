//! The engine with remote endpoints: models without keys are listed as
//! unavailable with the reason, and a chat turn through an
//! OpenAI-compatible server (a replay of recorded vLLM traffic) is streamed
//! and recorded like a local one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod replay;

use std::sync::Arc;

use futures::StreamExt;
use pep::catalog::Catalog;
use pep::chat::{ChatEvent, ChatRequest, FinishReason, GenerationParams, Message, Role};
use pep::runs::RunStatus;
use pep::{Engine, EngineConfig};

fn catalog(dir: &tempfile::TempDir, vllm_url: &str) -> Catalog {
    let text = format!(
        r#"
endpoints:
  openai:
    kind: openai
    api_key_env: PEP_TEST_KEY_THAT_IS_NEVER_SET
  vllm:
    kind: openai_compatible
    base_url: {vllm_url}/v1
  vllm-down:
    kind: openai_compatible
    base_url: http://127.0.0.1:9/v1
models:
  - id: openai/gpt-5-mini
    label: GPT-5 mini
    endpoint: openai
    provider_model: gpt-5-mini
    params:
      max_tokens: {{ min: 1, max: 1000, default: 100 }}
  - id: vllm/qwen
    label: Qwen
    endpoint: vllm
    provider_model: test-model
    params:
      temperature: {{ min: 0.0, max: 2.0, default: 0.7 }}
      max_tokens: {{ min: 1, max: 1000, default: 64 }}
    capabilities: {{ json_object: true }}
  - id: vllm/down
    label: Down
    endpoint: vllm-down
    params:
      max_tokens: {{ min: 1, max: 1000, default: 64 }}
"#
    );
    let path = dir.path().join("models.yaml");
    std::fs::write(&path, text).unwrap();
    Catalog::load(&path).unwrap()
}

async fn engine(dir: &tempfile::TempDir, vllm_url: &str) -> Arc<Engine> {
    let config = EngineConfig {
        catalog: catalog(dir, vllm_url),
        data_dir: dir.path().to_owned(),
        database_url: format!("sqlite://{}/pep.db?mode=rwc", dir.path().display()),
        local_model_path: None,
    };
    Arc::new(Engine::start(config).await.expect("engine starts"))
}

#[tokio::test]
async fn missing_keys_and_stopped_servers_are_reasons_not_failures() {
    let dir = tempfile::tempdir().unwrap();
    let vllm = replay::Replay::start(vec![replay::load(
        &replay::fixtures().join("vllm/streaming.http"),
    )])
    .await;
    let engine = engine(&dir, &vllm.url).await;
    let models = engine.models();
    let reason = |id: &str| {
        models
            .iter()
            .find(|m| m.id == id)
            .expect("listed")
            .unavailable
            .clone()
    };
    assert_eq!(
        reason("openai/gpt-5-mini").as_deref(),
        Some("PEP_TEST_KEY_THAT_IS_NEVER_SET is not set; add the key to the environment (or .env) to use these models")
    );
    assert_eq!(reason("vllm/qwen"), None);
    let down = reason("vllm/down").expect("unavailable");
    assert!(down.contains("does not answer"), "{down}");
    let m = models.iter().find(|m| m.id == "vllm/qwen").unwrap();
    assert_eq!(m.provider, "openai_compatible");
    assert!(m.capabilities.json_object && !m.capabilities.tools);
    engine.readiness().await.expect("one model can serve");
}

#[tokio::test]
async fn a_remote_turn_is_streamed_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let vllm = replay::Replay::start(vec![replay::load(
        &replay::fixtures().join("vllm/streaming.http"),
    )])
    .await;
    let engine = engine(&dir, &vllm.url).await;
    let handle = engine
        .chat(ChatRequest {
            model: "vllm/qwen".into(),
            messages: vec![Message::new(Role::User, "Greet me.")],
            params: GenerationParams {
                temperature: Some(0.1),
                ..GenerationParams::default()
            },
            session_id: None,
        })
        .expect("the turn starts");
    let run_id = handle.run_id;
    let events: Vec<ChatEvent> = handle.collect().await;
    let text: String = events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::Delta { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(text, "Hello, wörld! 🙂 How are you?");
    let Some(ChatEvent::Done {
        status,
        finish_reason,
        usage,
        error,
        ..
    }) = events.last()
    else {
        panic!("{events:?}")
    };
    assert_eq!(
        (*status, *finish_reason, error.clone()),
        (RunStatus::Ok, FinishReason::Stop, None)
    );
    assert_eq!((usage.input_tokens, usage.output_tokens), (14, 9));

    let sent = &vllm.requests()[0];
    assert_eq!(sent.body["model"], "test-model");
    assert_eq!(sent.body["temperature"], 0.1);
    assert_eq!(sent.body["max_tokens"], 64);

    let run = engine.run(run_id).await.expect("stored");
    assert_eq!(run.provider, "openai_compatible");
    assert_eq!(run.reply, text);
}

#[tokio::test]
async fn capabilities_are_enforced_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let vllm = replay::Replay::start(vec![replay::load(
        &replay::fixtures().join("vllm/streaming.http"),
    )])
    .await;
    let engine = engine(&dir, &vllm.url).await;
    let e = engine
        .chat(ChatRequest {
            model: "vllm/qwen".into(),
            messages: vec![Message::new(Role::User, "Hi")],
            params: GenerationParams {
                reasoning_effort: Some("high".into()),
                ..GenerationParams::default()
            },
            session_id: None,
        })
        .expect_err("refused");
    assert_eq!(
        e.to_string(),
        "invalid request: vllm/qwen has no reasoning_effort control; leave reasoning_effort unset"
    );
    assert!(vllm.requests().is_empty());
}
