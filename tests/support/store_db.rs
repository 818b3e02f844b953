//! Throwaway databases for the store suite (tests/store.rs): one fresh
//! database per test, on the backend the test asks for, removed when the
//! test ends (pass or fail).
//!
//! - SQLite: a file in a temporary folder.
//! - PostgreSQL: a database `pep_store_<pid>_<n>` created over
//!   `PEP_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`,
//!   a role allowed to CREATE DATABASE); that URL's own database is only the
//!   maintenance connection. Dropped `WITH (FORCE)` at the end.
//! - PgBouncer: the same kind of database, reached through the PgBouncer at
//!   `PEP_TEST_PGBOUNCER_URL`, default: the URL `scripts/pgbouncer.sh start`
//!   wrote to `${PEP_PGBOUNCER_DIR:-$TMPDIR/pep-pgbouncer}/url`. That
//!   PgBouncer must run in transaction pooling mode and route every database
//!   name (`* =`) to the server of `PEP_TEST_POSTGRES_URL`.
//!
//! An unreachable server fails the test with the fix in the message; it is
//! never skipped.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly
#![allow(dead_code)] // each test binary uses its own part
#![allow(unused_macros)] // a file that includes this one need not use its macro

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use pep::store::{Store, StoreOptions};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection, Executor};

/// One `#[tokio::test]` per case and backend, each calling
/// `cases::<case>(Backend::<backend>)` of the test file that invokes it
/// (with `#[macro_use]` on its `mod store_db`).
macro_rules! on_every_backend {
    ($($case:ident),+ $(,)?) => {
        on_every_backend!(@backend sqlite, Sqlite; $($case),+);
        on_every_backend!(@backend postgres, Postgres; $($case),+);
        on_every_backend!(@backend pgbouncer, PgBouncer; $($case),+);
    };
    (@backend $module:ident, $backend:ident; $($case:ident),+) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    super::cases::$case(super::Backend::$backend).await;
                }
            )+
        }
    };
}

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// How long a server may take to accept a connection before the test fails.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The backends of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    PgBouncer,
}

/// A database of its own for one test.
pub struct TestDb {
    pub backend: Backend,
    /// What the store is opened with.
    pub url: String,
    /// The PostgreSQL database's name (`None` for SQLite).
    pub name: Option<String>,
    _cleanup: Cleanup,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("store.db").display());
                Self {
                    backend,
                    url,
                    name: None,
                    _cleanup: Cleanup::Folder(dir),
                }
            }
            Backend::Postgres | Backend::PgBouncer => {
                let admin = postgres_url();
                let name = create_database(&admin).await;
                let cleanup = Cleanup::Database {
                    admin: admin.clone(),
                    name: name.clone(),
                };
                let url = if backend == Backend::PgBouncer {
                    let bouncer = pgbouncer_url();
                    let url = with_database(&bouncer, &name);
                    probe(&url, "PgBouncer", &pgbouncer_fix()).await;
                    url
                } else {
                    with_database(&admin, &name)
                };
                Self {
                    backend,
                    url,
                    name: Some(name),
                    _cleanup: cleanup,
                }
            }
        }
    }

    /// The store on this database, with the default options.
    pub async fn store(&self) -> Store {
        Store::connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("opening the {:?} store failed: {e}", self.backend))
    }

    /// The store on this database with a pool of `connections`.
    pub async fn store_with(&self, connections: u32) -> Store {
        let options = StoreOptions {
            max_connections: connections,
            ..StoreOptions::new(&self.url)
        };
        Store::connect_with(&options)
            .await
            .unwrap_or_else(|e| panic!("opening the {:?} store failed: {e}", self.backend))
    }
}

/// `PEP_TEST_POSTGRES_URL` or its default.
pub fn postgres_url() -> String {
    std::env::var("PEP_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// `PEP_TEST_PGBOUNCER_URL`, else the URL of the PgBouncer that
/// `scripts/pgbouncer.sh start` runs.
pub fn pgbouncer_url() -> String {
    if let Ok(url) = std::env::var("PEP_TEST_PGBOUNCER_URL") {
        return url;
    }
    let file = pgbouncer_dir().join("url");
    match std::fs::read_to_string(&file) {
        Ok(url) => url.trim().to_owned(),
        Err(e) => panic!(
            "no PgBouncer to test through: {} is unreadable ({e}). {}",
            file.display(),
            pgbouncer_fix()
        ),
    }
}

fn pgbouncer_dir() -> PathBuf {
    std::env::var_os("PEP_PGBOUNCER_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("pep-pgbouncer"))
}

fn pgbouncer_fix() -> String {
    "Start one with `scripts/pgbouncer.sh start` (stop it with `scripts/pgbouncer.sh stop`), \
     or set PEP_TEST_PGBOUNCER_URL to a PgBouncer in transaction pooling mode."
        .to_owned()
}

fn postgres_fix() -> String {
    format!(
        "Start PostgreSQL (trust auth for the role) or set PEP_TEST_POSTGRES_URL \
         (default {DEFAULT_POSTGRES_URL})."
    )
}

/// Options the way the store connects: safe through PgBouncer.
fn options(url: &str) -> PgConnectOptions {
    PgConnectOptions::from_str(url)
        .unwrap_or_else(|e| panic!("bad PostgreSQL URL {url}: {e}"))
        .statement_cache_capacity(0)
        .extra_float_digits(None)
        .disable_statement_logging()
}

/// A connection to `url`, or a failed test that says what to start.
pub async fn connect(url: &str, what: &str, fix: &str) -> PgConnection {
    match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options(url))).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => panic!("{what} is not reachable at {url}: {e}. {fix}"),
        Err(_) => panic!(
            "{what} did not answer at {url} within {}s. {fix}",
            CONNECT_TIMEOUT.as_secs()
        ),
    }
}

/// A connection to the maintenance database of `PEP_TEST_POSTGRES_URL`.
pub async fn admin() -> PgConnection {
    connect(&postgres_url(), "PostgreSQL", &postgres_fix()).await
}

async fn probe(url: &str, what: &str, fix: &str) {
    let mut conn = connect(url, what, fix).await;
    conn.execute("SELECT 1")
        .await
        .unwrap_or_else(|e| panic!("{what} at {url} does not answer queries: {e}. {fix}"));
    let _ = conn.close().await;
}

async fn create_database(admin_url: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "pep_store_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut conn = connect(admin_url, "PostgreSQL", &postgres_fix()).await;
    conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
        .await
        .unwrap();
    conn.execute(format!("CREATE DATABASE \"{name}\"").as_str())
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name} over {admin_url} failed: {e}"));
    let _ = conn.close().await;
    name
}

/// `url` naming database `name` instead of its own.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

enum Cleanup {
    Folder(tempfile::TempDir),
    Database { admin: String, name: String },
}

impl Drop for Cleanup {
    /// Drops the test's database, also after a failed assertion. Drop cannot
    /// await, and the test's runtime may be unwinding, so a thread of its
    /// own runs the statement.
    fn drop(&mut self) {
        let Cleanup::Database { admin, name } = self else {
            return;
        };
        let (admin, name) = (admin.clone(), name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect_with(&options(&admin)).await?;
                conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
                    .await?;
                conn.close().await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop a test database: {e}"),
            Err(_) => eprintln!("could not drop a test database: the cleanup thread panicked"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_is_replaced() {
        assert_eq!(
            with_database("postgres://u@h:1/test?sslmode=disable", "x"),
            "postgres://u@h:1/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h:1", "x"), "postgres://u@h:1/x");
        assert_eq!(with_database("postgresql://h/a/b", "x"), "postgresql://h/x");
    }
}
