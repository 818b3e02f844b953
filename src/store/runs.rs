//! Runs: one row per chat turn, written when the turn starts (`running`,
//! with the user's messages in its conversation), checkpointed while it
//! streams, and written whole when it ends, with its tool calls and its
//! conversation, in one transaction.

use uuid::Uuid;

use super::conversations::{record_turn, Turn};
use super::db::{in_transaction, read_transaction};
use super::run_row::{corrupt, run_head_columns, RunHeadRow};
use super::sql::Sql;
use super::tool_calls::{self, ToolCallRow};
use super::{now, storable, Store, StoreError};
use crate::runs::RunRecord;

/// The columns of a run as written, in the order of the INSERT's values.
macro_rules! run_columns {
    () => {
        "id, created_at, session_id, model, provider, params, messages, reply, status, \
         finish_reason, error, input_tokens, output_tokens, reasoning_tokens, cached_tokens, \
         ttft_ms, latency_ms, tokens_per_second, cost_usd, trace_id, validation, \
         conversation_id, prompt_id, prompt_version, heartbeat_at"
    };
}

/// `INSERT INTO runs (...) VALUES (...)` with every column of a run: the
/// start and the end of a run write the same row, and differ only in what
/// a conflict does.
macro_rules! insert_run {
    () => {
        concat!(
            "INSERT INTO runs (",
            run_columns!(),
            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
    };
}

/// The columns of a [`RunRow`], from `runs r LEFT JOIN feedback f`.
macro_rules! run_row_columns {
    () => {
        concat!(
            run_head_columns!(),
            ", r.params, r.messages, r.reply, r.validation"
        )
    };
}

/// A run's row as first written: changes nothing when the row is there.
static BEGIN: Sql = Sql::new(concat!(insert_run!(), " ON CONFLICT (id) DO NOTHING"));
/// A run written whole: a new row, or the end of the one its start wrote.
/// A run that has ended is never written again (0 rows), so a retried
/// write whose first commit succeeded changes nothing; an `interrupted`
/// one is, as its truth arrived after all.
static FINISH: Sql = Sql::new(concat!(
    insert_run!(),
    " ON CONFLICT (id) DO UPDATE SET
         session_id = excluded.session_id, model = excluded.model,
         provider = excluded.provider, params = excluded.params,
         messages = excluded.messages, reply = excluded.reply, status = excluded.status,
         finish_reason = excluded.finish_reason, error = excluded.error,
         input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
         reasoning_tokens = excluded.reasoning_tokens, cached_tokens = excluded.cached_tokens,
         ttft_ms = excluded.ttft_ms, latency_ms = excluded.latency_ms,
         tokens_per_second = excluded.tokens_per_second, cost_usd = excluded.cost_usd,
         trace_id = excluded.trace_id, validation = excluded.validation,
         conversation_id = excluded.conversation_id, prompt_id = excluded.prompt_id,
         prompt_version = excluded.prompt_version, heartbeat_at = excluded.heartbeat_at
     WHERE runs.status IN ('running', 'interrupted')"
));
/// A running run's reply so far. Its owner is alive, so a run the sweep
/// took for lost is running again.
static CHECKPOINT: Sql = Sql::new(
    "UPDATE runs SET reply = ?, output_tokens = ?, latency_ms = ?, heartbeat_at = ?,
         status = 'running', finish_reason = 'interrupted', error = NULL
     WHERE id = ? AND status IN ('running', 'interrupted')",
);
/// Running runs whose process stopped saying it was alive.
static INTERRUPT: Sql = Sql::new(
    "UPDATE runs SET status = 'interrupted', finish_reason = 'interrupted', error = ?
     WHERE status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < ?)",
);

/// How many runs of a conversation started after the given one: a turn
/// only writes its conversation while it is the newest (a late record, from
/// the spool or after its run was interrupted, must not undo later turns).
static NEWER_TURNS: Sql = Sql::new(
    "SELECT COUNT(*) FROM runs WHERE conversation_id = ? AND id <> ?
         AND (created_at > ? OR (created_at = ? AND id > ?))",
);

/// The error an interrupted run carries.
pub const INTERRUPTED: &str =
    "the server stopped before the run ended; the reply is what had arrived by then";

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

/// A whole run as stored: the shared columns and the run's own parts.
#[derive(sqlx::FromRow)]
struct RunRow {
    #[sqlx(flatten)]
    head: RunHeadRow,
    /// JSON [`crate::chat::GenerationParams`].
    params: String,
    /// JSON messages as sent.
    messages: String,
    reply: String,
    /// JSON [`crate::outcome::Validation`].
    validation: Option<String>,
}

impl Store {
    /// Writes a run as it starts (status [`RunStatus::Running`]), and when
    /// it names one, its conversation with the request's messages, so the
    /// user's message is kept from the first moment. Does nothing when the
    /// run is already stored.
    pub async fn begin_run(&self, run: &RunRecord) -> Result<(), StoreError> {
        self.write_run(&BEGIN, run, Some(now())).await
    }

    /// Stores a finished run, its tool calls and, when it names one, its
    /// conversation's new state, all in one transaction: a new row, or the
    /// end of the row its start wrote. Idempotent: storing the same run
    /// again changes nothing, so the engine may retry a write whose commit
    /// succeeded but whose reply was lost (a dropped connection, a
    /// restarted PgBouncer).
    ///
    /// The model's text (reply, error, tool calls) is written with U+0000 as
    /// U+FFFD (see the module's doc); `feedback` is ignored.
    pub async fn insert_run(&self, run: &RunRecord) -> Result<(), StoreError> {
        self.write_run(&FINISH, run, None).await
    }

    /// A running run's reply so far, its output tokens and its time so far;
    /// also its heartbeat. False when the row is not there or has ended.
    pub async fn checkpoint_run(
        &self,
        id: Uuid,
        reply: &str,
        output_tokens: u32,
        latency_ms: f64,
    ) -> Result<bool, StoreError> {
        let id = id.to_string();
        let reply = storable(reply);
        let at = now();
        let changed = in_transaction!(&self.db, |conn, q| {
            q.query(&CHECKPOINT)
                .bind(reply.as_ref())
                .bind(i64::from(output_tokens))
                .bind(latency_ms)
                .bind(&at)
                .bind(&id)
                .execute(&mut *conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(changed > 0)
    }

    /// Marks `interrupted` every running run whose heartbeat is older than
    /// `stale_before` (RFC 3339): its process is gone. Returns how many.
    pub async fn interrupt_stale_runs(&self, stale_before: &str) -> Result<u64, StoreError> {
        let changed = in_transaction!(&self.db, |conn, q| {
            q.query(&INTERRUPT)
                .bind(INTERRUPTED)
                .bind(stale_before)
                .execute(&mut *conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(changed)
    }

    /// One write of a run's row through `sql` ([`BEGIN`] or [`FINISH`]);
    /// when it changed the row, the tool calls and the conversation too.
    async fn write_run(
        &self,
        sql: &'static Sql,
        run: &RunRecord,
        heartbeat: Option<String>,
    ) -> Result<(), StoreError> {
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
            let written = q
                .query(sql)
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
                .bind(&heartbeat)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if written == 0 {
                // Stored before, with all the rest, by a write whose answer
                // was lost (or, for a start, by the end itself).
                return Ok(());
            }
            for sql in &calls {
                q.built(sql).execute(&mut *conn).await?;
            }
            if let Some(turn) = &turn {
                let (newer,): (i64,) = q
                    .query_as(&NEWER_TURNS)
                    .bind(&turn.id)
                    .bind(&id)
                    .bind(&run.created_at)
                    .bind(&run.created_at)
                    .bind(&id)
                    .fetch_one(&mut *conn)
                    .await?;
                if newer == 0 {
                    record_turn!(conn, q, turn);
                }
            }
            Ok(())
        })?;
        Ok(())
    }

    /// A run with its tool calls and its current rating.
    pub async fn get_run(&self, id: Uuid) -> Result<Option<RunRecord>, StoreError> {
        let key = id.to_string();
        let found = read_transaction!(&self.db, |conn, q| {
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
        let rows: Vec<RunRow> = read_transaction!(&self.db, |conn, q| {
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
        let bad = |reason: String| corrupt(self.head.id(), reason);
        let params = serde_json::from_str(&self.params).map_err(|e| bad(format!("params: {e}")))?;
        let messages =
            serde_json::from_str(&self.messages).map_err(|e| bad(format!("messages: {e}")))?;
        let validation = self
            .validation
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| bad(format!("validation: {e}")))?;
        let head = self.head.decode(String::new())?;
        Ok(RunRecord {
            id: head.id,
            created_at: head.created_at,
            session_id: head.session_id,
            model: head.model,
            provider: head.provider,
            params,
            messages,
            reply: self.reply,
            status: head.status,
            finish_reason: head.finish_reason,
            error: head.error,
            usage: head.usage,
            metrics: head.metrics,
            trace_id: head.trace_id,
            validation,
            conversation_id: head.conversation_id,
            prompt: head.prompt,
            tool_calls: Vec::new(),
            feedback: head.feedback,
        })
    }
}
