//! werk's store: the schema, its migrations, every SQL query, and the run queue.
//!
//! This is the only crate that speaks SQL. It offers a [`Store`] with one method per domain
//! operation (create an application, insert a triggered run, claim the next queued run, ...)
//! and plain row types (`…Row`) that callers map into their own shapes; rows are never sent
//! over the wire as they are.
//!
//! Queries are plain strings checked at run time (not compile-time macros), written in the
//! SQL that SQLite and PostgreSQL share, with `$1`-style parameters, and run through sqlx's
//! `Any` driver. The backend is chosen by the URL scheme ([`Backend`]): an SQLite file by
//! default, or a PostgreSQL database. Each backend has its own migrations
//! (`migrations/sqlite`, `migrations/postgres`) creating the same tables, columns, indexes
//! and constraints. A clean clone therefore builds without a database, and the store's
//! tests exercise every method on both backends.
//!
//! The run queue is the `runs` table itself: a triggered run is inserted as `notstarted`,
//! and a dispatcher claims it with a compare-and-set on its status ([`Store::set_run_state`]),
//! so a run is never lost across restarts and never taken twice.
#![deny(missing_docs)]

mod apps;
mod envvars;
mod error;
mod ids;
mod orgs;
mod rows;
mod runs;
mod schedules;
mod steps;
mod users;
mod workflows;

pub use workflows::NewWorkflow;

pub use apps::AppOrder;
pub use error::{StoreError, StoreResult};
pub use ids::{hash_token, new_id, new_token, now, valid_id};
pub use rows::{
    ApplicationRow, CollaboratorRow, EnvVarRow, MemberRow, NewApplication, NewItem, NewRun,
    PipelineRow, PipelineSpec, RunFilter, RunRow, RunState, RunStepRow, ScheduleRow, TokenRow,
    UserRow, WorkflowItemRow, WorkflowRow,
};
pub use runs::{RunPlacement, RunSort};

use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection};

pub mod testing;

/// Every accepted URL scheme, for error messages.
pub const ACCEPTED_SCHEMES: &str = "sqlite:, postgres:, postgresql:";

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections a store keeps open at most.
const MAX_CONNECTIONS: u32 = 8;

/// The database a store runs on, chosen by the URL's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file (`sqlite:`), the default: `werk.db` in the data dir.
    Sqlite,
    /// A PostgreSQL database (`postgres:` or `postgresql:`); its run queue stays correct
    /// when several stores claim from it at once.
    Postgres,
}

impl Backend {
    /// The backend of a database URL.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for any other scheme.
    pub fn of_url(url: &str) -> StoreResult<Backend> {
        let scheme = url.split(':').next().unwrap_or("").to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            // Only the scheme is shown: the rest of the URL may hold a password.
            _ => Err(StoreError::Invalid(format!(
                "unsupported database url scheme {scheme:?} (accepted: {ACCEPTED_SCHEMES})"
            ))),
        }
    }
}

/// The version of werk's first migration, in both backends' sets.
const FIRST_MIGRATION: i64 = 20261204000001;

/// The advisory lock key of a server's claim on a PostgreSQL database ("werk" in ASCII).
const SERVER_LOCK_KEY: i64 = 0x7765_726b;

/// A server's claim on its database, released when dropped (its connection closes).
pub struct ServerLock {
    connection: Option<sqlx::AnyConnection>,
}

impl ServerLock {
    /// Whether the claim still holds: the lock lives as long as its connection, which a
    /// database restart or a network cut ends without telling anyone.
    pub async fn holds(&mut self) -> bool {
        match &mut self.connection {
            None => true,
            Some(connection) => sqlx::query("SELECT 1").execute(connection).await.is_ok(),
        }
    }
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password, so it is never printed.
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the database at `url` (`sqlite://path?mode=rwc`, `postgres://…` or
    /// `postgresql://…`) and applies the migrations of its backend that are missing.
    ///
    /// # Errors
    /// When the scheme is unknown, the database cannot be reached, or a migration fails.
    pub async fn open(url: &str) -> StoreResult<Store> {
        let store = Store::open_unmigrated(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the migrations of the backend that are missing.
    ///
    /// # Errors
    /// When a migration fails.
    pub async fn migrate(&self) -> StoreResult<()> {
        // Several stores migrating at once on one PostgreSQL database are fine: sqlx takes
        // an advisory lock around the migrations.
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATOR.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATOR.run(&self.pool).await?,
        }
        Ok(())
    }

    /// Opens a database werk has already set up, changing nothing in it (for `werk admin`,
    /// which must not turn any database it is pointed at into werk's).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when the database holds no werk tables; as [`Store::open`]
    /// otherwise.
    pub async fn open_existing(url: &str) -> StoreResult<Store> {
        let store = Store::open_unmigrated(url).await?;
        // werk's first migration, not just any sqlx application's.
        let set_up: Result<(i64,), _> =
            sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations WHERE version = $1")
                .bind(FIRST_MIGRATION)
                .fetch_one(&store.pool)
                .await;
        match set_up {
            Ok((n,)) if n > 0 => Ok(store),
            _ => Err(StoreError::Invalid(
                "that database holds no werk data: start `werk serve` on it first".into(),
            )),
        }
    }

    /// Opens the database at `url` without touching its tables, for a server that claims
    /// it ([`Store::hold_server_lock`]) before it [`Store::migrate`]s it. The database is
    /// asked first whether it answers: a server that is down is named at once rather than
    /// after a pool's timeout.
    ///
    /// # Errors
    /// As [`Store::open`].
    pub async fn open_unmigrated(url: &str) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let options = AnyConnectOptions::from_str(url)?.disable_statement_logging();
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(MAX_CONNECTIONS)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // WAL lets `werk admin` write while the server reads; the busy
                            // timeout makes writers wait for each other instead of failing.
                            for pragma in [
                                "PRAGMA journal_mode = WAL",
                                "PRAGMA busy_timeout = 10000",
                                "PRAGMA foreign_keys = ON",
                                "PRAGMA synchronous = NORMAL",
                            ] {
                                sqlx::query(pragma).execute(&mut *conn).await?;
                            }
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            // PostgreSQL needs no session settings: the schema makes text compare as in
            // SQLite, and its default isolation (read committed) keeps the compare-and-set
            // writes correct across servers.
            Backend::Postgres => {
                sqlx::AnyConnection::connect_with(&options)
                    .await?
                    .close()
                    .await?;
                AnyPoolOptions::new()
                    .max_connections(MAX_CONNECTIONS)
                    .acquire_timeout(std::time::Duration::from_secs(10))
                    .connect_with(options)
                    .await?
            }
        };
        Ok(Store { pool, backend })
    }

    /// Claims the database for this server until the returned lock is dropped: werk's
    /// recovery and log files assume one server per database, so a second one (a rolling
    /// deploy, a copy started by mistake) must not start on it. SQLite needs no claim here:
    /// its file is in the server's data dir, which the server locks itself.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when another server holds the database.
    pub async fn hold_server_lock(&self) -> StoreResult<ServerLock> {
        if self.backend == Backend::Sqlite {
            return Ok(ServerLock { connection: None });
        }
        let mut connection = self.pool.acquire().await?.detach();
        let (held,): (bool,) = sqlx::query_as("SELECT pg_try_advisory_lock($1)")
            .bind(SERVER_LOCK_KEY)
            .fetch_one(&mut connection)
            .await?;
        if !held {
            return Err(StoreError::Locked(
                "another werk server is running on this database".into(),
            ));
        }
        Ok(ServerLock {
            connection: Some(connection),
        })
    }

    /// The backend this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL of an SQLite database file inside `dir`, created when missing.
    pub fn sqlite_url_in(dir: &std::path::Path) -> String {
        format!("sqlite://{}?mode=rwc", dir.join("werk.db").display())
    }
}

/// `LIMIT` and `OFFSET` values both backends read alike: no negative numbers (SQLite reads
/// a negative limit as "no limit" and PostgreSQL refuses it).
pub(crate) fn page(limit: i64, skip: i64) -> (i64, i64) {
    (if limit < 0 { i64::MAX } else { limit }, skip.max(0))
}
