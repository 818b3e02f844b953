//! Runs: the record of one chat turn, and the search over past runs (the
//! query, a page of summaries, the figures over all that match).
//!
//! Shared with the browser, so the runs page and the REST API speak the
//! same shapes; the store answers the search (`store::run_search`, server
//! only), and [`recorder`] (server only) turns the timings of a stream into
//! [`RunMetrics`].

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::chat::{GenerationParams, Message, ToolCall};
use crate::outcome::Validation;
use crate::outcome::{FinishReason, PromptRef, Rating, RunMetrics, RunStatus, Usage};

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

/// What the runs list is ordered by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunSort {
    #[default]
    CreatedAt,
    Latency,
    Ttft,
    Cost,
    Tokens,
}

impl RunSort {
    pub const ALL: [RunSort; 5] = [
        RunSort::CreatedAt,
        RunSort::Latency,
        RunSort::Ttft,
        RunSort::Cost,
        RunSort::Tokens,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunSort::CreatedAt => "created_at",
            RunSort::Latency => "latency",
            RunSort::Ttft => "ttft",
            RunSort::Cost => "cost",
            RunSort::Tokens => "tokens",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    Asc,
    #[default]
    Desc,
}

/// A search over runs. Every filter is optional; absent ones match all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RunQuery {
    pub model: Option<String>,
    pub status: Option<RunStatus>,
    pub session_id: Option<String>,
    pub conversation_id: Option<Uuid>,
    pub prompt_id: Option<Uuid>,
    pub prompt_version: Option<u32>,
    /// Runs created at or after this RFC 3339 time.
    pub since: Option<String>,
    /// Runs created before this RFC 3339 time.
    pub until: Option<String>,
    pub sort: RunSort,
    pub order: SortOrder,
    /// Page size, 1..=500 (default 50).
    pub limit: Option<u32>,
    pub offset: u32,
}

/// A run as listed: its figures without its messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunSummary {
    pub id: Uuid,
    pub created_at: String,
    pub model: String,
    pub provider: String,
    pub status: RunStatus,
    pub finish_reason: FinishReason,
    pub error: Option<String>,
    pub usage: Usage,
    pub metrics: RunMetrics,
    pub session_id: Option<String>,
    pub conversation_id: Option<Uuid>,
    pub prompt: Option<PromptRef>,
    pub feedback: Option<Rating>,
    pub trace_id: Option<String>,
    /// The start of the reply (at most 160 characters).
    pub preview: String,
}

/// One page of a run search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunPage {
    pub runs: Vec<RunSummary>,
    /// How many runs match the filters in all.
    pub total: u64,
}

/// One run as a point of the plots over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunPoint {
    pub id: Uuid,
    pub created_at: String,
    pub model: String,
    pub status: RunStatus,
    pub latency_ms: f64,
    pub ttft_ms: Option<f64>,
    pub total_tokens: u64,
    pub cost_usd: f64,
}

/// Figures over every run a query matches (filters only; sort and paging
/// are ignored). Runs still `running` are counted, but their latency,
/// tokens and cost join the figures only once they end.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunStats {
    pub count: u64,
    pub ok: u64,
    pub failed: u64,
    pub cancelled: u64,
    /// Runs still streaming.
    #[serde(default)]
    pub running: u64,
    /// Runs the server stopped before they ended.
    #[serde(default)]
    pub interrupted: u64,
    pub latency_p50_ms: Option<f64>,
    pub latency_p95_ms: Option<f64>,
    pub ttft_p50_ms: Option<f64>,
    pub ttft_p95_ms: Option<f64>,
    pub total_tokens: u64,
    pub total_cost_usd: f64,
    /// The newest matching runs (at most 2,000), oldest first, to plot.
    pub points: Vec<RunPoint>,
}

/// A tool call as audited: which run made it, in which order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ToolCallAudit {
    pub run_id: Uuid,
    /// 0, 1, ... in the order the model made them.
    pub index: u32,
    pub call_id: String,
    pub name: String,
    /// The arguments as the model wrote them (JSON text).
    pub arguments: String,
    /// Whether `arguments` parsed as a JSON object.
    pub arguments_valid: bool,
    pub created_at: String,
}

#[cfg(feature = "engine")]
pub mod recorder;
