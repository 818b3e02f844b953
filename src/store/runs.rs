//! Runs: one row per chat turn, written with the turn's tool calls and its
//! conversation in one transaction.

use uuid::Uuid;

use super::conversations::{record_turn, Turn};
use super::db::in_transaction;
use super::feedback::parse_stored;
use super::sql::Sql;
use super::tool_calls::{self, ToolCallRow};
use super::{storable, Store, StoreError};
use crate::chat::{FinishReason, Usage};
use crate::history::PromptRef;
use crate::runs::{Rating, RunMetrics, RunRecord, RunStatus};

/// The columns of a run as written, in the order of the INSERT's values.
macro_rules! run_columns {
    () => {
        "id, created_at, session_id, model, provider, params, messages, reply, status, \
         finish_reason, error, input_tokens, output_tokens, reasoning_tokens, cached_tokens, \
         ttft_ms, latency_ms, tokens_per_second, cost_usd, trace_id, validation, \
         conversation_id, prompt_id, prompt_version"
    };
}

/// The columns of a [`RunRow`], from `runs r LEFT JOIN feedback f`.
macro_rules! run_row_columns {
    () => {
        "r.id, r.created_at, r.session_id, r.model, r.provider, r.params, r.messages, r.reply, \
         r.status, r.finish_reason, r.error, r.input_tokens, r.output_tokens, \
         r.reasoning_tokens, r.cached_tokens, r.ttft_ms, r.latency_ms, r.tokens_per_second, \
         r.cost_usd, r.trace_id, r.validation, r.conversation_id, r.prompt_id, \
         r.prompt_version, f.rating AS feedback"
    };
}

static INSERT: Sql = Sql::new(concat!(
    "INSERT INTO runs (",
    run_columns!(),
    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    " ON CONFLICT (id) DO NOTHING"
));
static GET: Sql = Sql::new(concat!(
    "SELECT ",
    run_row_columns!(),
    " FROM runs r LEFT JOIN feedback f ON f.run_id = r.id WHERE r.id = ?"
));
static LIST: Sql = Sql::new(concat!(
    "SELECT ",
    run_row_columns!(),
    " FROM runs r LEFT JOIN feedback f ON f.run_id = r.id
     ORDER BY r.created_at DESC, r.id DESC LIMIT ?"
));

/// A run as stored: the types both backends decode the same way (TEXT,
/// 64-bit integers, doubles).
#[derive(sqlx::FromRow)]
struct RunRow {
    id: String,
    created_at: String,
    session_id: Option<String>,
    model: String,
    provider: String,
    params: String,
    messages: String,
    reply: String,
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
    /// JSON [`crate::schema::Validation`].
    validation: Option<String>,
    conversation_id: Option<String>,
    prompt_id: Option<String>,
    prompt_version: Option<i64>,
    /// The stored rating (`up`/`down`).
    feedback: Option<String>,
}

impl Store {
    /// Stores a finished run, its tool calls and, when it names one, its
    /// conversation's new state, all in one transaction. Idempotent: storing
    /// the same run again changes nothing, so the engine may retry a write
    /// whose commit succeeded but whose reply was lost (a dropped
    /// connection, a restarted PgBouncer).
    ///
    /// The model's text (reply, error, tool calls) is written with U+0000 as
    /// U+FFFD (see the module's doc); `feedback` is ignored.
    pub async fn insert_run(&self, run: &RunRecord) -> Result<(), StoreError> {
        let id = run.id.to_string();
        let reply = storable(&run.reply);
        let error = run.error.as_deref().map(storable);
        let calls = tool_calls::inserts(run);
        let turn = Turn::of(run)?;
        let params = to_json(&id, &run.params)?;
        let messages = to_json(&id, &run.messages)?;
        let validation = run
            .validation
            .as_ref()
            .map(|v| to_json(&id, v))
            .transpose()?;
        in_transaction!(&self.db, |conn, q| {
            let inserted = q
                .query(&INSERT)
                .bind(&id)
                .bind(&run.created_at)
                .bind(&run.session_id)
                .bind(&run.model)
                .bind(&run.provider)
                .bind(&params)
                .bind(&messages)
                .bind(reply.as_ref())
                .bind(run.status.as_str())
                .bind(run.finish_reason.as_str())
                .bind(error.as_deref())
                .bind(i64::from(run.usage.input_tokens))
                .bind(i64::from(run.usage.output_tokens))
                .bind(i64::from(run.usage.reasoning_tokens))
                .bind(i64::from(run.usage.cached_tokens))
                .bind(run.metrics.ttft_ms)
                .bind(run.metrics.latency_ms)
                .bind(run.metrics.tokens_per_second)
                .bind(run.metrics.cost_usd)
                .bind(&run.trace_id)
                .bind(&validation)
                .bind(run.conversation_id.map(|c| c.to_string()))
                .bind(run.prompt.map(|p| p.prompt_id.to_string()))
                .bind(run.prompt.map(|p| i64::from(p.version)))
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if inserted == 0 {
                // Stored before, with all the rest, by a write whose answer
                // was lost.
                return Ok(());
            }
            for sql in &calls {
                q.built(sql).execute(&mut *conn).await?;
            }
            if let Some(turn) = &turn {
                record_turn!(conn, q, turn);
            }
            Ok(())
        })?;
        Ok(())
    }

    /// A run with its tool calls and its current rating.
    pub async fn get_run(&self, id: Uuid) -> Result<Option<RunRecord>, StoreError> {
        let key = id.to_string();
        let found = in_transaction!(&self.db, |conn, q| {
            let Some(row) = q
                .query_as::<RunRow>(&GET)
                .bind(&key)
                .fetch_optional(&mut *conn)
                .await?
            else {
                return Ok(None);
            };
            let calls: Vec<ToolCallRow> = q
                .query_as(&tool_calls::OF_RUN)
                .bind(&key)
                .fetch_all(&mut *conn)
                .await?;
            Ok(Some((row, calls)))
        })?;
        let Some((row, calls)) = found else {
            return Ok(None);
        };
        let mut record = row.into_record()?;
        record.tool_calls = calls.into_iter().map(ToolCallRow::into_call).collect();
        Ok(Some(record))
    }

    /// The newest runs first, whole (without their tool calls: a page of
    /// the runs list is [`Store::search_runs`]).
    pub async fn list_runs(&self, limit: u32) -> Result<Vec<RunRecord>, StoreError> {
        let rows: Vec<RunRow> = in_transaction!(&self.db, |conn, q| {
            q.query_as(&LIST)
                .bind(i64::from(limit))
                .fetch_all(&mut *conn)
                .await
        })?;
        rows.into_iter().map(RunRow::into_record).collect()
    }
}

/// JSON text of a run's part. Serialising the engine's own types cannot
/// fail in practice; if it ever does, the run is refused rather than stored
/// with a placeholder that would not read back.
fn to_json<T: serde::Serialize>(id: &str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Unencodable {
        id: id.to_owned(),
        reason: format!("JSON: {e}"),
    })
}

impl RunRow {
    fn into_record(self) -> Result<RunRecord, StoreError> {
        let id = self.id;
        let corrupt = |reason: String| StoreError::Corrupt {
            id: id.clone(),
            reason,
        };
        let count = |column: &str, v: i64| tokens(column, v).map_err(corrupt);
        Ok(RunRecord {
            id: Uuid::parse_str(&id).map_err(|e| corrupt(e.to_string()))?,
            created_at: self.created_at,
            session_id: self.session_id,
            model: self.model,
            provider: self.provider,
            params: serde_json::from_str(&self.params)
                .map_err(|e| corrupt(format!("params: {e}")))?,
            messages: serde_json::from_str(&self.messages)
                .map_err(|e| corrupt(format!("messages: {e}")))?,
            reply: self.reply,
            status: RunStatus::parse(&self.status)
                .ok_or_else(|| corrupt(format!("status {}", self.status)))?,
            finish_reason: parse_finish(&self.finish_reason)
                .ok_or_else(|| corrupt(format!("finish reason {}", self.finish_reason)))?,
            error: self.error,
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
            trace_id: self.trace_id,
            validation: self
                .validation
                .map(|v| serde_json::from_str(&v))
                .transpose()
                .map_err(|e| corrupt(format!("validation: {e}")))?,
            conversation_id: parse_uuid(self.conversation_id.as_deref())
                .map_err(|e| corrupt(format!("conversation_id: {e}")))?,
            prompt: prompt_ref(self.prompt_id.as_deref(), self.prompt_version)
                .map_err(|e| corrupt(format!("prompt: {e}")))?,
            tool_calls: Vec::new(),
            feedback: rating(self.feedback.as_deref()).map_err(corrupt)?,
        })
    }
}

/// An optional stored UUID.
pub(super) fn parse_uuid(id: Option<&str>) -> Result<Option<Uuid>, uuid::Error> {
    id.map(Uuid::parse_str).transpose()
}

/// The prompt version a run names, from its two columns.
pub(super) fn prompt_ref(
    id: Option<&str>,
    version: Option<i64>,
) -> Result<Option<PromptRef>, String> {
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
pub(super) fn rating(stored: Option<&str>) -> Result<Option<Rating>, String> {
    stored
        .map(|r| parse_stored(r).ok_or_else(|| format!("rating {r}")))
        .transpose()
}

/// A stored token count.
pub(super) fn tokens(column: &str, v: i64) -> Result<u32, String> {
    u32::try_from(v).map_err(|_| format!("{column} = {v}"))
}

pub(super) fn parse_finish(s: &str) -> Option<FinishReason> {
    [
        FinishReason::Stop,
        FinishReason::Length,
        FinishReason::Cancelled,
        FinishReason::Error,
    ]
    .into_iter()
    .find(|f| f.as_str() == s)
}
