//! One chat turn seen from the browser: call the streaming server function
//! (or the whole-reply one), decode its events into the reply entry, and
//! stop it on request.

use futures::StreamExt;
use leptos::prelude::*;
use pep::chat::{ChatEvent, ChatReply, ChatRequest};
use pep::outcome::RunStatus;
use pep::outcome::Usage;
use uuid::Uuid;

use super::conversation::{Entry, Outcome};
use super::settings::Delivery;
use crate::api::{cancel_run, chat_complete, chat_stream};
use crate::ndjson::LineDecoder;

/// The run in progress, shared by the Send and Stop buttons.
#[derive(Debug, Clone, Copy)]
pub struct TurnState {
    run_id: RwSignal<Option<Uuid>>,
    stop_requested: RwSignal<bool>,
}

impl TurnState {
    pub fn new() -> Self {
        Self {
            run_id: RwSignal::new(None),
            stop_requested: RwSignal::new(false),
        }
    }

    /// Asks the server to stop the current run. If the run has not started
    /// yet, it is stopped as soon as its id arrives.
    pub fn stop(self) {
        self.stop_requested.set(true);
        if let Some(id) = self.run_id.get_untracked() {
            leptos::task::spawn_local(async move {
                // Not found means the run ended on its own meanwhile: the
                // reply shows how, so there is nothing more to say.
                let _ = cancel_run(id).await;
            });
        }
    }

    /// Runs the turn to its end, writing into `reply`.
    pub async fn run(self, request: ChatRequest, reply: Entry, delivery: Delivery) {
        self.run_id.set(None);
        self.stop_requested.set(false);
        match delivery {
            Delivery::Stream => self.stream(request, reply).await,
            Delivery::Whole => whole(request, reply).await,
        }
        self.run_id.set(None);
    }

    async fn stream(self, request: ChatRequest, reply: Entry) {
        let stream = match chat_stream(request).await {
            Ok(s) => s,
            Err(e) => return reply.fail(server_message(&e)),
        };
        let mut stream = stream.into_inner();
        let mut lines = LineDecoder::default();
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    return reply.fail(format!("the connection broke: {}", server_message(&e)))
                }
            };
            for event in lines.push::<ChatEvent>(&chunk) {
                match event {
                    Ok(event) => self.apply(event, reply),
                    Err(e) => reply.fail(format!("unreadable event from the server: {e}")),
                }
            }
        }
        if reply.outcome.get_untracked().is_none() {
            reply.fail("the connection closed before the reply was finished".into());
        }
    }

    fn apply(self, event: ChatEvent, reply: Entry) {
        match event {
            ChatEvent::Started {
                run_id, trace_id, ..
            } => {
                self.run_id.set(Some(run_id));
                reply.run_id.set(Some(run_id));
                reply.trace_id.set(trace_id);
                if self.stop_requested.get_untracked() {
                    self.stop();
                }
            }
            ChatEvent::Delta { text } => {
                reply.text.update(|t| t.push_str(&text));
                reply.deltas.update(|n| *n += 1);
            }
            ChatEvent::Reasoning { text } => reply.reasoning.update(|t| t.push_str(&text)),
            ChatEvent::ToolCall { call } => reply.tool_calls.update(|v| v.push(call)),
            ChatEvent::Progress { usage, metrics } => reply.live.set(Some((usage, metrics))),
            ChatEvent::Done {
                run_id,
                status,
                usage,
                metrics,
                error,
                trace_id,
                validation,
                stored,
                ..
            } => {
                if trace_id.is_some() {
                    reply.trace_id.set(trace_id);
                }
                reply.validation.set(validation);
                reply.outcome.set(Some(Outcome {
                    run_id: Some(run_id),
                    status,
                    usage,
                    metrics: Some(metrics),
                    error,
                    stored,
                }));
            }
        }
    }
}

/// A non-streamed turn: one request, one answer.
async fn whole(request: ChatRequest, reply: Entry) {
    match chat_complete(request).await {
        Ok(r) => show_whole(r, reply),
        Err(e) => reply.fail(server_message(&e)),
    }
}

fn show_whole(r: ChatReply, reply: Entry) {
    reply.run_id.set(Some(r.run_id));
    reply.trace_id.set(r.trace_id);
    reply.text.set(r.text);
    reply.reasoning.set(r.reasoning);
    reply.tool_calls.set(r.tool_calls);
    reply.validation.set(r.validation);
    reply.outcome.set(Some(Outcome {
        run_id: Some(r.run_id),
        status: r.status,
        usage: r.usage,
        metrics: Some(r.metrics),
        error: r.error,
        stored: r.stored,
    }));
}

impl Entry {
    /// Ends the reply as failed with `message`, keeping any text received.
    fn fail(self, message: String) {
        self.outcome.set(Some(Outcome {
            run_id: self.run_id.get_untracked(),
            status: RunStatus::Failed,
            usage: Usage::default(),
            metrics: None,
            error: Some(message),
            // Whatever reached the server is recorded there; only the
            // server can say a write failed.
            stored: true,
        }));
    }
}

/// The message of a server function error, without the framework's prefix.
fn server_message(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(msg) => msg.clone(),
        other => other.to_string(),
    }
}
