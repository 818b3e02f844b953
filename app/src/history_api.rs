//! Server functions of the history, for the UI: the runs page (search,
//! figures, one run) and stored conversations (list, reopen, rename,
//! delete). Each is one engine call, the same call the REST API
//! (`/api/v1/runs`, `/api/v1/conversations`) makes. Inputs travel as JSON.
//!
//! (`RunStats` is named in full below: the macro names its own struct
//! after `run_stats`.)

use leptos::prelude::*;
use pep::conversations::{Conversation, ConversationSummary};
use pep::runs::RunRecord;
use pep::runs::{RunPage, RunQuery};
use server_fn::codec::Json;
use uuid::Uuid;

// The engine's refusals ("no conversation ...", "limit must be ...") are
// written for people: the UI shows them as they are.
#[cfg(feature = "ssr")]
use crate::on_server::{engine, refused};

/// One page of the runs matching `query`, with how many match in all.
#[server(prefix = "/_sfn", endpoint = "history/runs", input = Json)]
pub async fn list_runs(query: RunQuery) -> Result<RunPage, ServerFnError> {
    engine()?.search_runs(&query).await.map_err(refused)
}

/// Figures over every run matching `query`'s filters, with points to plot.
#[server(prefix = "/_sfn", endpoint = "history/run_stats", input = Json)]
pub async fn run_stats(query: RunQuery) -> Result<pep::runs::RunStats, ServerFnError> {
    engine()?.run_stats(&query).await.map_err(refused)
}

/// One run, with its tool calls and rating.
#[server(prefix = "/_sfn", endpoint = "history/run", input = Json)]
pub async fn get_run(id: Uuid) -> Result<RunRecord, ServerFnError> {
    engine()?.run(id).await.map_err(refused)
}

/// Conversations whose title contains `q` (all when empty), the most
/// recently updated first.
#[server(prefix = "/_sfn", endpoint = "history/conversations", input = Json)]
pub async fn list_conversations(
    q: String,
    limit: Option<u32>,
    offset: u32,
) -> Result<Vec<ConversationSummary>, ServerFnError> {
    engine()?
        .conversations(&q, limit, offset)
        .await
        .map_err(refused)
}

/// A conversation with its messages, to reopen and continue it.
#[server(prefix = "/_sfn", endpoint = "history/conversation", input = Json)]
pub async fn get_conversation(id: Uuid) -> Result<Conversation, ServerFnError> {
    engine()?.conversation(id).await.map_err(refused)
}

/// Renames a conversation (1 to 200 characters once trimmed).
#[server(prefix = "/_sfn", endpoint = "history/rename_conversation", input = Json)]
pub async fn rename_conversation(
    id: Uuid,
    title: String,
) -> Result<ConversationSummary, ServerFnError> {
    engine()?
        .rename_conversation(id, &title)
        .await
        .map_err(refused)
}

/// Deletes a conversation (its runs stay in the history).
#[server(prefix = "/_sfn", endpoint = "history/delete_conversation", input = Json)]
pub async fn delete_conversation(id: Uuid) -> Result<(), ServerFnError> {
    engine()?.delete_conversation(id).await.map_err(refused)
}
