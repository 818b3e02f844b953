//! Runs: one row per chat turn.

use uuid::Uuid;

use super::db::in_transaction;
use super::sql::Sql;
use super::{Store, StoreError};
use crate::chat::{FinishReason, Usage};
use crate::runs::{RunMetrics, RunRecord, RunStatus};

/// The columns of a run, in the order of [`RunRow`].
macro_rules! run_columns {
    () => {
        "id, created_at, session_id, model, provider, params, messages, reply, status, \
         finish_reason, error, input_tokens, output_tokens, reasoning_tokens, cached_tokens, \
         ttft_ms, latency_ms, tokens_per_second, cost_usd, trace_id, validation"
    };
}

static INSERT: Sql = Sql::new(concat!(
    "INSERT INTO runs (",
    run_columns!(),
    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    " ON CONFLICT (id) DO NOTHING"
));
static GET: Sql = Sql::new(concat!(
    "SELECT ",
    run_columns!(),
    " FROM runs WHERE id = ?"
));
static LIST: Sql = Sql::new(concat!(
    "SELECT ",
    run_columns!(),
    " FROM runs ORDER BY created_at DESC, id DESC LIMIT ?"
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
}

impl Store {
    /// Stores a finished run. Idempotent: storing the same run again changes
    /// nothing, so the engine may retry a write whose commit succeeded but
    /// whose reply was lost (a dropped connection, a restarted PgBouncer).
    pub async fn insert_run(&self, run: &RunRecord) -> Result<(), StoreError> {
        let id = run.id.to_string();
        let params = to_json(&id, &run.params)?;
        let messages = to_json(&id, &run.messages)?;
        let validation = run
            .validation
            .as_ref()
            .map(|v| to_json(&id, v))
            .transpose()?;
        in_transaction!(&self.db, |conn, q| {
            q.query(&INSERT)
                .bind(&id)
                .bind(&run.created_at)
                .bind(&run.session_id)
                .bind(&run.model)
                .bind(&run.provider)
                .bind(&params)
                .bind(&messages)
                .bind(&run.reply)
                .bind(run.status.as_str())
                .bind(run.finish_reason.as_str())
                .bind(&run.error)
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
                .execute(&mut *conn)
                .await
                .map(drop)
        })?;
        Ok(())
    }

    pub async fn get_run(&self, id: Uuid) -> Result<Option<RunRecord>, StoreError> {
        let row: Option<RunRow> = in_transaction!(&self.db, |conn, q| {
            q.query_as(&GET)
                .bind(id.to_string())
                .fetch_optional(&mut *conn)
                .await
        })?;
        row.map(RunRow::into_record).transpose()
    }

    /// The newest runs first.
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
        let tokens =
            |column: &str, v: i64| u32::try_from(v).map_err(|_| corrupt(format!("{column} = {v}")));
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
                input_tokens: tokens("input_tokens", self.input_tokens)?,
                output_tokens: tokens("output_tokens", self.output_tokens)?,
                reasoning_tokens: tokens("reasoning_tokens", self.reasoning_tokens)?,
                cached_tokens: tokens("cached_tokens", self.cached_tokens)?,
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
            conversation_id: None,
            prompt: None,
            tool_calls: Vec::new(),
            feedback: None,
        })
    }
}

fn parse_finish(s: &str) -> Option<FinishReason> {
    [
        FinishReason::Stop,
        FinishReason::Length,
        FinishReason::Cancelled,
        FinishReason::Error,
    ]
    .into_iter()
    .find(|f| f.as_str() == s)
}
