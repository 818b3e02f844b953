//! One chat turn seen from the browser: call the streaming server function,
//! decode its NDJSON events into the reply entry, and stop it on request.

use futures::StreamExt;
use leptos::prelude::*;
use pep::chat::{ChatEvent, ChatRequest, Usage};
use pep::runs::RunStatus;
use uuid::Uuid;

use super::conversation::{Entry, Outcome};
use crate::api::{cancel_run, chat_stream};
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
                let _ = cancel_run(id).await;
            });
        }
    }

    /// Runs the turn to its end, writing into `reply`.
    pub async fn run(self, request: ChatRequest, reply: Entry) {
        self.run_id.set(None);
        self.stop_requested.set(false);
        let failed = |msg: String| Outcome {
            run_id: reply.run_id.get_untracked(),
            status: RunStatus::Failed,
            usage: Usage::default(),
            metrics: None,
            error: Some(msg),
        };
        let stream = match chat_stream(request).await {
            Ok(s) => s,
            Err(e) => {
                reply.outcome.set(Some(failed(server_message(&e))));
                return;
            }
        };
        let mut stream = stream.into_inner();
        let mut lines = LineDecoder::default();
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    reply.outcome.set(Some(failed(format!(
                        "the connection broke: {}",
                        server_message(&e)
                    ))));
                    return;
                }
            };
            for event in lines.push::<ChatEvent>(&chunk) {
                match event {
                    Ok(event) => self.apply(event, reply),
                    Err(e) => reply.outcome.set(Some(failed(format!(
                        "unreadable event from the server: {e}"
                    )))),
                }
            }
        }
        if reply.outcome.get_untracked().is_none() {
            reply.outcome.set(Some(failed(
                "the connection closed before the reply was finished".into(),
            )));
        }
        self.run_id.set(None);
    }

    fn apply(self, event: ChatEvent, reply: Entry) {
        match event {
            ChatEvent::Started { run_id, .. } => {
                self.run_id.set(Some(run_id));
                reply.run_id.set(Some(run_id));
                if self.stop_requested.get_untracked() {
                    self.stop();
                }
            }
            ChatEvent::Delta { text } => {
                reply.text.update(|t| t.push_str(&text));
                reply.deltas.update(|n| *n += 1);
            }
            ChatEvent::Reasoning { .. }
            | ChatEvent::ToolCall { .. }
            | ChatEvent::Progress { .. } => {}
            ChatEvent::Done {
                run_id,
                status,
                usage,
                metrics,
                error,
                ..
            } => reply.outcome.set(Some(Outcome {
                run_id: Some(run_id),
                status,
                usage,
                metrics: Some(metrics),
                error,
            })),
        }
    }
}

/// The message of a server function error, without the framework's prefix.
fn server_message(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(msg) => msg.clone(),
        other => other.to_string(),
    }
}
