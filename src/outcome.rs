//! What a run came to: its status, why generation stopped, its token
//! counts and figures, whether the reply kept to its JSON schema, the
//! user's rating, and the saved prompt it was made from.
//!
//! The leaf of the shared model: these types use nothing else of the
//! crate, and chat turns, runs, conversations and the Prompt Hub all build
//! on them (see ARCHITECTURE.md for the order).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

/// Why generation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// End of turn or a stop sequence.
    Stop,
    /// The token limit was reached.
    Length,
    /// The user or the client stopped it.
    Cancelled,
    /// The provider failed.
    Error,
    /// The server stopped before the run ended. A run still streaming
    /// reads this too: it is what the record says if the server dies now.
    Interrupted,
}

impl FinishReason {
    /// Every reason, for parsing the stored form.
    pub const ALL: [FinishReason; 5] = [
        FinishReason::Stop,
        FinishReason::Length,
        FinishReason::Cancelled,
        FinishReason::Error,
        FinishReason::Interrupted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::Cancelled => "cancelled",
            FinishReason::Error => "error",
            FinishReason::Interrupted => "interrupted",
        }
    }

    /// Parses the stored form written by [`FinishReason::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// Token counts of one run. Every field is present for every provider
/// (zero where a provider has no such count) so runs compare directly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Usage {
    pub input_tokens: u32,
    pub output_tokens: u32,
    pub reasoning_tokens: u32,
    pub cached_tokens: u32,
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

/// The user's verdict on a run: thumbs up or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Rating {
    Like,
    Dislike,
}

/// Which saved prompt version a run was made from (the Prompt Hub's
/// "open in playground"), so runs can be found by prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PromptRef {
    pub prompt_id: Uuid,
    #[serde(deserialize_with = "crate::strict::whole")]
    pub version: u32,
}

/// One thing wrong with a schema or with a reply, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchemaIssue {
    /// A JSON pointer (RFC 6901) into the schema (for a schema issue) or into
    /// the reply (for a validation error); `""` is the root.
    pub path: String,
    /// What is wrong and what to change.
    pub message: String,
}

impl SchemaIssue {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for SchemaIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "(root): {}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Whether a reply followed its JSON response format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Validation {
    pub valid: bool,
    /// Empty when `valid`; each error names the place in the reply.
    pub errors: Vec<SchemaIssue>,
}

impl Validation {
    /// A validation from its errors: valid when there are none.
    pub fn from_errors(errors: Vec<SchemaIssue>) -> Self {
        Self {
            valid: errors.is_empty(),
            errors,
        }
    }
}
