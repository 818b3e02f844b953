//! The connection pool of either backend, and the one way statements run on
//! it.
//!
//! [`in_transaction!`] is the only place that looks at the backend: it picks
//! the pool, hands the body the backend's [`Dialect`] (statement text and
//! preparation) and runs the body in a transaction. The body is compiled
//! once per backend from the same source.

use std::marker::PhantomData;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgArguments, PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::query::{Query, QueryAs};
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow,
};
use sqlx::{FromRow, PgPool, Postgres, Sqlite, SqlitePool};

use super::sql::{Built, Param, Sql};
use super::{StoreError, StoreOptions};

/// Which database a URL names, from its scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `sqlite:` → SQLite; `postgres:` or `postgresql:` → PostgreSQL.
    pub(crate) fn of_url(url: &str) -> Result<Self, StoreError> {
        let scheme = url
            .split_once(':')
            .map(|(scheme, _)| scheme.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("sqlite") => Ok(Backend::Sqlite),
            Some("postgres" | "postgresql") => Ok(Backend::Postgres),
            _ => Err(StoreError::UnsupportedUrl(redact(url))),
        }
    }
}

/// The URL without its password, fit for an error message or a log line.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// An open pool of one backend.
#[derive(Debug, Clone)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Db {
    pub(crate) async fn connect(options: &StoreOptions) -> Result<Self, StoreError> {
        match Backend::of_url(&options.url)? {
            Backend::Sqlite => {
                let connect = SqliteConnectOptions::from_str(&options.url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(5));
                let pool = SqlitePoolOptions::new()
                    .max_connections(options.max_connections)
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(connect)
                    .await
                    .map_err(|e| unreachable(e, options))?;
                Ok(Db::Sqlite(pool))
            }
            Backend::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(options.max_connections)
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(postgres_options(&options.url)?)
                    .await
                    .map_err(|e| unreachable(e, options))?;
                Ok(Db::Postgres(pool))
            }
        }
    }

    pub(crate) async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// The pool retries a refused connection until its acquire timeout (the
/// database may be starting too), then reports only "pool timed out": name
/// the database and the wait instead.
fn unreachable(e: sqlx::Error, options: &StoreOptions) -> StoreError {
    match e {
        sqlx::Error::PoolTimedOut => StoreError::Unreachable {
            url: redact(&options.url),
            waited: options.acquire_timeout,
        },
        e => StoreError::Database(e),
    }
}

/// Connection options that hold through a transaction-pooling PgBouncer.
///
/// Such a pooler hands each transaction to whichever server connection is
/// free, so nothing may outlive a transaction on the server:
/// - no named prepared statements: sqlx caches them per client connection
///   (`sqlx_s_1`, ...), which on a shared server connection ends in
///   "prepared statement already exists" or "does not exist". The cache is
///   off, and every statement is non-persistent ([`Dialect`]), so each is
///   parsed again on every execution (one extra round trip, also on a
///   direct connection);
/// - no `extra_float_digits` start-up parameter: PgBouncer refuses unknown
///   start-up parameters unless told to ignore them, and values travel in
///   the binary format, where the setting changes nothing;
/// - no session state (`SET`, temporary tables, session advisory locks):
///   the store uses none, and migrations lock with a transaction-scoped lock
///   (see `migrate`).
///
/// The settings apply to direct connections as well: one configuration,
/// whatever sits between the store and PostgreSQL.
fn postgres_options(url: &str) -> Result<PgConnectOptions, StoreError> {
    Ok(PgConnectOptions::from_str(url)?
        .statement_cache_capacity(0)
        .extra_float_digits(None))
}

/// How a statement is prepared on backend `DB`: its text, and whether the
/// connection may keep it.
///
/// SQLite keeps prepared statements in each connection's cache. PostgreSQL
/// gets `persistent(false)`: sqlx then uses the unnamed statement, which the
/// next statement replaces. A persistent statement would be a *named* one
/// (`sqlx_s_1`, ...), created on the server even with the statement cache
/// off and never closed; behind PgBouncer it stays on a server connection
/// that another client, counting from `sqlx_s_1` too, then receives:
/// "prepared statement already exists".
pub(crate) struct Dialect<DB>(PhantomData<DB>);

impl<DB> Dialect<DB> {
    pub(crate) const fn new() -> Self {
        Self(PhantomData)
    }
}

/// Binds a [`Built`] statement's values, in order, to a query of either
/// backend (the same code, typed once per backend).
macro_rules! bind_params {
    ($query:expr, $sql:expr) => {{
        let mut query = $query;
        for param in $sql.params() {
            query = match param {
                Param::Text(text) => query.bind(text.as_str()),
                Param::Int(n) => query.bind(*n),
                Param::OptText(text) => query.bind(text.as_deref()),
            };
        }
        query
    }};
}

impl Dialect<Sqlite> {
    pub(crate) fn query<'q>(&self, sql: &'static Sql) -> Query<'q, Sqlite, SqliteArguments<'q>> {
        sqlx::query(sql.sqlite())
    }

    pub(crate) fn query_as<'q, O>(
        &self,
        sql: &'static Sql,
    ) -> QueryAs<'q, Sqlite, O, SqliteArguments<'q>>
    where
        O: for<'r> FromRow<'r, SqliteRow>,
    {
        sqlx::query_as(sql.sqlite())
    }

    /// A [`Built`] statement with its values bound.
    pub(crate) fn built<'q>(&self, sql: &'q Built) -> Query<'q, Sqlite, SqliteArguments<'q>> {
        bind_params!(sqlx::query(sql.sqlite()), sql)
    }

    /// A [`Built`] statement with its values bound, its rows as `O`.
    pub(crate) fn built_as<'q, O>(
        &self,
        sql: &'q Built,
    ) -> QueryAs<'q, Sqlite, O, SqliteArguments<'q>>
    where
        O: for<'r> FromRow<'r, SqliteRow>,
    {
        bind_params!(sqlx::query_as(sql.sqlite()), sql)
    }
}

impl Dialect<Postgres> {
    pub(crate) fn query<'q>(&self, sql: &'static Sql) -> Query<'q, Postgres, PgArguments> {
        sqlx::query(sql.postgres()).persistent(false)
    }

    pub(crate) fn query_as<'q, O>(&self, sql: &'static Sql) -> QueryAs<'q, Postgres, O, PgArguments>
    where
        O: for<'r> FromRow<'r, PgRow>,
    {
        sqlx::query_as(sql.postgres()).persistent(false)
    }

    /// A [`Built`] statement with its values bound.
    pub(crate) fn built<'q>(&self, sql: &'q Built) -> Query<'q, Postgres, PgArguments> {
        bind_params!(sqlx::query(sql.postgres()).persistent(false), sql)
    }

    /// A [`Built`] statement with its values bound, its rows as `O`.
    pub(crate) fn built_as<'q, O>(&self, sql: &'q Built) -> QueryAs<'q, Postgres, O, PgArguments>
    where
        O: for<'r> FromRow<'r, PgRow>,
    {
        bind_params!(sqlx::query_as(sql.postgres()).persistent(false), sql)
    }
}

/// Runs `$body` in a transaction of `$db`'s pool and commits it, or rolls it
/// back when the body fails. Yields `Result<T, sqlx::Error>`.
///
/// In the body, `$conn` is the transaction's connection (use `&mut *$conn`
/// as the executor) and `$q` is the backend's [`Dialect`]: `$q.query(&SQL)`
/// and `$q.query_as(&SQL)` start a statement. The body is compiled once per
/// backend.
///
/// Why every statement runs in an explicit transaction: sqlx executes a
/// statement that has parameters in two exchanges, PARSE then BIND/EXECUTE,
/// each closed by a SYNC. Outside a transaction PgBouncer (transaction
/// pooling) may give the second exchange to another server connection, where
/// the unnamed statement is missing or is another client's. Inside
/// `BEGIN`/`COMMIT` the server connection stays with this client. SQLite
/// loses nothing by it: a lone statement is a transaction there anyway.
///
/// `in_transaction!(&db, |conn, q| -> E { body })` does the same with a
/// body that yields `Result<T, E>`, where `E: From<sqlx::Error>`: a body
/// that refuses a change by a rule of its own (a name taken, a move not
/// allowed) rolls back whatever it wrote before it found out. The body may
/// use `?`.
///
/// On SQLite a body that reads, then writes, can be refused at once
/// (busy, whatever the busy timeout) when another connection wrote in
/// between: its snapshot is stale. Such a body retries on busy (see the
/// import). Taking the write lock first (`BEGIN IMMEDIATE`) would make it
/// wait instead, but sqlx refuses a custom `BEGIN` on a connection it
/// still counts as inside a transaction, which a cancelled write can
/// leave behind; its own `BEGIN` nests a savepoint there. Bodies that only
/// read are written with [`read_transaction!`], so the two can begin
/// differently once that is solved.
macro_rules! in_transaction {
    ($db:expr, |$conn:ident, $q:ident| -> $err:ty $body:block) => {
        $crate::store::db::in_transaction!(@on $db, $err, |$conn, $q| $body)
    };
    ($db:expr, |$conn:ident, $q:ident| $body:expr) => {
        $crate::store::db::in_transaction!($db, |$conn, $q| -> sqlx::Error { $body })
    };
    (@on $db:expr, $err:ty, |$conn:ident, $q:ident| $body:expr) => {
        match $db {
            $crate::store::db::Db::Sqlite(pool) => {
                let $q = $crate::store::db::Dialect::<sqlx::Sqlite>::new();
                $crate::store::db::in_transaction!(@run pool, $err, |$conn| $body)
            }
            $crate::store::db::Db::Postgres(pool) => {
                let $q = $crate::store::db::Dialect::<sqlx::Postgres>::new();
                $crate::store::db::in_transaction!(@run pool, $err, |$conn| $body)
            }
        }
    };
    (@run $pool:ident, $err:ty, |$conn:ident| $body:expr) => {
        async {
            let mut tx = $pool.begin().await.map_err(<$err>::from)?;
            // The body runs in a block of its own, so that its `?` ends
            // the body, not this transaction's bookkeeping.
            let result: Result<_, $err> = async {
                let $conn = &mut *tx;
                $body
            }
            .await;
            match result {
                Ok(value) => {
                    tx.commit().await.map_err(<$err>::from)?;
                    Ok::<_, $err>(value)
                }
                Err(e) => {
                    if let Err(rollback) = tx.rollback().await {
                        tracing::warn!(error = %rollback, "rollback failed");
                    }
                    Err(e)
                }
            }
        }
        .await
    };
}

/// [`in_transaction!`] for a body that only reads. It begins the same way
/// today (see there why); the readers are marked so that they can be told
/// apart from the writers.
macro_rules! read_transaction {
    ($db:expr, |$conn:ident, $q:ident| -> $err:ty $body:block) => {
        $crate::store::db::in_transaction!(@on $db, $err, |$conn, $q| $body)
    };
    ($db:expr, |$conn:ident, $q:ident| $body:expr) => {
        $crate::store::db::read_transaction!($db, |$conn, $q| -> sqlx::Error { $body })
    };
}

pub(crate) use {in_transaction, read_transaction};

#[cfg(test)]
mod tests {
    use super::{redact, Backend};

    #[test]
    fn the_scheme_picks_the_backend() {
        for (url, backend) in [
            ("sqlite://data/pep.db", Backend::Sqlite),
            ("sqlite::memory:", Backend::Sqlite),
            ("postgres://h/db", Backend::Postgres),
            ("PostgreSQL://h/db", Backend::Postgres),
        ] {
            assert_eq!(Backend::of_url(url).ok(), Some(backend), "{url}");
        }
        assert!(Backend::of_url("mysql://u:secret@h/db").is_err());
        assert!(Backend::of_url("pep.db").is_err());
    }

    #[test]
    fn errors_never_show_the_password() {
        assert_eq!(
            redact("mysql://u:secret@h:1/db?x=1"),
            "mysql://u:***@h:1/db?x=1"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("mysql://h/db"), "mysql://h/db");
        assert_eq!(redact("nonsense"), "nonsense");
    }
}
