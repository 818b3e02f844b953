//! Persistence of runs.
//!
//! SQLite is the embedded default: one file under the data folder, created
//! and migrated at start. Queries are plain SQL with bound parameters and no
//! database-specific syntax so a PostgreSQL backend can share them.

use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow};
use sqlx::{Row, SqlitePool};
use uuid::Uuid;

use crate::chat::{FinishReason, Usage};
use crate::runs::{RunMetrics, RunRecord, RunStatus};

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored run {id} is unreadable: {reason}")]
    Corrupt { id: String, reason: String },
}

/// The run store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the database at `url` and migrates it.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn insert_run(&self, run: &RunRecord) -> Result<(), StoreError> {
        let json = |v: serde_json::Result<String>| v.unwrap_or_else(|_| "null".into());
        sqlx::query(
            "INSERT INTO runs (id, created_at, session_id, model, provider, params, messages, reply,
                status, finish_reason, error, input_tokens, output_tokens, reasoning_tokens,
                cached_tokens, ttft_ms, latency_ms, tokens_per_second, cost_usd)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(run.id.to_string())
        .bind(&run.created_at)
        .bind(&run.session_id)
        .bind(&run.model)
        .bind(&run.provider)
        .bind(json(serde_json::to_string(&run.params)))
        .bind(json(serde_json::to_string(&run.messages)))
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn get_run(&self, id: Uuid) -> Result<Option<RunRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM runs WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| run_from_row(&r)).transpose()
    }

    /// The newest runs first.
    pub async fn list_runs(&self, limit: u32) -> Result<Vec<RunRecord>, StoreError> {
        let rows = sqlx::query("SELECT * FROM runs ORDER BY created_at DESC, id DESC LIMIT ?")
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(run_from_row).collect()
    }
}

fn run_from_row(row: &SqliteRow) -> Result<RunRecord, StoreError> {
    let id: String = row.try_get("id")?;
    let corrupt = |reason: String| StoreError::Corrupt {
        id: id.clone(),
        reason,
    };
    let tokens = |col: &str| -> Result<u32, StoreError> {
        let v: i64 = row.try_get(col)?;
        u32::try_from(v).map_err(|_| corrupt(format!("{col} = {v}")))
    };
    let status: String = row.try_get("status")?;
    let finish: String = row.try_get("finish_reason")?;
    let params: String = row.try_get("params")?;
    let messages: String = row.try_get("messages")?;
    Ok(RunRecord {
        id: Uuid::parse_str(&id).map_err(|e| corrupt(e.to_string()))?,
        created_at: row.try_get("created_at")?,
        session_id: row.try_get("session_id")?,
        model: row.try_get("model")?,
        provider: row.try_get("provider")?,
        params: serde_json::from_str(&params).map_err(|e| corrupt(e.to_string()))?,
        messages: serde_json::from_str(&messages).map_err(|e| corrupt(e.to_string()))?,
        reply: row.try_get("reply")?,
        status: RunStatus::parse(&status).ok_or_else(|| corrupt(format!("status {status}")))?,
        finish_reason: parse_finish(&finish).ok_or_else(|| corrupt(format!("finish {finish}")))?,
        error: row.try_get("error")?,
        usage: Usage {
            input_tokens: tokens("input_tokens")?,
            output_tokens: tokens("output_tokens")?,
            reasoning_tokens: tokens("reasoning_tokens")?,
            cached_tokens: tokens("cached_tokens")?,
        },
        metrics: RunMetrics {
            ttft_ms: row.try_get("ttft_ms")?,
            latency_ms: row.try_get("latency_ms")?,
            tokens_per_second: row.try_get("tokens_per_second")?,
            cost_usd: row.try_get("cost_usd")?,
        },
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{GenerationParams, Message, Role};

    fn run(status: RunStatus, at: &str) -> RunRecord {
        RunRecord {
            id: Uuid::now_v7(),
            created_at: at.into(),
            session_id: Some("s1".into()),
            model: "local/x".into(),
            provider: "local".into(),
            params: GenerationParams {
                temperature: Some(0.5),
                stop: vec!["END".into()],
                ..GenerationParams::default()
            },
            messages: vec![Message::new(Role::User, "héllo")],
            reply: "hi there".into(),
            status,
            finish_reason: FinishReason::Stop,
            error: None,
            usage: Usage {
                input_tokens: 12,
                output_tokens: 3,
                reasoning_tokens: 0,
                cached_tokens: 1,
            },
            metrics: RunMetrics {
                ttft_ms: Some(12.5),
                latency_ms: 80.0,
                tokens_per_second: Some(40.0),
                cost_usd: 0.0,
            },
        }
    }

    #[tokio::test]
    async fn runs_round_trip_through_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Store::connect(&url).await.unwrap();
        store.ping().await.unwrap();
        let a = run(RunStatus::Ok, "2026-01-01T00:00:00Z");
        let b = run(RunStatus::Cancelled, "2026-01-02T00:00:00Z");
        store.insert_run(&a).await.unwrap();
        store.insert_run(&b).await.unwrap();
        assert_eq!(store.get_run(a.id).await.unwrap(), Some(a.clone()));
        let listed = store.list_runs(10).await.unwrap();
        assert_eq!(listed, vec![b, a]);
        assert_eq!(store.get_run(Uuid::now_v7()).await.unwrap(), None);
    }

    #[tokio::test]
    async fn reopening_keeps_runs_and_migrations_are_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let a = run(RunStatus::Failed, "2026-01-01T00:00:00Z");
        Store::connect(&url)
            .await
            .unwrap()
            .insert_run(&a)
            .await
            .unwrap();
        let again = Store::connect(&url).await.unwrap();
        assert_eq!(again.list_runs(5).await.unwrap(), vec![a]);
    }
}
