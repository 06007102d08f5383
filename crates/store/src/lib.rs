//! werk's store: the schema, its migrations, every SQL query, and the run queue.
//!
//! This is the only crate that speaks SQL. It offers a [`Store`] with one method per domain
//! operation (create an application, insert a triggered run, claim the next queued run, ...)
//! and plain row types (`…Row`) that callers map into their own shapes; rows are never sent
//! over the wire as they are.
//!
//! Queries are plain strings checked at run time (not compile-time macros), written in the
//! SQL that SQLite and PostgreSQL share, with `$1`-style parameters, and run through sqlx's
//! `Any` driver. The backend is chosen by the URL scheme. A clean clone therefore builds
//! without a database, and the store's tests exercise every method.
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
mod steps;
mod users;
mod workflows;

pub use workflows::NewWorkflow;

pub use apps::AppOrder;
pub use error::{StoreError, StoreResult};
pub use ids::{hash_token, new_id, new_token, now, valid_id};
pub use rows::{
    ApplicationRow, CollaboratorRow, EnvVarRow, MemberRow, NewApplication, NewItem, NewRun,
    PipelineRow, PipelineSpec, RunFilter, RunRow, RunState, RunStepRow, TokenRow, UserRow,
    WorkflowItemRow, WorkflowRow,
};
pub use runs::{RunPlacement, RunSort};

use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions};

/// Every accepted URL scheme, for error messages.
pub const ACCEPTED_SCHEMES: &str = "sqlite:, postgres:";

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password, so it is never printed.
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the database at `url` (`sqlite://path?mode=rwc`, `postgres://…`) and applies
    /// the migrations that are missing.
    ///
    /// # Errors
    /// When the scheme is unknown, the database cannot be reached, or a migration fails.
    pub async fn open(url: &str) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let is_sqlite = url.starts_with("sqlite:");
        if !is_sqlite {
            return Err(StoreError::Invalid(format!(
                "unsupported database url scheme in {:?} (accepted: {ACCEPTED_SCHEMES}; postgres support comes with its migrations)",
                url.split(':').next().unwrap_or("")
            )));
        }
        let options = AnyConnectOptions::from_str(url)?.disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets `werk admin` write while the server reads; the busy timeout
                    // makes writers wait for each other instead of failing at once.
                    sqlx::query("PRAGMA journal_mode = WAL")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA busy_timeout = 10000")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA foreign_keys = ON")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("PRAGMA synchronous = NORMAL")
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        SQLITE_MIGRATOR.run(&pool).await?;
        Ok(Store { pool })
    }

    /// The URL of an SQLite database file inside `dir`, created when missing.
    pub fn sqlite_url_in(dir: &std::path::Path) -> String {
        format!("sqlite://{}?mode=rwc", dir.join("werk.db").display())
    }
}
