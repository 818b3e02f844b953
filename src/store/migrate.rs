//! Bringing the schema up to date at start.
//!
//! Each backend has its own folder of migrations (`migrations/sqlite`,
//! `migrations/postgres`) with the same versions and the same tables in the
//! backend's types; `sqlx::migrate!` compiles both into the binary.
//!
//! They are applied by the few lines below rather than by sqlx's
//! `Migrator::run`, which is not safe behind a transaction-pooling PgBouncer:
//! - it locks with a session-level advisory lock, taken and released by two
//!   separate statements that PgBouncer may send to different server
//!   connections; the unlock then misses and the lock stays held by an idle
//!   server connection, so the next start that lands elsewhere waits
//!   forever;
//! - its bookkeeping queries are named prepared statements (`sqlx_s_1`, ...)
//!   that outlive the run on the server connection, where another client's
//!   own `sqlx_s_1` then fails with "prepared statement already exists".
//!
//! Here every start runs in ONE transaction that first takes an exclusive
//! lock, with the store's non-persistent statements ([`Dialect`]), so that
//! servers starting together apply each migration once (the others wait,
//! then find nothing to do) and nothing outlives the transaction. A failure
//! rolls all of it back (DDL is transactional on both backends). The price:
//! a migration must be able to run in a transaction (no
//! `CREATE INDEX CONCURRENTLY`).
//! - PostgreSQL: the lock is `pg_advisory_xact_lock`, released by PostgreSQL
//!   at commit or rollback.
//! - SQLite: the lock is the database's write lock, taken at once by
//!   `BEGIN IMMEDIATE` (waiting up to the busy timeout). sqlx takes none for
//!   SQLite, so two processes opening a new file together would otherwise
//!   both try to create the tables.
//!
//! The bookkeeping stays sqlx's: the same `_sqlx_migrations` table, versions
//! and checksums, so databases migrated before keep working and
//! `sqlx migrate info` still reads them.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use sqlx::migrate::{MigrateError, Migration, Migrator};
use sqlx::{Executor, Postgres, Sqlite};

use super::db::{Db, Dialect};
use super::sql::Sql;
use super::StoreError;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// The version of the newest migration this build carries for `db`'s
/// backend: what a complete schema records as applied.
pub(super) fn latest_version(db: &Db) -> i64 {
    let migrator = match db {
        Db::Sqlite(_) => &SQLITE,
        Db::Postgres(_) => &POSTGRES,
    };
    migrator.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The key of the PostgreSQL migration lock: "pepstore" in ASCII, a value no
/// other user of the database is likely to pick.
const POSTGRES_LOCK: i64 = 0x7065_7073_746f_7265;

static LOCK: Sql = Sql::new("SELECT pg_advisory_xact_lock(?)");
static APPLIED: Sql =
    Sql::new("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version");
static RECORD: Sql = Sql::new(
    "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
     VALUES (?, ?, TRUE, ?, ?)",
);

/// sqlx's bookkeeping table, as sqlx creates it for SQLite.
const SQLITE_TABLE: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
)";

/// sqlx's bookkeeping table, as sqlx creates it for PostgreSQL.
const POSTGRES_TABLE: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
)";

/// Applies, on the connection `$conn` of a transaction that holds the lock,
/// the migrations of `$migrator` that the database lacks. The same lines for
/// both backends; `$q` is the backend's [`Dialect`].
macro_rules! apply_pending {
    ($conn:expr, $q:expr, $table:expr, $migrator:expr) => {
        async {
            let conn = $conn;
            conn.execute($table).await?;
            let applied: Vec<(i64, Vec<u8>, bool)> =
                $q.query_as(&APPLIED).fetch_all(&mut *conn).await?;
            for migration in pending(&applied, &$migrator.migrations)? {
                let started = Instant::now();
                conn.execute(&*migration.sql)
                    .await
                    .map_err(|e| MigrateError::ExecuteMigration(e, migration.version))?;
                let nanos = i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX);
                $q.query(&RECORD)
                    .bind(migration.version)
                    .bind(&*migration.description)
                    .bind(&*migration.checksum)
                    .bind(nanos)
                    .execute(&mut *conn)
                    .await?;
                tracing::info!(
                    version = migration.version,
                    description = %migration.description,
                    "database migrated"
                );
            }
            Ok::<(), StoreError>(())
        }
    };
}

/// Applies the migrations the database lacks.
pub(super) async fn run(db: &Db) -> Result<(), StoreError> {
    match db {
        Db::Sqlite(pool) => {
            let q = Dialect::<Sqlite>::new();
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
            let result = apply_pending!(&mut *tx, q, SQLITE_TABLE, SQLITE).await;
            finish(tx, result).await
        }
        Db::Postgres(pool) => {
            let q = Dialect::<Postgres>::new();
            let mut tx = pool.begin().await?;
            let result = async {
                q.query(&LOCK).bind(POSTGRES_LOCK).execute(&mut *tx).await?;
                apply_pending!(&mut *tx, q, POSTGRES_TABLE, POSTGRES).await
            }
            .await;
            finish(tx, result).await
        }
    }
}

/// Commits the migration transaction, or rolls it back on failure (at once,
/// so that the lock is released and the connection is clean).
async fn finish<DB: sqlx::Database>(
    tx: sqlx::Transaction<'_, DB>,
    result: Result<(), StoreError>,
) -> Result<(), StoreError> {
    match result {
        Ok(()) => Ok(tx.commit().await?),
        Err(e) => {
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(error = %rollback, "rollback of the migrations failed");
            }
            Err(e)
        }
    }
}

/// The migrations to apply, in order, given the rows of `_sqlx_migrations`
/// (version, checksum, success) and the migrations of this build. Refuses a
/// database that a failed run left dirty, that has a migration this build
/// lacks (a newer build migrated it), or whose applied migration was edited
/// since.
fn pending<'m>(
    applied: &[(i64, Vec<u8>, bool)],
    migrations: &'m [Migration],
) -> Result<Vec<&'m Migration>, MigrateError> {
    if let Some((version, _, _)) = applied.iter().find(|(_, _, success)| !success) {
        return Err(MigrateError::Dirty(*version));
    }
    let ups: Vec<&Migration> = migrations
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .collect();
    let known: HashMap<i64, &Migration> = ups.iter().map(|m| (m.version, *m)).collect();
    for (version, checksum, _) in applied {
        match known.get(version) {
            None => return Err(MigrateError::VersionMissing(*version)),
            Some(m) if *m.checksum != checksum[..] => {
                return Err(MigrateError::VersionMismatch(*version))
            }
            Some(_) => {}
        }
    }
    let done: HashSet<i64> = applied.iter().map(|(version, _, _)| *version).collect();
    Ok(ups
        .into_iter()
        .filter(|m| !done.contains(&m.version))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{pending, POSTGRES, SQLITE};
    use sqlx::migrate::{MigrateError, Migration, MigrationType};

    fn migration(version: i64, sql: &'static str) -> Migration {
        Migration::new(
            version,
            "m".into(),
            MigrationType::Simple,
            sql.into(),
            false,
        )
    }

    fn row(m: &Migration) -> (i64, Vec<u8>, bool) {
        (m.version, m.checksum.to_vec(), true)
    }

    fn versions(list: &[&Migration]) -> Vec<i64> {
        list.iter().map(|m| m.version).collect()
    }

    #[test]
    fn only_missing_migrations_run_in_order() {
        let all = [migration(1, "a"), migration(2, "b"), migration(3, "c")];
        assert_eq!(versions(&pending(&[], &all).unwrap()), [1, 2, 3]);
        assert_eq!(versions(&pending(&[row(&all[0])], &all).unwrap()), [2, 3]);
        let applied: Vec<_> = all.iter().map(row).collect();
        assert!(pending(&applied, &all).unwrap().is_empty());
    }

    #[test]
    fn edited_unknown_or_dirty_databases_are_refused() {
        let all = [migration(1, "a"), migration(2, "b")];
        let edited = (1, migration(1, "a changed").checksum.to_vec(), true);
        assert!(matches!(
            pending(&[edited], &all),
            Err(MigrateError::VersionMismatch(1))
        ));
        let newer = row(&migration(3, "c"));
        assert!(matches!(
            pending(&[row(&all[0]), newer], &all),
            Err(MigrateError::VersionMissing(3))
        ));
        let failed = (1, all[0].checksum.to_vec(), false);
        assert!(matches!(
            pending(&[failed], &all),
            Err(MigrateError::Dirty(1))
        ));
    }

    /// Both backends keep the same history: the same versions, one for one.
    #[test]
    fn both_backends_have_the_same_versions() {
        let versions = |m: &sqlx::migrate::Migrator| -> Vec<(i64, String)> {
            m.iter()
                .map(|m| (m.version, m.description.to_string()))
                .collect()
        };
        assert_eq!(versions(&SQLITE), versions(&POSTGRES));
        assert!(!SQLITE.migrations.is_empty());
    }
}
