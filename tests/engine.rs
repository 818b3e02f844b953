//! One chat turn through the engine: validation, streaming, recording.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

mod common;

use std::sync::Arc;

use futures::StreamExt;
use pep::catalog::Catalog;
use pep::chat::{ChatEvent, ChatRequest, GenerationParams, Message, Role};
use pep::outcome::RunStatus;
use pep::{Engine, EngineConfig, EngineError};

async fn engine(dir: &tempfile::TempDir) -> Arc<Engine> {
    let catalog =
        Catalog::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/models.yaml"))
            .expect("catalog");
    let config = EngineConfig {
        local_model_path: Some(common::model_path()),
        ..EngineConfig::new(
            catalog,
            dir.path().to_owned(),
            format!("sqlite://{}", dir.path().join("runs/pep.db").display()),
        )
    };
    Arc::new(Engine::start(config).await.expect("engine starts"))
}

fn request(text: &str, max_tokens: u32) -> ChatRequest {
    ChatRequest {
        model: "local/smollm2-135m".into(),
        messages: vec![Message::new(Role::User, text)],
        params: GenerationParams {
            max_tokens: Some(max_tokens),
            temperature: Some(0.0),
            ..GenerationParams::default()
        },
        session_id: Some("session-1".into()),
        conversation_id: None,
        prompt: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_streams_then_is_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine(&dir).await;
    assert!(engine.readiness().await.is_ok());
    let models = engine.models();
    assert_eq!(models[0].unavailable, None);

    let mut handle = engine
        .chat(request("Say hello.", 24))
        .await
        .expect("starts");
    let run_id = handle.run_id;
    let mut events = Vec::new();
    while let Some(e) = handle.next().await {
        events.push(e);
    }
    assert!(matches!(events.first(), Some(ChatEvent::Started { run_id: id, .. }) if *id == run_id));
    let text: String = events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::Delta { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    let Some(ChatEvent::Done {
        status,
        usage,
        metrics,
        ..
    }) = events.last()
    else {
        panic!("last event is not done: {events:?}");
    };
    assert_eq!(*status, RunStatus::Ok);
    assert!(metrics.ttft_ms.is_some() && metrics.latency_ms >= metrics.ttft_ms.unwrap_or_default());

    let run = engine.run(run_id).await.expect("stored");
    assert_eq!(run.reply, text);
    assert_eq!(run.status, RunStatus::Ok);
    assert_eq!(run.usage, *usage);
    assert_eq!(run.session_id.as_deref(), Some("session-1"));
    assert_eq!(run.params.max_tokens, Some(24));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_stream_cancels_and_records_what_arrived() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine(&dir).await;
    let mut handle = engine
        .chat(request("Write a very long story about a dragon.", 3000))
        .await
        .expect("starts");
    let run_id = handle.run_id;
    let mut seen = String::new();
    while let Some(e) = handle.next().await {
        if let ChatEvent::Delta { text } = e {
            seen.push_str(&text);
            if seen.len() > 20 {
                break;
            }
        }
    }
    drop(handle); // the client goes away
                  // The run is stored from its start (running); wait for its end.
    let run = loop {
        match engine.run(run_id).await {
            Ok(run) if run.status.is_final() => break run,
            Ok(_) | Err(EngineError::RunNotFound(_)) => {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(run.status, RunStatus::Cancelled);
    assert!(
        run.reply.starts_with(&seen),
        "{:?} vs {:?}",
        run.reply,
        seen
    );
    assert!(
        run.usage.output_tokens > 0 && run.usage.output_tokens < 200,
        "{:?}",
        run.usage
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_by_id_ends_the_turn_as_cancelled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine(&dir).await;
    let mut handle = engine
        .chat(request("Write a very long story about a knight.", 3000))
        .await
        .expect("starts");
    let mut cancelled = false;
    let mut last = None;
    while let Some(e) = handle.next().await {
        if matches!(e, ChatEvent::Delta { .. }) && !cancelled {
            assert!(engine.cancel(handle.run_id));
            cancelled = true;
        }
        last = Some(e);
    }
    assert!(
        matches!(
            last,
            Some(ChatEvent::Done {
                status: RunStatus::Cancelled,
                ..
            })
        ),
        "{last:?}"
    );
    assert!(
        !engine.cancel(handle.run_id),
        "a finished run cannot be cancelled again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_refused_and_nothing_is_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine(&dir).await;
    let mut bad = request("hi", 10);
    bad.model = "nope".into();
    assert!(matches!(
        engine.chat(bad).await,
        Err(EngineError::UnknownModel(_))
    ));
    let mut bad = request("hi", 10);
    bad.params.temperature = Some(9.0);
    let err = engine.chat(bad).await.expect_err("out of range");
    assert!(err.to_string().contains("temperature 9"), "{err}");
    assert_eq!(
        engine
            .search_runs(&pep::runs::RunQuery::default())
            .await
            .expect("search")
            .total,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_model_file_is_reported_not_fatal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let catalog =
        Catalog::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/models.yaml"))
            .expect("catalog");
    let engine = Arc::new(
        Engine::start(EngineConfig {
            local_model_path: Some(dir.path().join("absent.gguf")),
            ..EngineConfig::new(
                catalog,
                dir.path().to_owned(),
                format!("sqlite://{}", dir.path().join("pep.db").display()),
            )
        })
        .await
        .expect("starts without the model"),
    );
    let reason = engine.models()[0]
        .unavailable
        .clone()
        .expect("marked unavailable");
    assert!(reason.contains("absent.gguf"), "{reason}");
    assert!(engine.readiness().await.is_err());
    let err = engine
        .chat(request("hi", 5))
        .await
        .expect_err("unavailable");
    assert!(matches!(err, EngineError::ModelUnavailable { .. }), "{err}");
}

/// What a client read of a turn: the text, then the last event.
async fn read_to_end(mut handle: pep::ChatHandle) -> (String, Option<ChatEvent>) {
    let (mut text, mut last) = (String::new(), None);
    while let Some(e) = handle.next().await {
        if let ChatEvent::Delta { text: t } = &e {
            text.push_str(t);
        }
        last = Some(e);
    }
    (text, last)
}

fn final_status(last: &Option<ChatEvent>) -> Option<RunStatus> {
    match last {
        Some(ChatEvent::Done { status, .. }) => Some(*status),
        _ => None,
    }
}

/// Shutdown (SIGTERM): a turn that ends within the grace period ends as
/// usual and is stored as such. (A four-token turn against ten seconds: no
/// race with the model's speed.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_a_turn_within_the_grace_period_finish() {
    use std::time::Duration;
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine(&dir).await;
    let mut short = engine.chat(request("Say hi.", 4)).await.expect("starts");
    let mut text = String::new();
    while let Some(e) = short.next().await {
        if let ChatEvent::Delta { text: t } = &e {
            text.push_str(t);
            break;
        }
    }
    let id = short.run_id;
    let shutting = {
        let engine = Arc::clone(&engine);
        async move { engine.shutdown(Duration::from_secs(10)).await }
    };
    let (cancelled, (rest, last)) = tokio::join!(shutting, read_to_end(short));
    assert_eq!(cancelled, 0, "the turn finished within the grace period");
    assert_eq!(final_status(&last), Some(RunStatus::Ok), "{last:?}");
    drop(engine);
    let again = self::engine(&dir).await;
    let run = again.run(id).await.expect("stored");
    assert_eq!(run.status, RunStatus::Ok);
    assert_eq!(run.reply, format!("{text}{rest}"));
}

/// Shutdown (SIGTERM): new turns are refused at once, a turn still going
/// when the grace period ends is cancelled, and what it wrote is in the
/// store when the engine is started again. The grace period starts once
/// the turn has written, and is far shorter than what it asked for, so the
/// turn cannot end first whatever the machine's speed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_cancels_what_outlives_the_grace_period_and_keeps_what_arrived() {
    use std::time::Duration;
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine(&dir).await;
    let mut long = engine
        .chat(request("Write a very long story about a knight.", 3000))
        .await
        .expect("starts");
    let mut long_text = String::new();
    while let Some(e) = long.next().await {
        if let ChatEvent::Delta { text: t } = &e {
            long_text.push_str(t);
            break;
        }
    }
    let long_id = long.run_id;
    let shutting = {
        let engine = Arc::clone(&engine);
        async move { engine.shutdown(Duration::from_millis(200)).await }
    };
    let (cancelled, (rest, long_last)) = tokio::join!(shutting, read_to_end(long));
    long_text.push_str(&rest);
    assert_eq!(cancelled, 1, "the long turn outlived the grace period");
    assert_eq!(
        final_status(&long_last),
        Some(RunStatus::Cancelled),
        "{long_last:?}"
    );
    assert!(matches!(
        engine.chat(request("Still there?", 4)).await,
        Err(EngineError::ShuttingDown)
    ));
    assert!(engine.readiness().await.is_err());
    drop(engine);

    let again = self::engine(&dir).await;
    let long_run = again.run(long_id).await.expect("stored");
    assert_eq!(long_run.status, RunStatus::Cancelled);
    // What arrived is kept: all the client saw, and no less.
    assert!(
        long_run.reply.starts_with(&long_text),
        "{:?} / {long_text:?}",
        long_run.reply
    );
    assert!(!long_run.reply.is_empty(), "what arrived is kept");
}
