//! Server functions shared by the browser and the server. Each is one engine
//! call; the REST API (`/api/v1`) calls the same engine functions.

use leptos::prelude::*;
use pep::catalog::ModelInfo;
use pep::chat::ChatRequest;
use server_fn::codec::{ByteStream, Json, Streaming};
use uuid::Uuid;

#[cfg(feature = "ssr")]
fn engine() -> Result<std::sync::Arc<pep::Engine>, ServerFnError> {
    use_context::<std::sync::Arc<pep::Engine>>()
        .ok_or_else(|| ServerFnError::new("the engine is not running"))
}

/// The model catalog with each model's availability.
#[server(prefix = "/_sfn", endpoint = "models")]
pub async fn list_models() -> Result<Vec<ModelInfo>, ServerFnError> {
    Ok(engine()?.models())
}

/// Runs one chat turn and streams its events as newline-delimited JSON
/// ([`pep::chat::ChatEvent`], one per line). If the browser goes away the
/// stream is dropped, which stops the model.
#[server(prefix = "/_sfn", endpoint = "chat", input = Json, output = Streaming)]
pub async fn chat_stream(request: ChatRequest) -> Result<ByteStream, ServerFnError> {
    use futures::StreamExt;
    let handle = engine()?
        .chat(request)
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    let lines = handle.map(|event| {
        let mut line = serde_json::to_vec(&event).map_err(|e| ServerFnError::new(e.to_string()))?;
        line.push(b'\n');
        Ok::<_, ServerFnError>(bytes::Bytes::from(line))
    });
    Ok(ByteStream::new(lines))
}

/// Stops a running turn; its run is recorded as cancelled with what arrived.
#[server(prefix = "/_sfn", endpoint = "cancel")]
pub async fn cancel_run(run_id: Uuid) -> Result<bool, ServerFnError> {
    Ok(engine()?.cancel(run_id))
}
