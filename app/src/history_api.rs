//! Server functions of the history: the runs page and the conversation
//! list. Each is one engine call, like the REST handlers under /api/v1.

use leptos::prelude::*;
use pep::history::{Conversation, ConversationSummary, RunPage, RunQuery, RunStats};
use pep::runs::RunRecord;
use server_fn::codec::Json;
use uuid::Uuid;

#[cfg(feature = "ssr")]
fn engine() -> Result<std::sync::Arc<pep::Engine>, ServerFnError> {
    use_context::<std::sync::Arc<pep::Engine>>()
        .ok_or_else(|| ServerFnError::new("the engine is not running"))
}

#[cfg(feature = "ssr")]
fn refused(e: pep::EngineError) -> ServerFnError {
    ServerFnError::new(e.to_string())
}

/// One page of runs matching `query`.
#[server(prefix = "/_sfn", endpoint = "runs/list", input = Json)]
pub async fn list_runs(query: RunQuery) -> Result<RunPage, ServerFnError> {
    engine()?.search_runs(&query).await.map_err(refused)
}

/// Figures and plot points over the runs matching `query`.
#[server(prefix = "/_sfn", endpoint = "runs/stats", input = Json)]
pub async fn get_run_stats(query: RunQuery) -> Result<RunStats, ServerFnError> {
    engine()?.run_stats(&query).await.map_err(refused)
}

/// One run, whole.
#[server(prefix = "/_sfn", endpoint = "runs/get", input = Json)]
pub async fn get_run(id: Uuid) -> Result<RunRecord, ServerFnError> {
    engine()?.run(id).await.map_err(refused)
}

/// Conversations whose title contains `q`, the latest first.
#[server(prefix = "/_sfn", endpoint = "conversations/list", input = Json)]
pub async fn list_conversations(
    q: String,
    limit: u32,
    offset: u32,
) -> Result<Vec<ConversationSummary>, ServerFnError> {
    engine()?
        .conversations(&q, limit, offset)
        .await
        .map_err(refused)
}

/// A conversation with its messages.
#[server(prefix = "/_sfn", endpoint = "conversations/get", input = Json)]
pub async fn get_conversation(id: Uuid) -> Result<Conversation, ServerFnError> {
    engine()?.conversation(id).await.map_err(refused)
}

/// Renames a conversation.
#[server(prefix = "/_sfn", endpoint = "conversations/rename", input = Json)]
pub async fn rename_conversation(id: Uuid, title: String) -> Result<(), ServerFnError> {
    engine()?
        .rename_conversation(id, &title)
        .await
        .map(drop)
        .map_err(refused)
}

/// Deletes a conversation (its runs stay).
#[server(prefix = "/_sfn", endpoint = "conversations/delete", input = Json)]
pub async fn delete_conversation(id: Uuid) -> Result<(), ServerFnError> {
    engine()?
        .delete_conversation(id)
        .await
        .map(drop)
        .map_err(refused)
}
