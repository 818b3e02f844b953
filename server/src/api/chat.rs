//! `POST /api/v1/chat`: one chat turn, streamed as server-sent events or
//! answered whole.

use std::convert::Infallible;

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::StreamExt;
use pep::chat::{ChatEvent, ChatReply, ChatRequest};
use serde::Deserialize;

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The body of `POST /api/v1/chat`.
#[derive(Debug, utoipa::ToSchema)]
pub struct ChatBody {
    #[serde(flatten)]
    request: ChatRequest,
    /// Stream events (`text/event-stream`) instead of one JSON answer.
    #[serde(default)]
    stream: bool,
}

/// Not derived: `flatten` would let a misspelt field (`"strem"`) through
/// (see [`pep::strict`]).
impl<'de> Deserialize<'de> for ChatBody {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (stream, request) = pep::strict::split_field(deserializer, "stream")?;
        Ok(Self { request, stream })
    }
}

/// Runs one chat turn. With `"stream": true` the answer is a stream of
/// server-sent events (`started`, `delta`..., `done`), each a JSON
/// `ChatEvent`; otherwise one JSON answer when the turn ends. The run is
/// recorded either way.
#[utoipa::path(
    post, path = "/chat", tag = "chat",
    request_body = ChatBody,
    responses(
        (status = 200, description = "The reply: whole, or as server-sent events",
         content(
             (ChatReply = "application/json"),
             (ChatEvent = "text/event-stream"),
         )),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 404, description = "Unknown model", body = ErrorBody),
        (status = 409, description = "The conversation named was deleted", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 422, description = "A parameter out of the model's range", body = ErrorBody),
        (status = 503, description = "The model is unavailable", body = ErrorBody),
    )
)]
pub async fn chat(
    State(state): State<AppState>,
    body: Result<Json<ChatBody>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(body) = body?;
    let handle = state.engine.chat(body.request).await?;
    if body.stream {
        // Each event is one SSE `data:` line; the event name repeats its type.
        let events = handle.map(|event| Ok::<_, Infallible>(sse_event(&event)));
        return Ok(Sse::new(events)
            .keep_alive(KeepAlive::default())
            .into_response());
    }
    Ok(Json(handle.reply().await).into_response())
}

fn sse_event(event: &ChatEvent) -> Event {
    let name = match event {
        ChatEvent::Started { .. } => "started",
        ChatEvent::Delta { .. } => "delta",
        ChatEvent::Reasoning { .. } => "reasoning",
        ChatEvent::ToolCall { .. } => "tool_call",
        ChatEvent::Progress { .. } => "progress",
        ChatEvent::Done { .. } => "done",
    };
    Event::default()
        .event(name)
        .json_data(event)
        .unwrap_or_else(|e| Event::default().event("error").data(e.to_string()))
}
