//! Runs: the record of one chat turn, and the figures measured on it.
//!
//! The summary types are shared with the browser; [`recorder`] (server only)
//! turns the timings of a stream into [`RunMetrics`].

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::chat::{FinishReason, GenerationParams, Message, ToolCall, Usage};
use crate::history::PromptRef;
use crate::schema::Validation;

/// Where a run stands. A run is stored when it starts (`running`) and
/// again when it ends; one that a crash or a kill left `running` is marked
/// `interrupted`, keeping the text that had arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Ok,
    Failed,
    Cancelled,
    /// Still streaming (its reply is the last checkpoint).
    Running,
    /// The server stopped (crash, kill, lost host) before the run ended.
    Interrupted,
}

impl RunStatus {
    /// Every status, in the order the runs page offers them.
    pub const ALL: [RunStatus; 5] = [
        RunStatus::Ok,
        RunStatus::Failed,
        RunStatus::Cancelled,
        RunStatus::Running,
        RunStatus::Interrupted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Ok => "ok",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Running => "running",
            RunStatus::Interrupted => "interrupted",
        }
    }

    /// Parses the stored form written by [`RunStatus::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// Whether the run has ended (and so will not change again).
    pub fn is_final(self) -> bool {
        !matches!(self, RunStatus::Running)
    }
}

/// Timing and cost figures of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunMetrics {
    /// Time from the request to the first text delta, in milliseconds.
    pub ttft_ms: Option<f64>,
    /// Time from the request to the end of the stream, in milliseconds.
    pub latency_ms: f64,
    /// Output tokens per second after the first token (decode speed).
    pub tokens_per_second: Option<f64>,
    /// Cost in US dollars from the catalog's prices.
    pub cost_usd: f64,
}

/// Everything stored about one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunRecord {
    pub id: Uuid,
    /// RFC 3339 time the run started.
    pub created_at: String,
    pub session_id: Option<String>,
    pub model: String,
    pub provider: String,
    pub params: GenerationParams,
    pub messages: Vec<Message>,
    pub reply: String,
    pub status: RunStatus,
    pub finish_reason: FinishReason,
    pub error: Option<String>,
    pub usage: Usage,
    pub metrics: RunMetrics,
    /// The trace (OpenTelemetry trace id) of the request that made the run,
    /// to find its spans; `None` when the request carried no trace. Absent
    /// in records written before it existed.
    #[serde(default)]
    pub trace_id: Option<String>,
    /// Whether the reply kept to its JSON response format (see
    /// [`crate::chat::ChatEvent::Done`]); absent in older records.
    #[serde(default)]
    pub validation: Option<Validation>,
    /// The conversation the turn was stored in.
    #[serde(default)]
    pub conversation_id: Option<Uuid>,
    /// The saved prompt version the turn was made from.
    #[serde(default)]
    pub prompt: Option<PromptRef>,
    /// The tool calls the model made, in order.
    #[serde(default)]
    pub tool_calls: Vec<ToolCall>,
    /// The user's current rating (read from the feedback table; ignored
    /// when a run is stored).
    #[serde(default)]
    pub feedback: Option<Rating>,
}

/// The user's verdict on a run: thumbs up or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Rating {
    Like,
    Dislike,
}

#[cfg(feature = "engine")]
pub mod recorder;
