//! How a stored run reads back: the columns that a whole run
//! ([`super::runs`]) and a run's summary on the runs page
//! ([`super::run_search`]) share, and their decoding, written once.
//!
//! A value that does not decode (a status the code does not know, a
//! negative token count) is reported as [`StoreError::Corrupt`] naming the
//! run, never replaced by a default.

use uuid::Uuid;

use super::feedback::parse_stored;
use super::StoreError;
use crate::outcome::PromptRef;
use crate::outcome::{FinishReason, Usage};
use crate::outcome::{Rating, RunMetrics, RunStatus};
use crate::runs::RunSummary;

/// The columns of a [`RunHeadRow`], from `runs r LEFT JOIN feedback f`.
macro_rules! run_head_columns {
    () => {
        "r.id, r.created_at, r.session_id, r.model, r.provider, r.status, r.finish_reason, \
         r.error, r.input_tokens, r.output_tokens, r.reasoning_tokens, r.cached_tokens, \
         r.ttft_ms, r.latency_ms, r.tokens_per_second, r.cost_usd, r.trace_id, \
         r.conversation_id, r.prompt_id, r.prompt_version, f.rating AS feedback"
    };
}
pub(super) use run_head_columns;

/// What every read of a run selects: the types both backends decode the
/// same way (TEXT, 64-bit integers, doubles).
#[derive(sqlx::FromRow)]
pub(super) struct RunHeadRow {
    id: String,
    created_at: String,
    session_id: Option<String>,
    model: String,
    provider: String,
    status: String,
    finish_reason: String,
    error: Option<String>,
    input_tokens: i64,
    output_tokens: i64,
    reasoning_tokens: i64,
    cached_tokens: i64,
    ttft_ms: Option<f64>,
    latency_ms: f64,
    tokens_per_second: Option<f64>,
    cost_usd: f64,
    trace_id: Option<String>,
    conversation_id: Option<String>,
    prompt_id: Option<String>,
    prompt_version: Option<i64>,
    /// The stored rating (`up`/`down`).
    feedback: Option<String>,
}

impl RunHeadRow {
    /// The row's id as stored, for errors about the rest of a run.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The row as a run's summary with `preview` as its reply's start. A
    /// whole run reads its shared fields from here too (with no preview).
    pub fn decode(self, preview: String) -> Result<RunSummary, StoreError> {
        let id = self.id.as_str();
        let bad = |reason: String| corrupt(id, reason);
        let count =
            |column: &str, v: i64| u32::try_from(v).map_err(|_| bad(format!("{column} = {v}")));
        Ok(RunSummary {
            id: Uuid::parse_str(id).map_err(|e| bad(e.to_string()))?,
            status: RunStatus::parse(&self.status)
                .ok_or_else(|| bad(format!("status {}", self.status)))?,
            finish_reason: FinishReason::parse(&self.finish_reason)
                .ok_or_else(|| bad(format!("finish reason {}", self.finish_reason)))?,
            usage: Usage {
                input_tokens: count("input_tokens", self.input_tokens)?,
                output_tokens: count("output_tokens", self.output_tokens)?,
                reasoning_tokens: count("reasoning_tokens", self.reasoning_tokens)?,
                cached_tokens: count("cached_tokens", self.cached_tokens)?,
            },
            metrics: RunMetrics {
                ttft_ms: self.ttft_ms,
                latency_ms: self.latency_ms,
                tokens_per_second: self.tokens_per_second,
                cost_usd: self.cost_usd,
            },
            conversation_id: self
                .conversation_id
                .as_deref()
                .map(Uuid::parse_str)
                .transpose()
                .map_err(|e| bad(format!("conversation_id: {e}")))?,
            prompt: prompt_ref(self.prompt_id.as_deref(), self.prompt_version)
                .map_err(|e| bad(format!("prompt: {e}")))?,
            feedback: rating(self.feedback.as_deref()).map_err(bad)?,
            created_at: self.created_at,
            session_id: self.session_id,
            model: self.model,
            provider: self.provider,
            error: self.error,
            trace_id: self.trace_id,
            preview,
        })
    }
}

/// The error for a stored run `id` whose `reason` does not decode.
pub(super) fn corrupt(id: &str, reason: String) -> StoreError {
    StoreError::Corrupt {
        id: id.to_owned(),
        reason,
    }
}

/// A stored run status.
pub(super) fn status(id: &str, s: &str) -> Result<RunStatus, StoreError> {
    RunStatus::parse(s).ok_or_else(|| corrupt(id, format!("status {s}")))
}

/// The prompt version a run names, from its two columns.
fn prompt_ref(id: Option<&str>, version: Option<i64>) -> Result<Option<PromptRef>, String> {
    match (id, version) {
        (None, None) => Ok(None),
        (Some(id), Some(version)) => Ok(Some(PromptRef {
            prompt_id: Uuid::parse_str(id).map_err(|e| e.to_string())?,
            version: u32::try_from(version).map_err(|e| format!("version {version}: {e}"))?,
        })),
        _ => Err("a prompt id without a version, or the reverse".into()),
    }
}

/// A stored rating (`up`/`down`), if any.
fn rating(stored: Option<&str>) -> Result<Option<Rating>, String> {
    stored
        .map(|r| parse_stored(r).ok_or_else(|| format!("rating {r}")))
        .transpose()
}
