//! The task that runs one chat turn and records it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use uuid::Uuid;

use crate::catalog::Pricing;
use crate::chat::{ChatEvent, ChatRequest, FinishReason, Usage};
use crate::providers::{Provider, ProviderEvent, ProviderRequest, ProviderStream};
use crate::runs::recorder::Stopwatch;
use crate::runs::{RunRecord, RunStatus};

use super::Engine;

/// After a stop, how long to wait for the provider's final usage report.
const DRAIN_AFTER_CANCEL: Duration = Duration::from_secs(2);
/// Attempts to store a run before giving up (the reply was already delivered).
const STORE_ATTEMPTS: u32 = 5;

pub(super) struct Job {
    pub engine: Arc<Engine>,
    pub run_id: Uuid,
    pub request: ChatRequest,
    pub pricing: Pricing,
    pub provider: Arc<dyn Provider>,
    pub provider_request: ProviderRequest,
    pub cancel: CancellationToken,
    pub tx: Sender<ChatEvent>,
}

/// What came back from the provider.
struct Outcome {
    reply: String,
    usage: Usage,
    finish: FinishReason,
    error: Option<String>,
}

pub(super) async fn drive(job: Job) {
    let span = tracing::info_span!("chat", run_id = %job.run_id, model = %job.request.model);
    run(job).instrument(span).await;
}

async fn run(job: Job) {
    let started_at = chrono::Utc::now();
    let mut stopwatch = Stopwatch::start();
    let _ = job
        .tx
        .send(ChatEvent::Started {
            run_id: job.run_id,
            model: job.request.model.clone(),
        })
        .await;
    let stream = job
        .provider
        .stream(job.provider_request.clone(), job.cancel.clone());
    let outcome = pump(stream, &job.cancel, &job.tx, &mut stopwatch).await;
    let ended = Instant::now();
    let metrics = stopwatch.finish_at(ended, &outcome.usage, &job.pricing);
    let status = match outcome.finish {
        FinishReason::Stop | FinishReason::Length => RunStatus::Ok,
        FinishReason::Cancelled => RunStatus::Cancelled,
        FinishReason::Error => RunStatus::Failed,
    };
    tracing::info!(
        status = status.as_str(),
        ttft_ms = metrics.ttft_ms,
        latency_ms = metrics.latency_ms,
        tokens_per_second = metrics.tokens_per_second,
        output_tokens = outcome.usage.output_tokens,
        "run finished"
    );
    let record = RunRecord {
        id: job.run_id,
        created_at: started_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        session_id: job.request.session_id.clone(),
        model: job.request.model.clone(),
        provider: job.provider.name().to_owned(),
        params: job.request.params.clone(),
        messages: job.request.messages.clone(),
        reply: outcome.reply,
        status,
        finish_reason: outcome.finish,
        error: outcome.error.clone(),
        usage: outcome.usage,
        metrics,
        trace_id: None,
    };
    persist(&job.engine, record).await;
    job.engine.finished(job.run_id);
    let _ = job
        .tx
        .send(ChatEvent::Done {
            run_id: job.run_id,
            status,
            finish_reason: outcome.finish,
            usage: outcome.usage,
            metrics,
            error: outcome.error,
        })
        .await;
}

/// Forwards the provider's events until it finishes, fails or is stopped.
async fn pump(
    mut stream: ProviderStream,
    cancel: &CancellationToken,
    tx: &Sender<ChatEvent>,
    stopwatch: &mut Stopwatch,
) -> Outcome {
    let mut out = Outcome {
        reply: String::new(),
        usage: Usage::default(),
        finish: FinishReason::Error,
        error: None,
    };
    loop {
        let next = tokio::select! {
            biased;
            () = cancel.cancelled() => {
                out.finish = FinishReason::Cancelled;
                drain_usage(&mut stream, &mut out).await;
                return out;
            }
            next = stream.next() => next,
        };
        match next {
            Some(Ok(ProviderEvent::TextDelta(text))) => {
                stopwatch.token_at(Instant::now());
                out.reply.push_str(&text);
                if tx.send(ChatEvent::Delta { text }).await.is_err() {
                    // The client is gone: stop the model, keep what arrived.
                    cancel.cancel();
                }
            }
            Some(Ok(ProviderEvent::Usage(usage))) => out.usage = usage,
            Some(Ok(ProviderEvent::RequestId(id))) => {
                tracing::info!(provider_request_id = %id, "provider accepted the request");
            }
            // Clients have no event for reasoning or tool calls yet: the
            // reply is the text.
            Some(Ok(ProviderEvent::ReasoningDelta(_) | ProviderEvent::ToolCallDelta { .. })) => {}
            Some(Ok(ProviderEvent::Finish(reason))) => {
                out.finish = reason;
                return out;
            }
            Some(Err(e)) => {
                out.error = Some(e.to_string());
                return out;
            }
            None => {
                out.error =
                    Some("the provider's stream ended before the reply was finished".into());
                return out;
            }
        }
    }
}

/// A stopped provider still reports how many tokens it used; wait briefly
/// for that so cancelled runs carry true counts.
async fn drain_usage(stream: &mut ProviderStream, out: &mut Outcome) {
    let drain = async {
        while let Some(event) = stream.next().await {
            match event {
                Ok(ProviderEvent::Usage(u)) => out.usage = u,
                // Text after the stop never reached the user: not part of the reply.
                Ok(
                    ProviderEvent::TextDelta(_)
                    | ProviderEvent::ReasoningDelta(_)
                    | ProviderEvent::ToolCallDelta { .. }
                    | ProviderEvent::RequestId(_),
                ) => {}
                Ok(ProviderEvent::Finish(_)) | Err(_) => break,
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_AFTER_CANCEL, drain).await;
}

/// Stores the run, retrying with backoff; the database is the source of
/// truth, so a failure is logged loudly rather than dropped.
async fn persist(engine: &Engine, record: RunRecord) {
    let mut delay = Duration::from_millis(100);
    for attempt in 1..=STORE_ATTEMPTS {
        match engine.store().insert_run(&record).await {
            Ok(()) => return,
            Err(e) if attempt < STORE_ATTEMPTS => {
                tracing::warn!(attempt, error = %e, "storing the run failed; retrying");
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            Err(e) => {
                let run = serde_json::to_string(&record).unwrap_or_default();
                tracing::error!(error = %e, %run, "the run could not be stored");
            }
        }
    }
}
