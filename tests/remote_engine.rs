//! The engine with remote endpoints: models without keys are listed as
//! unavailable with the reason, and a chat turn through an
//! OpenAI-compatible server (a replay of recorded vLLM traffic) is streamed
//! and recorded like a local one.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod replay;

use std::sync::Arc;

use futures::StreamExt;
use pep::catalog::Catalog;
use pep::chat::{
    ChatEvent, ChatRequest, GenerationParams, Message, ResponseFormat, Role, ToolSpec,
};
use pep::engine::MIN_RUN_LEASE;
use pep::outcome::FinishReason;
use pep::outcome::PromptRef;
use pep::outcome::{Rating, RunStatus};
use pep::runs::RunQuery;
use pep::EngineError;
use pep::{Engine, EngineConfig, RunLease};
use serde_json::json;

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
  - id: vllm/structured
    label: Structured
    endpoint: vllm
    provider_model: test-model
    params:
      max_tokens: {{ min: 1, max: 1000, default: 64 }}
    capabilities: {{ tools: true, json_object: true, json_schema: true }}
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
    let config = EngineConfig::new(
        catalog(dir, vllm_url),
        dir.path().to_owned(),
        format!("sqlite://{}/pep.db?mode=rwc", dir.path().display()),
    );
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
            conversation_id: None,
            prompt: None,
        })
        .await
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
            conversation_id: None,
            prompt: None,
        })
        .await
        .expect_err("refused");
    assert_eq!(
        e.to_string(),
        "invalid request: vllm/qwen has no reasoning_effort control; leave reasoning_effort unset"
    );
    assert!(vllm.requests().is_empty());
}

/// The replay server playing one fixture of the vLLM folder, and an engine
/// that reaches it.
async fn replaying(dir: &tempfile::TempDir, fixture: &str) -> (replay::Replay, Arc<Engine>) {
    let vllm = replay::Replay::start(vec![replay::load(
        &replay::fixtures().join("vllm").join(fixture),
    )])
    .await;
    let engine = engine(dir, &vllm.url).await;
    (vllm, engine)
}

fn ask(model: &str, text: &str, params: GenerationParams) -> ChatRequest {
    ChatRequest {
        model: model.into(),
        messages: vec![Message::new(Role::User, text)],
        params,
        session_id: None,
        conversation_id: None,
        prompt: None,
    }
}

#[tokio::test]
async fn reasoning_and_live_figures_are_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let (_vllm, engine) = replaying(&dir, "reasoning.http").await;
    let handle = engine
        .chat(ask(
            "vllm/qwen",
            "Capital of France?",
            GenerationParams::default(),
        ))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let events: Vec<ChatEvent> = handle.collect().await;
    let elapsed = started.elapsed();

    let Some(ChatEvent::Started { trace_id, .. }) = events.first() else {
        panic!("{events:?}")
    };
    assert_eq!(*trace_id, None, "no OpenTelemetry layer in this test");
    let reasoning: String = events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::Reasoning { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(reasoning, "The user asks for a capital. France's is Paris.");

    // A progress event right after the first token, with the time to it
    // and the token counted before the provider reported usage.
    let first_delta = events
        .iter()
        .position(|e| matches!(e, ChatEvent::Delta { .. }))
        .expect("a delta");
    let Some(ChatEvent::Progress { usage, metrics }) = events.get(first_delta + 1) else {
        panic!("no progress after the first token: {events:?}")
    };
    assert_eq!(usage.output_tokens, 1);
    assert!(metrics.ttft_ms.is_some() && metrics.latency_ms >= metrics.ttft_ms.unwrap_or(0.0));
    // Reasoning came first: only the reasoning's own progress precedes it.
    let before = events[..first_delta]
        .iter()
        .filter(|e| matches!(e, ChatEvent::Progress { .. }))
        .count();
    assert_eq!(before, 1, "{events:?}");
    // Throttled: at most one per 200 ms, plus the first token's.
    let progress = events
        .iter()
        .filter(|e| matches!(e, ChatEvent::Progress { .. }))
        .count();
    let allowed = 2 + (elapsed.as_millis() / 200) as usize;
    assert!(
        progress <= allowed,
        "{progress} progress events in {elapsed:?}"
    );

    let Some(ChatEvent::Done {
        status,
        usage,
        trace_id,
        validation,
        ..
    }) = events.last()
    else {
        panic!("{events:?}")
    };
    assert_eq!(*status, RunStatus::Ok);
    assert_eq!(usage.output_tokens, 40);
    assert_eq!((trace_id.clone(), validation.clone()), (None, None));
}

#[tokio::test]
async fn tool_calls_arrive_whole_before_done() {
    let dir = tempfile::tempdir().unwrap();
    let (_vllm, engine) = replaying(&dir, "tool_call.http").await;
    let params = GenerationParams {
        tools: vec![ToolSpec {
            name: "get_weather".into(),
            description: "Weather of a city".into(),
            parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}}),
        }],
        ..GenerationParams::default()
    };
    let reply = engine
        .chat(ask("vllm/structured", "Weather in Paris?", params))
        .await
        .unwrap()
        .reply()
        .await;
    assert_eq!(reply.status, RunStatus::Ok);
    assert_eq!(reply.tool_calls.len(), 1);
    let call = &reply.tool_calls[0];
    assert_eq!(
        (
            call.id.as_str(),
            call.name.as_str(),
            call.arguments.as_str()
        ),
        ("call_weather_1", "get_weather", "{\"city\":\"Paris\"}")
    );
    assert_eq!(reply.text, "");
    assert_eq!(reply.usage.output_tokens, 15);
}

fn weather_schema(temperature_type: &str) -> ResponseFormat {
    ResponseFormat::JsonSchema {
        name: "weather".into(),
        schema: json!({
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "temperature_c": {"type": temperature_type}
            },
            "required": ["city", "temperature_c"],
            "additionalProperties": false
        }),
        strict: true,
    }
}

#[tokio::test]
async fn json_replies_are_validated_and_the_result_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (_vllm, engine) = replaying(&dir, "json_schema.http").await;
    let params = |t| GenerationParams {
        response_format: Some(weather_schema(t)),
        ..GenerationParams::default()
    };
    let good = engine
        .chat(ask(
            "vllm/structured",
            "Weather in Paris as JSON",
            params("integer"),
        ))
        .await
        .unwrap()
        .reply()
        .await;
    assert_eq!(good.text, "{\"city\":\"Paris\",\"temperature_c\":18}");
    let v = good.validation.clone().expect("validated");
    assert!(v.valid && v.errors.is_empty(), "{v:?}");

    let bad = engine
        .chat(ask(
            "vllm/structured",
            "Weather in Paris as JSON",
            params("string"),
        ))
        .await
        .unwrap()
        .reply()
        .await;
    let v = bad.validation.clone().expect("validated");
    assert!(!v.valid);
    assert_eq!(v.errors.len(), 1, "{v:?}");
    assert_eq!(v.errors[0].path, "/temperature_c");
    let stored = engine.run(bad.run_id).await.unwrap();
    assert_eq!(stored.validation, bad.validation);
    assert_eq!(
        engine.run(good.run_id).await.unwrap().validation,
        good.validation
    );
}

#[tokio::test]
async fn a_schema_the_provider_would_refuse_is_refused_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    let (vllm, engine) = replaying(&dir, "json_schema.http").await;
    let format = ResponseFormat::JsonSchema {
        name: "weather".into(),
        schema: json!({"type": "object", "properties": {"city": {"type": "string"}}}),
        strict: true,
    };
    let issues = engine
        .check_response_format("vllm/structured", &format)
        .unwrap();
    assert_eq!(issues.len(), 2, "{issues:?}");
    let e = engine
        .chat(ask(
            "vllm/structured",
            "Weather in Paris as JSON",
            GenerationParams {
                response_format: Some(format),
                ..GenerationParams::default()
            },
        ))
        .await
        .expect_err("refused");
    let message = e.to_string();
    assert!(matches!(e, EngineError::InvalidRequest(_)), "{e:?}");
    assert!(
        message.contains("additionalProperties") && message.contains("missing: city"),
        "{message}"
    );
    assert!(vllm.requests().is_empty());
    assert!(matches!(
        engine.check_response_format("nope", &ResponseFormat::JsonObject),
        Err(EngineError::UnknownModel(_))
    ));
}

#[tokio::test]
async fn feedback_and_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let (_vllm, engine) = replaying(&dir, "streaming.http").await;
    let mut request = ask("vllm/qwen", "Greet me.", GenerationParams::default());
    request.session_id = Some("tab-7".into());
    let reply = engine.chat(request).await.unwrap().reply().await;
    assert_eq!(reply.status, RunStatus::Ok);

    engine
        .set_feedback(reply.run_id, Some(Rating::Like))
        .await
        .unwrap();
    let ratings = engine.feedback(&[reply.run_id]).await.unwrap();
    assert_eq!(ratings.get(&reply.run_id), Some(&Rating::Like));
    engine.set_feedback(reply.run_id, None).await.unwrap();
    engine.set_feedback(reply.run_id, None).await.unwrap();
    assert!(engine.feedback(&[reply.run_id]).await.unwrap().is_empty());
    let missing = uuid::Uuid::now_v7();
    for rating in [Some(Rating::Dislike), None] {
        assert!(matches!(
            engine.set_feedback(missing, rating).await,
            Err(EngineError::RunNotFound(id)) if id == missing
        ));
    }
    // The session was noted in the background.
    let store = pep::store::Store::connect(&format!(
        "sqlite://{}/pep.db?mode=rwc",
        dir.path().display()
    ))
    .await
    .unwrap();
    let mut session = None;
    for _ in 0..100 {
        session = store.session("tab-7").await.unwrap();
        if session.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(session.map(|s| s.id).as_deref(), Some("tab-7"));
    assert_eq!(engine.ui_settings().session_idle_minutes, 30);
    assert!(engine.schema_templates().is_empty());

    let mut long = ask("vllm/qwen", "Hi", GenerationParams::default());
    long.session_id = Some("x".repeat(200));
    assert!(engine
        .chat(long)
        .await
        .unwrap_err()
        .to_string()
        .contains("session_id"));
}

#[tokio::test]
async fn a_turn_in_a_conversation_is_stored_with_its_tool_calls() {
    let dir = tempfile::tempdir().unwrap();
    let (vllm, engine) = replaying(&dir, "tool_call.http").await;
    let conversation = uuid::Uuid::now_v7();
    let mut request = ask(
        "vllm/structured",
        "Weather in Paris?",
        GenerationParams {
            tools: vec![ToolSpec {
                name: "get_weather".into(),
                description: "Weather of a city".into(),
                parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}}),
            }],
            ..GenerationParams::default()
        },
    );
    request.conversation_id = Some(conversation);
    request.session_id = Some("tab-1".into());
    request.prompt = Some(PromptRef {
        prompt_id: uuid::Uuid::now_v7(),
        version: 2,
    });
    let reply = engine.chat(request.clone()).await.unwrap().reply().await;
    assert_eq!(reply.status, RunStatus::Ok);

    let run = engine.run(reply.run_id).await.unwrap();
    assert_eq!(run.conversation_id, Some(conversation));
    assert_eq!(run.prompt, request.prompt);
    assert_eq!(run.tool_calls, reply.tool_calls);
    let audit = engine.run_tool_calls(reply.run_id).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].name.as_str(), audit[0].arguments_valid),
        ("get_weather", true)
    );

    let stored = engine.conversation(conversation).await.unwrap();
    assert_eq!(stored.summary.title, "Weather in Paris?");
    assert_eq!(stored.summary.session_id.as_deref(), Some("tab-1"));
    assert_eq!(stored.last_run_id, Some(reply.run_id));
    assert_eq!(stored.messages.len(), 2);
    assert_eq!(stored.messages[1].run_id, Some(reply.run_id));
    assert_eq!(stored.messages[1].message.tool_calls, reply.tool_calls);

    let page = engine
        .search_runs(&RunQuery {
            conversation_id: Some(conversation),
            ..RunQuery::default()
        })
        .await
        .unwrap();
    assert_eq!((page.total, page.runs[0].id), (1, reply.run_id));
    let stats = engine.run_stats(&RunQuery::default()).await.unwrap();
    assert_eq!((stats.count, stats.ok), (1, 1));
    assert!(matches!(
        engine
            .search_runs(&RunQuery {
                limit: Some(0),
                ..RunQuery::default()
            })
            .await,
        Err(EngineError::InvalidQuery(_))
    ));

    let renamed = engine
        .rename_conversation(conversation, "  Paris weather ")
        .await
        .unwrap();
    assert_eq!(renamed.title, "Paris weather");
    assert!(matches!(
        engine.rename_conversation(conversation, " ").await,
        Err(EngineError::InvalidTitle(pep::query::TitleError::Empty))
    ));
    let listed = engine.conversations("paris", Some(10), 0).await.unwrap();
    assert_eq!(listed.len(), 1);

    // Deleted: gone, and a turn naming it is refused before anything is sent.
    engine.delete_conversation(conversation).await.unwrap();
    assert!(matches!(
        engine.conversation(conversation).await,
        Err(EngineError::ConversationNotFound(id)) if id == conversation
    ));
    assert!(matches!(
        engine.delete_conversation(conversation).await,
        Err(EngineError::ConversationNotFound(_))
    ));
    let sent = vllm.requests().len();
    let e = engine.chat(request).await.unwrap_err();
    assert!(
        matches!(e, EngineError::ConversationDeleted(id) if id == conversation),
        "{e:?}"
    );
    assert!(e.to_string().contains("deleted"), "{e}");
    assert_eq!(vllm.requests().len(), sent);
    assert!(engine.run_tool_calls(uuid::Uuid::now_v7()).await.is_err());
}

#[tokio::test]
async fn text_with_nul_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (vllm, engine) = replaying(&dir, "streaming.http").await;
    let e = engine
        .chat(ask("vllm/qwen", "hello\0", GenerationParams::default()))
        .await
        .unwrap_err();
    assert!(matches!(e, EngineError::InvalidRequest(_)), "{e:?}");
    assert!(e.to_string().contains("U+0000"), "{e}");
    assert!(vllm.requests().is_empty());
    assert_eq!(
        engine
            .search_runs(&RunQuery::default())
            .await
            .unwrap()
            .total,
        0
    );
}

#[tokio::test]
async fn a_run_that_cannot_be_stored_reaches_the_user_says_so_and_is_stored_later() {
    let dir = tempfile::tempdir().unwrap();
    let vllm = replay::Replay::start(vec![replay::load(
        &replay::fixtures().join("vllm/streaming.http"),
    )])
    .await;
    // The shortest lease, so the upkeep looks at the spool every second.
    let config = EngineConfig {
        run_lease: RunLease::new(MIN_RUN_LEASE),
        ..EngineConfig::new(
            catalog(&dir, &vllm.url),
            dir.path().to_owned(),
            format!("sqlite://{}/pep.db?mode=rwc", dir.path().display()),
        )
    };
    let engine = Arc::new(Engine::start(config).await.expect("engine starts"));
    // From now on every write of a run fails, as on a full disk.
    let db = sqlx::SqlitePool::connect(&format!("sqlite://{}/pep.db", dir.path().display()))
        .await
        .unwrap();
    let refuse = |table: &str, event: &str| {
        format!(
            "CREATE TRIGGER refuse_{table}_{event} BEFORE {event} ON {table} \
             BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    };
    for sql in [refuse("runs", "INSERT"), refuse("runs", "UPDATE")] {
        sqlx::query(&sql).execute(&db).await.unwrap();
    }
    let handle = engine
        .chat(ask("vllm/qwen", "Greet me.", GenerationParams::default()))
        .await
        .unwrap();
    let run_id = handle.run_id;
    let reply = handle.reply().await;
    assert_eq!(reply.text, "Hello, wörld! 🙂 How are you?");
    assert_eq!((reply.status, reply.error.clone()), (RunStatus::Ok, None));
    assert!(!reply.stored, "the reply must say it was not stored");
    assert!(matches!(
        engine.run(run_id).await,
        Err(EngineError::RunNotFound(id)) if id == run_id
    ));
    let spooled = dir.path().join(format!("spool/{run_id}.json"));
    assert!(spooled.exists(), "the run waits on disk");

    // The database takes writes again: the upkeep stores the spooled run.
    for trigger in ["refuse_runs_INSERT", "refuse_runs_UPDATE"] {
        sqlx::query(&format!("DROP TRIGGER {trigger}"))
            .execute(&db)
            .await
            .unwrap();
    }
    let stored = tokio::time::timeout(std::time::Duration::from_secs(15), async {
        loop {
            if let Ok(run) = engine.run(run_id).await {
                break run;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("the spooled run is stored once the database takes it");
    assert_eq!(stored.reply, reply.text);
    assert_eq!(stored.status, RunStatus::Ok);
    assert_eq!(stored.usage, reply.usage);
    // Once stored, the file is gone (it is removed right after the write).
    tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while spooled.exists() {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the spool file is removed");
}

/// An engine whose one model sits behind a gateway that takes its key in
/// an extra header, replaying `fixture` of the vLLM folder.
async fn behind_a_gateway(dir: &tempfile::TempDir, fixture: &str) -> (replay::Replay, Arc<Engine>) {
    let vllm = replay::Replay::start(vec![replay::load(
        &replay::fixtures().join("vllm").join(fixture),
    )])
    .await;
    let text = format!(
        r#"
endpoints:
  gateway:
    kind: openai_compatible
    base_url: {}/v1
    headers:
      authorization: "Bearer test-key"
models:
  - id: gateway/qwen
    label: Qwen
    endpoint: gateway
    provider_model: test-model
    params:
      max_tokens: {{ min: 1, max: 1000, default: 64 }}
"#,
        vllm.url
    );
    let path = dir.path().join("models.yaml");
    std::fs::write(&path, text).unwrap();
    let config = EngineConfig::new(
        Catalog::load(&path).unwrap(),
        dir.path().to_owned(),
        format!("sqlite://{}/pep.db?mode=rwc", dir.path().display()),
    );
    let engine = Arc::new(Engine::start(config).await.expect("engine starts"));
    (vllm, engine)
}

/// The error a failed turn reported, and the one its stored run holds.
async fn failed_turn(engine: &Arc<Engine>) -> (String, String) {
    let handle = engine
        .chat(ask(
            "gateway/qwen",
            "Greet me.",
            GenerationParams::default(),
        ))
        .await
        .unwrap();
    let run_id = handle.run_id;
    let events: Vec<ChatEvent> = handle.collect().await;
    let Some(ChatEvent::Done {
        status,
        error: Some(reported),
        ..
    }) = events.last()
    else {
        panic!("{events:?}")
    };
    assert_eq!(*status, RunStatus::Failed, "{events:?}");
    let run = engine.run(run_id).await.expect("stored");
    (reported.clone(), run.error.expect("the run's error"))
}

#[tokio::test]
async fn a_key_the_provider_repeats_is_neither_shown_nor_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (vllm, engine) = behind_a_gateway(&dir, "key_echoed.http").await;
    let (reported, stored) = failed_turn(&engine).await;
    assert_eq!(
        vllm.requests()[0]
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer test-key"),
        "the key was sent"
    );
    for error in [&reported, &stored] {
        assert!(!error.contains("test-key"), "the key leaked: {error}");
        assert!(
            error.contains("the token [redacted] is not valid"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn an_html_page_instead_of_a_stream_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (_vllm, engine) = behind_a_gateway(&dir, "captive_portal.http").await;
    let (reported, stored) = failed_turn(&engine).await;
    for error in [&reported, &stored] {
        assert!(
            error.contains(
                "the provider answered with text/html, not an event stream: is the base URL right?"
            ),
            "{error}"
        );
        assert!(error.contains("Guest Wi-Fi"), "{error}");
        assert!(!error.contains("ended before"), "{error}");
    }
}
