//! Server functions shared by the browser and the server. Each is one engine
//! call; the REST API (`/api/v1`) calls the same engine functions. Errors
//! reach the browser as `ServerFnError` with the engine's message, and the
//! status the REST API gives the same error (see [`crate::on_server`]).

use leptos::prelude::*;
use pep::catalog::ModelInfo;
use pep::chat::{ChatReply, ChatRequest, ResponseFormat};
use pep::outcome::Rating;
use pep::outcome::SchemaIssue;
use pep::schema::SchemaTemplate;
use server_fn::codec::{ByteStream, Json, Streaming};
use uuid::Uuid;

#[cfg(feature = "ssr")]
use crate::on_server::{engine, refused};

/// The model catalog with each model's availability.
#[server(prefix = "/_sfn", endpoint = "models", input = Json)]
pub async fn list_models() -> Result<Vec<ModelInfo>, ServerFnError> {
    Ok(engine()?.models())
}

/// Runs one chat turn and streams its events as newline-delimited JSON
/// ([`pep::chat::ChatEvent`], one per line). If the browser goes away the
/// stream is dropped, which stops the model.
#[server(prefix = "/_sfn", endpoint = "chat", input = Json, output = Streaming)]
pub async fn chat_stream(request: ChatRequest) -> Result<ByteStream, ServerFnError> {
    use futures::StreamExt;
    let handle = engine()?.chat(request).await.map_err(refused)?;
    let lines = handle.map(|event| {
        let mut line = serde_json::to_vec(&event).map_err(|e| ServerFnError::new(e.to_string()))?;
        line.push(b'\n');
        Ok::<_, ServerFnError>(bytes::Bytes::from(line))
    });
    Ok(ByteStream::new(lines))
}

/// Stops a running turn; its run is recorded as cancelled with what arrived.
/// A run that is not running (over already, or never) is refused as not
/// found, as `POST /api/v1/runs/{id}/cancel` refuses it.
#[server(prefix = "/_sfn", endpoint = "cancel", input = Json)]
pub async fn cancel_run(run_id: Uuid) -> Result<(), ServerFnError> {
    let engine = engine()?;
    if engine.cancel(run_id) {
        Ok(())
    } else {
        Err(refused(pep::EngineError::RunNotFound(run_id)))
    }
}

/// Runs one chat turn and answers when it is over: the same engine path as
/// [`chat_stream`], its events folded into one [`ChatReply`].
#[server(prefix = "/_sfn", endpoint = "chat_complete", input = Json)]
pub async fn chat_complete(request: ChatRequest) -> Result<ChatReply, ServerFnError> {
    let handle = engine()?.chat(request).await.map_err(refused)?;
    Ok(handle.reply().await)
}

/// What is wrong with `format` for `model`; empty when it can be used.
/// The playground calls it while the schema is edited.
#[server(prefix = "/_sfn", endpoint = "check_response_format", input = Json)]
pub async fn check_response_format(
    model: String,
    format: ResponseFormat,
) -> Result<Vec<SchemaIssue>, ServerFnError> {
    engine()?
        .check_response_format(&model, &format)
        .map_err(refused)
}

/// The ready-made schemas (`config/schemas/`).
#[server(prefix = "/_sfn", endpoint = "schema_templates", input = Json)]
pub async fn schema_templates() -> Result<Vec<SchemaTemplate>, ServerFnError> {
    Ok(engine()?.schema_templates().to_vec())
}

/// The server's settings that the playground follows. (The type is named in
/// full: the macro names its own struct `UiSettings` after the function.)
#[server(prefix = "/_sfn", endpoint = "ui_settings", input = Json)]
pub async fn ui_settings() -> Result<pep::settings::UiSettings, ServerFnError> {
    Ok(engine()?.ui_settings())
}

/// Rates a run (`None` clears the rating).
#[server(prefix = "/_sfn", endpoint = "feedback", input = Json)]
pub async fn set_feedback(run_id: Uuid, rating: Option<Rating>) -> Result<(), ServerFnError> {
    engine()?
        .set_feedback(run_id, rating)
        .await
        .map_err(refused)
}
