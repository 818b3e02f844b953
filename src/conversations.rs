//! Stored conversations: as listed, and whole, to reopen and continue.
//!
//! Shared with the browser (plain serde types), so the conversation list
//! and the REST API speak the same shapes; `store::conversations` (server
//! only) answers them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::chat::Message;
use crate::outcome::{Rating, RunMetrics, RunStatus, Usage};
use crate::runs::RunSummary;

/// A conversation as listed: enough to find it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationSummary {
    pub id: Uuid,
    /// The user's name for it, or the start of its first user message.
    pub title: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC: the last turn or rename.
    pub updated_at: String,
    /// The model of the last turn.
    pub model: Option<String>,
    pub session_id: Option<String>,
    /// Messages stored, system message included.
    pub message_count: u32,
}

/// One stored message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationMessage {
    pub message: Message,
    /// The run that produced it (assistant messages only).
    pub run_id: Option<Uuid>,
    /// The user's rating of that run, shown again when the conversation is
    /// reopened.
    pub feedback: Option<Rating>,
    /// How that run ended, with its figures (assistant messages whose run
    /// is stored).
    #[serde(default)]
    pub outcome: Option<ReplyOutcome>,
}

/// How the run behind a stored reply ended: a reopened conversation shows
/// a stopped or failed reply as such, with the figures it had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplyOutcome {
    pub status: RunStatus,
    pub error: Option<String>,
    pub usage: Usage,
    pub metrics: RunMetrics,
    pub trace_id: Option<String>,
}

impl ReplyOutcome {
    pub fn of(run: &RunSummary) -> Self {
        Self {
            status: run.status,
            error: run.error.clone(),
            usage: run.usage,
            metrics: run.metrics,
            trace_id: run.trace_id.clone(),
        }
    }
}

/// A whole conversation, to reopen and continue it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conversation {
    #[serde(flatten)]
    pub summary: ConversationSummary,
    pub messages: Vec<ConversationMessage>,
    /// The last run, whose model and parameters the playground restores.
    pub last_run_id: Option<Uuid>,
}
