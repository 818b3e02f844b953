//! The store suite: the same cases on SQLite, on PostgreSQL directly and on
//! PostgreSQL through PgBouncer in transaction pooling mode.
//!
//! Test names are `<backend>::<case>`, so `cargo test --test store sqlite::`
//! runs one backend. The PostgreSQL and PgBouncer cases need the servers
//! described in tests/support/store_db.rs (`scripts/pgbouncer.sh start`
//! starts the PgBouncer); without them they fail and say so.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

#[macro_use]
#[path = "support/store_db.rs"]
mod store_db;

use store_db::Backend;

on_every_backend!(
    runs_round_trip,
    list_runs_is_newest_first_and_limited,
    reopening_keeps_runs_and_migrations_are_idempotent,
    concurrent_starts_migrate_once,
    feedback_is_one_changeable_row_per_run,
    feedback_needs_an_existing_run,
    feedback_can_be_cleared,
    validation_round_trips,
    touch_session_creates_then_moves_last_seen,
    concurrent_writes_and_reads,
    readiness_sees_a_schema_dropped_under_it,
);

mod cases {
    use std::sync::Arc;
    use std::time::Instant;

    use pep::chat::{GenerationParams, Message, ResponseFormat, Role};

    use pep::outcome::{FinishReason, Usage};
    use pep::outcome::{RunMetrics, RunStatus};
    use pep::outcome::{SchemaIssue, Validation};
    use pep::runs::RunRecord;
    use pep::store::{Rating, Store, StoreError};
    use uuid::Uuid;

    use crate::store_db::{Backend, TestDb};

    fn run(status: RunStatus, at: &str) -> RunRecord {
        RunRecord {
            id: Uuid::now_v7(),
            created_at: at.into(),
            session_id: Some("s1".into()),
            model: "local/x".into(),
            provider: "local".into(),
            params: GenerationParams {
                temperature: Some(0.7),
                top_p: Some(0.9),
                max_tokens: Some(256),
                seed: Some(u64::MAX),
                stop: vec!["END".into(), "?".into()],
                ..GenerationParams::default()
            },
            messages: vec![
                Message::new(Role::System, "Réponds en français. 'quotes' \"and\" $1 ?"),
                Message::new(Role::User, "héllo 👋\n\ttabs"),
            ],
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
            trace_id: None,
            validation: None,
            conversation_id: None,
            prompt: None,
            tool_calls: Vec::new(),
            feedback: None,
        }
    }

    /// A run that uses every optional field and extreme values.
    fn full_run(at: &str) -> RunRecord {
        let mut r = run(RunStatus::Failed, at);
        r.session_id = None;
        r.finish_reason = FinishReason::Error;
        r.error = Some("provider said: 429 ?".into());
        r.reply = String::new();
        r.params.response_format = Some(ResponseFormat::JsonSchema {
            name: "answer".into(),
            schema: serde_json::json!({"type": "object", "zeta": 1, "alpha": [1.5, null]}),
            strict: true,
        });
        r.usage = Usage {
            input_tokens: u32::MAX,
            output_tokens: u32::MAX - 1,
            reasoning_tokens: 7,
            cached_tokens: 0,
        };
        r.metrics = RunMetrics {
            ttft_ms: None,
            latency_ms: 0.1 + 0.2,
            tokens_per_second: None,
            cost_usd: 1.0e-7 / 3.0,
        };
        r.trace_id = Some("4bf92f3577b34da6a3ce929d0e0e4736".into());
        r.validation = Some(Validation {
            valid: false,
            errors: vec![
                SchemaIssue::new(
                    "",
                    "the reply is not JSON: EOF while parsing at line 1 column 9",
                ),
                SchemaIssue::new("/a~1b/0", "\"x\" is not of type \"integer\" ? $1"),
            ],
        });
        r
    }

    pub async fn runs_round_trip(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        store.ping().await.unwrap();
        let a = run(RunStatus::Ok, "2026-01-01T00:00:00.000Z");
        let b = full_run("2026-01-02T00:00:00.000Z");
        store.insert_run(&a).await.unwrap();
        store.insert_run(&b).await.unwrap();
        assert_eq!(store.get_run(a.id).await.unwrap(), Some(a.clone()));
        assert_eq!(store.get_run(b.id).await.unwrap(), Some(b.clone()));
        assert_eq!(store.list_runs(10).await.unwrap(), vec![b, a.clone()]);
        assert_eq!(store.get_run(Uuid::now_v7()).await.unwrap(), None);
        // Storing a run again (a retried write) changes nothing.
        store.insert_run(&a).await.unwrap();
        assert_eq!(store.list_runs(10).await.unwrap().len(), 2);
        store.close().await;
    }

    pub async fn list_runs_is_newest_first_and_limited(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        assert_eq!(store.list_runs(10).await.unwrap(), vec![]);
        // Inserted out of order; two share a time, so the id (a v7 UUID,
        // later is greater) breaks the tie.
        let old = run(RunStatus::Ok, "2025-12-31T23:59:59.999Z");
        let tie_first = run(RunStatus::Ok, "2026-01-01T00:00:00.000Z");
        let tie_second = run(RunStatus::Cancelled, "2026-01-01T00:00:00.000Z");
        let newest = run(RunStatus::Failed, "2026-01-01T00:00:00.001Z");
        for r in [&tie_second, &old, &newest, &tie_first] {
            store.insert_run(r).await.unwrap();
        }
        assert_eq!(
            store.list_runs(10).await.unwrap(),
            vec![newest.clone(), tie_second.clone(), tie_first, old]
        );
        assert_eq!(store.list_runs(2).await.unwrap(), vec![newest, tie_second]);
        assert_eq!(store.list_runs(0).await.unwrap(), vec![]);
        store.close().await;
    }

    pub async fn reopening_keeps_runs_and_migrations_are_idempotent(backend: Backend) {
        let db = TestDb::new(backend).await;
        let a = run(RunStatus::Failed, "2026-01-01T00:00:00.000Z");
        let first = db.store().await;
        first.insert_run(&a).await.unwrap();
        first.set_feedback(a.id, Rating::Like, None).await.unwrap();
        first.close().await;
        let again = db.store().await;
        let rated = RunRecord {
            feedback: Some(Rating::Like),
            ..a.clone()
        };
        assert_eq!(again.list_runs(5).await.unwrap(), vec![rated]);
        assert_eq!(
            again.feedback(a.id).await.unwrap().map(|f| f.rating),
            Some(Rating::Like)
        );
        again.close().await;
    }

    /// Servers starting together on a new database: each migration is
    /// applied once, every start succeeds.
    pub async fn concurrent_starts_migrate_once(backend: Backend) {
        let db = Arc::new(TestDb::new(backend).await);
        let starts: Vec<_> = (0..6)
            .map(|_| {
                let db = Arc::clone(&db);
                tokio::spawn(async move { Store::connect(&db.url).await })
            })
            .collect();
        let mut stores = Vec::new();
        for start in starts {
            stores.push(start.await.unwrap().unwrap_or_else(|e| {
                panic!("a concurrent start failed on {backend:?}: {e}");
            }));
        }
        let a = run(RunStatus::Ok, "2026-01-01T00:00:00.000Z");
        stores[0].insert_run(&a).await.unwrap();
        for store in &stores {
            assert_eq!(store.get_run(a.id).await.unwrap(), Some(a.clone()));
            store.close().await;
        }
    }

    pub async fn feedback_is_one_changeable_row_per_run(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let a = run(RunStatus::Ok, "2026-01-01T00:00:00.000Z");
        let b = run(RunStatus::Ok, "2026-01-01T00:00:01.000Z");
        store.insert_run(&a).await.unwrap();
        store.insert_run(&b).await.unwrap();
        assert_eq!(store.feedback(a.id).await.unwrap(), None);

        let first = store
            .set_feedback(a.id, Rating::Dislike, Some("made up a date ?"))
            .await
            .unwrap();
        assert_eq!(first.run_id, a.id);
        assert_eq!(first.rating, Rating::Dislike);
        assert_eq!(first.comment.as_deref(), Some("made up a date ?"));
        assert_eq!(first.created_at, first.updated_at);
        assert_eq!(store.feedback(a.id).await.unwrap(), Some(first.clone()));

        // Times have millisecond resolution: make the change later.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let changed = store.set_feedback(a.id, Rating::Like, None).await.unwrap();
        assert_eq!(changed.rating, Rating::Like);
        assert_eq!(changed.comment, None);
        assert_eq!(changed.created_at, first.created_at);
        assert!(changed.updated_at > first.updated_at, "{changed:?}");
        assert_eq!(store.feedback(a.id).await.unwrap(), Some(changed));

        // Other runs are untouched.
        assert_eq!(store.feedback(b.id).await.unwrap(), None);
        store.close().await;
    }

    pub async fn feedback_needs_an_existing_run(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let missing = Uuid::now_v7();
        match store.set_feedback(missing, Rating::Like, Some("?")).await {
            Err(StoreError::RunNotFound(id)) => assert_eq!(id, missing),
            other => panic!("expected RunNotFound on {backend:?}, got {other:?}"),
        }
        assert_eq!(store.feedback(missing).await.unwrap(), None);
        // The failed statement left the connection usable.
        store.ping().await.unwrap();
        store.close().await;
    }

    pub async fn feedback_can_be_cleared(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let a = run(RunStatus::Ok, "2026-01-01T00:00:00.000Z");
        store.insert_run(&a).await.unwrap();
        assert!(
            !store.clear_feedback(a.id).await.unwrap(),
            "nothing to clear"
        );
        store.set_feedback(a.id, Rating::Like, None).await.unwrap();
        assert!(store.clear_feedback(a.id).await.unwrap());
        assert_eq!(store.feedback(a.id).await.unwrap(), None);
        // Rated again after clearing: a fresh row.
        let again = store
            .set_feedback(a.id, Rating::Dislike, None)
            .await
            .unwrap();
        assert_eq!(again.rating, Rating::Dislike);
        // The run reads back with its current rating.
        let rated = RunRecord {
            feedback: Some(Rating::Dislike),
            ..a
        };
        assert_eq!(store.get_run(a.id).await.unwrap(), Some(rated));
        store.close().await;
    }

    pub async fn validation_round_trips(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let mut valid = run(RunStatus::Ok, "2026-01-01T00:00:00.000Z");
        valid.validation = Some(Validation {
            valid: true,
            errors: vec![],
        });
        let invalid = full_run("2026-01-02T00:00:00.000Z");
        let none = run(RunStatus::Ok, "2026-01-03T00:00:00.000Z");
        for r in [&valid, &invalid, &none] {
            store.insert_run(r).await.unwrap();
        }
        assert_eq!(store.get_run(valid.id).await.unwrap(), Some(valid.clone()));
        assert_eq!(
            store.get_run(invalid.id).await.unwrap(),
            Some(invalid.clone())
        );
        let listed = store.list_runs(3).await.unwrap();
        let validations: Vec<_> = listed.iter().map(|r| r.validation.clone()).collect();
        assert_eq!(
            validations,
            vec![None, invalid.validation.clone(), valid.validation.clone()]
        );
        store.close().await;
    }

    pub async fn touch_session_creates_then_moves_last_seen(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        assert_eq!(store.session("tab-1").await.unwrap(), None);
        let created = store.touch_session("tab-1").await.unwrap();
        assert_eq!(store.session("tab-1").await.unwrap(), Some(created.clone()));
        assert_eq!(created.id, "tab-1");
        assert_eq!(created.created_at, created.last_seen_at);
        assert!(chrono::DateTime::parse_from_rfc3339(&created.created_at).is_ok());

        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let seen = store.touch_session("tab-1").await.unwrap();
        assert_eq!(seen.created_at, created.created_at);
        assert!(seen.last_seen_at > created.last_seen_at, "{seen:?}");

        let other = store.touch_session("tab-2").await.unwrap();
        assert_eq!(other.id, "tab-2");
        store.close().await;
    }

    /// 50 tasks at once, each writing and reading, over a pool of 16
    /// connections: more than PgBouncer's server pool (4 by
    /// scripts/pgbouncer.sh), so server connections pass from client to
    /// client between transactions. Every call must succeed: no
    /// "prepared statement already exists", no statement bound on the wrong
    /// server connection.
    pub async fn concurrent_writes_and_reads(backend: Backend) {
        const TASKS: usize = 50;
        let db = TestDb::new(backend).await;
        let store = db.store_with(16).await;
        let started = Instant::now();
        let tasks: Vec<_> = (0..TASKS)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut r = run(RunStatus::Ok, &format!("2026-01-01T00:00:{i:02}.000Z"));
                    r.reply = format!("reply {i}");
                    r.usage.output_tokens = u32::try_from(i).unwrap();
                    store.insert_run(&r).await?;
                    let read = store.get_run(r.id).await?;
                    assert_eq!(read.as_ref(), Some(&r), "task {i}");
                    store.touch_session(&format!("s{}", i % 5)).await?;
                    let rating = if i % 2 == 0 {
                        Rating::Like
                    } else {
                        Rating::Dislike
                    };
                    store.set_feedback(r.id, rating, Some(&r.reply)).await?;
                    let feedback = store.feedback(r.id).await?;
                    assert_eq!(feedback.map(|f| f.rating), Some(rating), "task {i}");
                    store.list_runs(5).await?;
                    Ok::<_, StoreError>(())
                })
            })
            .collect();
        let mut failures = Vec::new();
        for (i, task) in tasks.into_iter().enumerate() {
            if let Err(e) = task.await.unwrap() {
                failures.push(format!("task {i}: {e}"));
            }
        }
        let elapsed = started.elapsed();
        assert!(failures.is_empty(), "{backend:?}: {failures:#?}");
        let all = store.list_runs(1000).await.unwrap();
        assert_eq!(all.len(), TASKS);
        assert!(all.windows(2).all(|w| w[0].created_at > w[1].created_at));
        eprintln!(
            "{backend:?}: {TASKS} tasks x 7 calls over 16 connections in {} ms",
            elapsed.as_millis()
        );
        store.close().await;
    }

    /// The database dropped and made again empty under a running store:
    /// a connection still opens, but the store is no longer ready, and
    /// says why.
    pub async fn readiness_sees_a_schema_dropped_under_it(backend: Backend) {
        use sqlx::{Connection, Executor, Row};
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        store.ping().await.expect("a fresh store is ready");
        match backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
                let tables: Vec<String> = sqlx::query(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                )
                .fetch_all(&mut conn)
                .await
                .unwrap()
                .iter()
                .map(|row| row.get(0))
                .collect();
                conn.execute("PRAGMA foreign_keys = OFF").await.unwrap();
                for table in tables {
                    conn.execute(format!("DROP TABLE \"{table}\"").as_str())
                        .await
                        .unwrap();
                }
                conn.close().await.unwrap();
            }
            Backend::Postgres | Backend::PgBouncer => {
                let mut conn = crate::store_db::connect(&db.url, "PostgreSQL", "").await;
                conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
                    .await
                    .unwrap();
            }
        }
        let err = store.ping().await.expect_err("the schema is gone");
        assert!(
            matches!(err, StoreError::SchemaMissing { found: 0, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("dropped"), "{err}");
        // The running store makes the schema again, once.
        assert!(store.repair_schema().await.unwrap(), "it had to repair");
        store.ping().await.expect("ready again");
        assert!(!store.repair_schema().await.unwrap(), "nothing to repair");
        let r = run(RunStatus::Ok, "2026-01-01T00:00:00.000Z");
        store.insert_run(&r).await.unwrap();
        assert_eq!(store.get_run(r.id).await.unwrap(), Some(r));
        store.close().await;
    }
}

/// Checks that hold only on PostgreSQL: the state a server connection keeps.
mod postgres_only {
    use std::time::Duration;

    use pep::store::{Store, StoreError, StoreOptions};
    use sqlx::Row;

    use crate::store_db::{self, Backend, TestDb};

    /// No advisory lock outlives the migrations (sqlx's own, session-level
    /// lock would stay held on a server connection behind PgBouncer).
    async fn migrations_leave_no_lock(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        store.ping().await.unwrap();
        let mut admin = store_db::admin().await;
        let locks: i64 = sqlx::query(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
             WHERE l.locktype = 'advisory' AND d.datname = $1",
        )
        .bind(db.name.as_deref())
        .fetch_one(&mut admin)
        .await
        .unwrap()
        .get(0);
        assert_eq!(locks, 0, "advisory locks left on {backend:?}");
        store.close().await;
    }

    #[tokio::test]
    async fn postgres_migrations_leave_no_lock() {
        migrations_leave_no_lock(Backend::Postgres).await;
    }

    #[tokio::test]
    async fn pgbouncer_migrations_leave_no_lock() {
        migrations_leave_no_lock(Backend::PgBouncer).await;
    }

    /// A server that refuses connections is named in the error, after the
    /// acquire timeout (it may be starting), not reported as "pool timed out".
    #[tokio::test]
    async fn unreachable_server_is_named() {
        let options = StoreOptions {
            acquire_timeout: Duration::from_millis(300),
            ..StoreOptions::new("postgres://pep:secret@127.0.0.1:1/nowhere")
        };
        match Store::connect_with(&options).await {
            Err(e @ StoreError::Unreachable { .. }) => {
                let message = e.to_string();
                assert!(message.contains("127.0.0.1:1/nowhere"), "{message}");
                assert!(!message.contains("secret"), "{message}");
            }
            other => panic!("expected Unreachable, got {other:?}"),
        }
    }

    /// The PgBouncer under test really pools transactions: two client
    /// connections, one after the other, are served by the same server
    /// process. (In session mode, or directly, the second client would get a
    /// process of its own while the first stays connected.) Guards against a
    /// suite that passes only because the pooler is not in the way.
    #[tokio::test]
    async fn pgbouncer_pools_transactions() {
        use sqlx::Executor;

        let db = TestDb::new(Backend::PgBouncer).await;
        let pid = |rows: Vec<sqlx::postgres::PgRow>| -> String { rows[0].get(0) };
        let mut first = store_db::connect(&db.url, "PgBouncer", "").await;
        let a = pid(first
            .fetch_all("SELECT pg_backend_pid()::text")
            .await
            .unwrap());
        let mut second = store_db::connect(&db.url, "PgBouncer", "").await;
        let b = pid(second
            .fetch_all("SELECT pg_backend_pid()::text")
            .await
            .unwrap());
        assert_eq!(
            a, b,
            "{} does not pool transactions: run PgBouncer with pool_mode = transaction",
            db.url
        );
    }
}

/// Checks that hold only on SQLite: files written by earlier builds.
mod sqlite_only {
    use std::borrow::Cow;

    use pep::store::Store;
    use sqlx::sqlite::SqlitePoolOptions;
    use uuid::Uuid;

    use crate::store_db::{Backend, TestDb};

    /// A database that sqlx's own migrator brought to version 1 (what builds
    /// before PostgreSQL support did), holding a run, is upgraded at start
    /// and its run still reads.
    #[tokio::test]
    async fn upgrades_a_database_migrated_by_sqlx() {
        let db = TestDb::new(Backend::Sqlite).await;
        let pool = SqlitePoolOptions::new()
            .connect(&format!("{}?mode=rwc", db.url))
            .await
            .unwrap();
        let mut first = sqlx::migrate!("./migrations/sqlite");
        first.migrations = Cow::Owned(first.migrations[..1].to_vec());
        first.run(&pool).await.unwrap();
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO runs (id, created_at, model, provider, params, messages, reply, status,
                finish_reason, latency_ms)
             VALUES (?, '2025-06-01T10:00:00.000Z', 'local/x', 'local', '{\"stop\":[]}', '[]',
                'old', 'ok', 'stop', 5.0)",
        )
        .bind(id.to_string())
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;

        let store = Store::connect(&db.url).await.unwrap();
        let run = store.get_run(id).await.unwrap().unwrap();
        assert_eq!(run.reply, "old");
        assert_eq!(run.trace_id, None);
        assert_eq!(run.params.stop, Vec::<String>::new());
        store.touch_session("after-upgrade").await.unwrap();
        store.close().await;
    }
}
