//! The task that runs one chat turn and records it (through its
//! [`Journal`]: written at the start, checkpointed, written whole at the
//! end).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use uuid::Uuid;

use crate::catalog::Pricing;
use crate::chat::{ChatEvent, ChatRequest, ToolCall};
use crate::outcome::Validation;
use crate::outcome::{FinishReason, Usage};
use crate::outcome::{RunMetrics, RunStatus};
use crate::providers::{
    merge_tool_call_delta, Provider, ProviderEvent, ProviderRequest, ProviderStream,
};
use crate::runs::recorder::Stopwatch;
use crate::runs::RunRecord;
use crate::schema::validate_reply;

use super::journal::Journal;
use super::progress::{Progress, PROGRESS_INTERVAL};
use super::trace::trace_id;
use super::Engine;

/// After a stop, how long to wait for the provider's final usage report.
const DRAIN_AFTER_CANCEL: Duration = Duration::from_secs(2);

pub(super) struct Job {
    pub engine: Arc<Engine>,
    pub run_id: Uuid,
    pub request: ChatRequest,
    pub pricing: Pricing,
    pub provider: Arc<dyn Provider>,
    pub provider_request: ProviderRequest,
    pub cancel: CancellationToken,
    pub tx: Sender<ChatEvent>,
    /// The run's span, made by `Engine::chat` in the caller's context so
    /// that it joins the caller's trace (the HTTP request's).
    pub span: tracing::Span,
}

/// What came back from the provider.
struct Outcome {
    reply: String,
    usage: Usage,
    finish: FinishReason,
    error: Option<String>,
    tool_calls: Vec<ToolCall>,
}

pub(super) async fn drive(job: Job) {
    let span = job.span.clone();
    run(job).instrument(span).await;
}

async fn run(job: Job) {
    let started_at = chrono::Utc::now();
    let mut stopwatch = Stopwatch::start();
    let trace_id = trace_id(&job.span);
    let mut record = RunRecord {
        id: job.run_id,
        created_at: started_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        session_id: job.request.session_id.clone(),
        model: job.request.model.clone(),
        provider: job.provider.name().to_owned(),
        params: job.request.params.clone(),
        messages: job.request.messages.clone(),
        reply: String::new(),
        status: RunStatus::Running,
        finish_reason: FinishReason::Interrupted,
        error: None,
        usage: Usage::default(),
        metrics: RunMetrics::default(),
        trace_id: trace_id.clone(),
        validation: None,
        conversation_id: job.request.conversation_id,
        prompt: job.request.prompt,
        tool_calls: Vec::new(),
        feedback: None,
    };
    let journal = Journal::open(&job.engine, record.clone());
    let _ = job
        .tx
        .send(ChatEvent::Started {
            run_id: job.run_id,
            model: job.request.model.clone(),
            trace_id: trace_id.clone(),
        })
        .await;
    let stream = job
        .provider
        .stream(job.provider_request.clone(), job.cancel.clone());
    let live = Live {
        tx: &job.tx,
        pricing: &job.pricing,
        pace: Progress::new(PROGRESS_INTERVAL),
        journal: &journal,
    };
    let outcome = pump(stream, &job.cancel, live, &mut stopwatch).await;
    let ended = Instant::now();
    let metrics = stopwatch.finish_at(ended, &outcome.usage, &job.pricing);
    let status = match outcome.finish {
        FinishReason::Stop | FinishReason::Length => RunStatus::Ok,
        FinishReason::Cancelled => RunStatus::Cancelled,
        FinishReason::Error => RunStatus::Failed,
        FinishReason::Interrupted => RunStatus::Interrupted,
    };
    let validation = validation(&job.request, status, &outcome);
    tracing::info!(
        status = status.as_str(),
        ttft_ms = metrics.ttft_ms,
        latency_ms = metrics.latency_ms,
        tokens_per_second = metrics.tokens_per_second,
        output_tokens = outcome.usage.output_tokens,
        valid = validation.as_ref().map(|v| v.valid),
        "run finished"
    );
    if status == RunStatus::Ok {
        for call in &outcome.tool_calls {
            let _ = job
                .tx
                .send(ChatEvent::ToolCall { call: call.clone() })
                .await;
        }
    }
    record.reply = outcome.reply;
    record.status = status;
    record.finish_reason = outcome.finish;
    record.error.clone_from(&outcome.error);
    record.usage = outcome.usage;
    record.metrics = metrics;
    record.validation.clone_from(&validation);
    record.tool_calls = outcome.tool_calls;
    let stored = journal.finish(record).await;
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
            trace_id,
            validation,
            stored,
        })
        .await;
}

/// Checks a finished JSON reply against its response format. Only a run
/// that ended `ok` is judged (a stopped or failed one is incomplete by
/// definition), and not a turn that only called tools.
fn validation(request: &ChatRequest, status: RunStatus, outcome: &Outcome) -> Option<Validation> {
    let format = request.params.response_format.as_ref()?;
    let tools_only = outcome.reply.trim().is_empty() && !outcome.tool_calls.is_empty();
    (status == RunStatus::Ok && !tools_only).then(|| validate_reply(format, &outcome.reply))
}

/// The client side of a running stream: where events go, and the pace of
/// the live figures.
struct Live<'a> {
    tx: &'a Sender<ChatEvent>,
    pricing: &'a Pricing,
    pace: Progress,
    /// Where the reply is checkpointed as it arrives.
    journal: &'a Journal,
}

impl Live<'_> {
    /// Sends an event; false when the client is gone.
    async fn send(&self, event: ChatEvent) -> bool {
        self.tx.send(event).await.is_ok()
    }

    /// Sends the figures so far if they are due.
    async fn progress(&mut self, stopwatch: &Stopwatch, usage: &Usage, first_token: bool) -> bool {
        let now = Instant::now();
        if !self.pace.due(now, first_token) {
            return true;
        }
        let usage = self.pace.usage(usage);
        let metrics = stopwatch.finish_at(now, &usage, self.pricing);
        self.send(ChatEvent::Progress { usage, metrics }).await
    }
}

/// Forwards the provider's events until it finishes, fails or is stopped.
async fn pump(
    mut stream: ProviderStream,
    cancel: &CancellationToken,
    mut live: Live<'_>,
    stopwatch: &mut Stopwatch,
) -> Outcome {
    let mut out = Outcome {
        reply: String::new(),
        usage: Usage::default(),
        finish: FinishReason::Error,
        error: None,
        tool_calls: Vec::new(),
    };
    let mut calls: BTreeMap<u32, ToolCall> = BTreeMap::new();
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
        let connected = match next {
            Some(Ok(ProviderEvent::TextDelta(text))) => {
                let first_token = out.reply.is_empty();
                stopwatch.token_at(Instant::now());
                live.pace.delta();
                out.reply.push_str(&text);
                live.journal
                    .text(&text, live.pace.usage(&out.usage).output_tokens);
                live.send(ChatEvent::Delta { text }).await
                    && live.progress(stopwatch, &out.usage, first_token).await
            }
            Some(Ok(ProviderEvent::ReasoningDelta(text))) => {
                live.send(ChatEvent::Reasoning { text }).await
                    && live.progress(stopwatch, &out.usage, false).await
            }
            Some(Ok(ProviderEvent::ToolCallDelta {
                index,
                id,
                name,
                arguments,
                signature,
            })) => {
                merge_tool_call_delta(&mut calls, index, id, name, &arguments, signature);
                live.progress(stopwatch, &out.usage, false).await
            }
            Some(Ok(ProviderEvent::Usage(usage))) => {
                out.usage = usage;
                live.progress(stopwatch, &out.usage, false).await
            }
            Some(Ok(ProviderEvent::RequestId(id))) => {
                // On the run's span, so the one INFO line per run (and its
                // trace) carries it.
                tracing::Span::current()
                    .record("provider_request_id", tracing::field::display(&id));
                tracing::debug!(provider_request_id = %id, "provider accepted the request");
                true
            }
            Some(Ok(ProviderEvent::Finish(reason))) => {
                out.finish = reason;
                out.tool_calls = calls.into_values().collect();
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
        };
        if !connected {
            // The client is gone: stop the model, keep what arrived.
            cancel.cancel();
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
