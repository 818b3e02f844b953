//! Persistence of runs (with their tool calls), conversations, sessions,
//! feedback and the Prompt Hub's prompts, on SQLite or PostgreSQL.
//!
//! The database URL's scheme picks the backend: `sqlite:` is the embedded
//! default (one file under the data folder, created at start);
//! `postgres:`/`postgresql:` is for production, directly or through a
//! PgBouncer in transaction pooling mode. Either way the schema is migrated
//! at start (`migrate.rs`).
//!
//! One code path serves both. The store holds an enum of sqlx's two typed
//! pools (`db::Db`). Every method writes its SQL once, with `?` placeholders
//! (`sql::Sql`, numbered once for PostgreSQL), and its body once, inside
//! `db::in_transaction!` (or `db::read_transaction!` for a body that only
//! reads), which compiles that body for each backend and prepares
//! statements as the backend needs (`db::Dialect`). Rows decode
//! into plain structs (`#[derive(sqlx::FromRow)]` is generic over the
//! backend) of the types both backends share: TEXT, 64-bit integers and
//! doubles.
//!
//! Why not sqlx's `Any` driver: it still leaves `?` versus `$1` to the
//! caller, hides the typed connect options this store depends on (WAL and
//! busy timeout for SQLite; no statement cache for PostgreSQL), needs its
//! drivers installed at run time, and decodes fewer types. The enum keeps
//! sqlx's native drivers at the price of one small macro.
//!
//! PgBouncer in transaction pooling mode hands each transaction to whichever
//! server connection is free, so nothing may outlive a transaction. Hence,
//! always, also on a direct connection (one configuration to test):
//! - no named prepared statements: PostgreSQL statements are
//!   non-persistent and the statement cache is off (`db::Dialect`);
//! - every statement in an explicit transaction, since sqlx's PARSE and
//!   BIND of one statement are separate exchanges (`db::in_transaction!`);
//! - migrations in one transaction under a transaction-scoped lock, not
//!   sqlx's migrator (`migrate.rs`);
//! - no session state (`SET`, temporary tables, session locks).
//!
//! The cost is one extra round trip per statement (PARSE every time) plus
//! `BEGIN`/`COMMIT`. tests/store.rs runs the same cases on SQLite, on
//! PostgreSQL and through PgBouncer.
//!
//! Times (`created_at`, ...) are RFC 3339 strings made by the store (or the
//! engine, for runs), never by the database, so both backends hold and
//! return the same text.
//!
//! NUL characters (U+0000): PostgreSQL's TEXT cannot hold them, SQLite's
//! can. So that both backends keep the same text, one policy applies:
//! - what a client sends is refused before anything runs (the engine's
//!   request and query checks name the field): a message, a session id, a
//!   title or a filter with U+0000 is a 4xx, never a half-stored turn;
//! - what a model produced (the reply, an error, tool-call names and
//!   arguments) cannot be refused after the fact, so the store writes each
//!   U+0000 as U+FFFD (the replacement character) on both backends
//!   ([`storable`]). JSON columns need nothing: serde_json escapes U+0000
//!   as `\u0000`, which both backends keep as written.

mod conversations;
mod db;
mod feedback;
mod migrate;
mod prompts;
mod run_row;
mod run_search;
mod runs;
mod sessions;
mod sql;
mod tool_calls;

use std::borrow::Cow;
use std::time::Duration;

use uuid::Uuid;

/// Ratings are shared with the browser; re-exported where the store's
/// users have always found them.
pub use crate::outcome::Rating;
pub use conversations::{default_title, TITLE_CHARS, UNTITLED};
pub use feedback::Feedback;
pub use prompts::Imported;
pub use run_search::{percentile, MAX_POINTS};
pub use runs::INTERRUPTED;
pub use sessions::Session;

use db::{in_transaction, Db};
use sql::Sql;

/// The newest migration applied; 0 when the bookkeeping table is empty.
static SCHEMA_VERSION: Sql =
    Sql::new("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success");
/// A table every turn writes to.
static RUNS_TABLE: Sql = Sql::new("SELECT 1 FROM runs LIMIT 1");
/// A write that changes nothing but needs the database to take writes
/// (a read-only SQLite file or a read-only PostgreSQL role refuse it).
static TOUCH: Sql = Sql::new("UPDATE _sqlx_migrations SET success = success WHERE version = ?");

/// How many times a start refused with SQLITE_BUSY is tried again, and the
/// pause before the first retry (each later one waits one pause longer):
/// about 10 s in all.
const BUSY_RETRIES: u32 = 20;
const BUSY_PAUSE: Duration = Duration::from_millis(50);

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0}: expected sqlite:, postgres: or postgresql:")]
    UnsupportedUrl(String),
    #[error("the database at {url} accepted no connection within {waited:?}")]
    Unreachable { url: String, waited: Duration },
    #[error("no run {0}")]
    RunNotFound(Uuid),
    /// What a Prompt Hub write found inside its transaction: a name taken,
    /// a prompt, version or label not there, a move its state forbids.
    #[error(transparent)]
    Prompt(#[from] crate::prompts::PromptError),
    #[error("run {id} cannot be stored: {reason}")]
    Unencodable { id: String, reason: String },
    #[error("stored run {id} is unreadable: {reason}")]
    Corrupt { id: String, reason: String },
    #[error("the database holds schema version {found}, not {expected}: was it dropped or replaced? (PEP makes a lost schema again within seconds; a newer one needs a newer PEP)")]
    SchemaMissing { found: i64, expected: i64 },
}

impl StoreError {
    /// Whether SQLite refused with SQLITE_BUSY (any of its extended codes):
    /// another connection held the lock and this one was not queued.
    fn is_busy(&self) -> bool {
        let database = match self {
            StoreError::Database(sqlx::Error::Database(e)) => e,
            StoreError::Migrate(sqlx::migrate::MigrateError::Execute(sqlx::Error::Database(e))) => {
                e
            }
            _ => return false,
        };
        database
            .try_downcast_ref::<sqlx::sqlite::SqliteError>()
            .is_some()
            && database
                .code()
                .and_then(|code| code.parse::<i32>().ok())
                .is_some_and(|code| code & 0xff == SQLITE_BUSY)
    }
}

/// Whether a statement failed because a table does not exist (SQLite says
/// so in words; PostgreSQL's code is 42P01, undefined_table).
fn is_missing_table(e: &dyn sqlx::error::DatabaseError) -> bool {
    e.code().as_deref() == Some("42P01") || e.message().starts_with("no such table")
}

/// SQLite's primary result code for a lock held elsewhere.
const SQLITE_BUSY: i32 = 5;

/// How to open the store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// `sqlite://path/to/file.db`, `postgres://user@host:port/db`, ...
    pub url: String,
    /// The most connections the store keeps open. Behind PgBouncer this may
    /// exceed its server pool: PgBouncer queues the surplus transactions.
    pub max_connections: u32,
    /// How long a statement may wait for a free connection; at start, how
    /// long to wait for a database that refuses connections (still starting).
    pub acquire_timeout: Duration,
}

impl StoreOptions {
    /// The defaults: 8 connections, 10 s to get one.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 8,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

/// The store. Cheap to clone: clones share one pool.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
}

impl Store {
    /// Opens (creating a SQLite file if needed) the database at `url`, with
    /// the default [`StoreOptions`], and migrates it.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(&StoreOptions::new(url)).await
    }

    /// Opens the database described by `options` and migrates it.
    ///
    /// Several servers starting at once on one new SQLite file contend for
    /// its lock in a way the busy timeout cannot wait out: a connection
    /// turning the file to WAL, or a reader upgrading to a writer, is
    /// refused at once (SQLITE_BUSY) rather than queued, so that two
    /// upgraders never wait for each other. Such a start is tried again
    /// after a short pause; opening and migrating are idempotent.
    pub async fn connect_with(options: &StoreOptions) -> Result<Self, StoreError> {
        let mut retries = 0;
        loop {
            match Self::open(options).await {
                Err(e) if e.is_busy() && retries < BUSY_RETRIES => {
                    retries += 1;
                    tokio::time::sleep(BUSY_PAUSE * retries).await;
                }
                opened => return opened,
            }
        }
    }

    async fn open(options: &StoreOptions) -> Result<Self, StoreError> {
        let db = Db::connect(options).await?;
        if let Err(e) = migrate::run(&db).await {
            db.close().await;
            return Err(e);
        }
        Ok(Self { db })
    }

    /// Whether the database is usable: it answers, holds PEP's whole
    /// schema, and takes writes. A connection that merely opens is not
    /// enough: a database dropped and made again empty, or a file made
    /// read-only, answers `SELECT 1` while every turn fails to be stored.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let expected = migrate::latest_version(&self.db);
        let found = in_transaction!(&self.db, |conn, q| {
            let (found,): (i64,) = q.query_as(&SCHEMA_VERSION).fetch_one(&mut *conn).await?;
            if found == expected {
                q.query(&RUNS_TABLE).fetch_optional(&mut *conn).await?;
                q.query(&TOUCH).bind(expected).execute(&mut *conn).await?;
            }
            Ok(found)
        })
        .map_err(|e| match e {
            // No bookkeeping table at all: nothing of the schema is there.
            sqlx::Error::Database(d) if is_missing_table(d.as_ref()) => {
                StoreError::SchemaMissing { found: 0, expected }
            }
            e => StoreError::Database(e),
        })?;
        if found != expected {
            return Err(StoreError::SchemaMissing { found, expected });
        }
        Ok(())
    }

    /// Makes PEP's schema again when the database lost it (dropped and made
    /// again empty, or restored from a backup older than this build) while
    /// the server runs, so the store heals without a restart; the runs
    /// refused meanwhile wait in the spool. Returns whether it had to. A
    /// database a newer build migrated is left alone (and stays unready).
    pub async fn repair_schema(&self) -> Result<bool, StoreError> {
        match self.ping().await {
            Err(StoreError::SchemaMissing { found, expected }) if found < expected => {
                migrate::run(&self.db).await?;
                tracing::warn!(
                    found,
                    expected,
                    "the database had lost PEP's schema; it is made again"
                );
                Ok(true)
            }
            other => other.map(|()| false),
        }
    }

    /// Closes every connection, waiting for statements under way. Later
    /// calls on this store (or its clones) fail.
    pub async fn close(&self) {
        self.db.close().await;
    }
}

/// `text` as both backends can hold it: each U+0000 becomes U+FFFD (see
/// the module's doc).
pub(crate) fn storable(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The current time as the store writes it: RFC 3339, UTC, milliseconds,
/// the form the engine uses for runs, so the strings order by time.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::storable;

    #[test]
    fn nul_becomes_the_replacement_character() {
        assert_eq!(storable("a\0b\0"), "a\u{FFFD}b\u{FFFD}");
        assert!(matches!(
            storable("plain"),
            std::borrow::Cow::Borrowed("plain")
        ));
    }
}
