//! The run engine: turns triggers into runs, runs them on an executor, and chains workflows.
//!
//! Brief overview:
//! - [`Engine::trigger`] validates a trigger, records the run as `notstarted` (with its
//!   workflow) and wakes the dispatcher. Nothing else happens on the request path.
//! - [`Engine::run`] is the dispatcher loop: it claims queued runs up to the number of
//!   executor slots and gives each to a run task ([`runner`]), which hands a
//!   [`werk_executor::Job`] to the executor and turns the executor's events into step rows,
//!   log files and run state.
//! - Every change of a run's status goes through [`state::transition`], which checks the
//!   transition is allowed and writes it with a compare-and-set in the store.
//! - When a run passes, its children in the workflow are queued with the run's artifact as
//!   their source ([`chain`]).
//!
//! The engine knows nothing of HTTP; the server calls it. It reaches executors only through
//! the [`werk_executor::Executor`] trait.
#![deny(missing_docs)]

pub mod access;
mod apps;
mod catalog;
mod chain;
mod containers;
pub mod definitions;
mod error;
mod hooks;
mod logs;
mod mask;
mod recovery;
pub mod repo;
mod runner;
mod schedules;
pub mod state;
mod trigger;

pub use apps::{AppSource, NewApplicationRequest};
pub use containers::{SAVED_BOXES_PER_PIPELINE, TarStream};
pub use error::{EngineError, EngineResult};
pub use hooks::{Push, PushOutcome};
pub use trigger::{EnvVar, TriggerRequest};
pub use werk_executor::DockerEngine;
pub use werk_executor::{StepInfo, StepOrigin, StepProperty};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, Semaphore, watch};
use tokio_util::sync::CancellationToken;
use werk_executor::LocalExecutor;
use werk_store::Store;

/// How many runs execute at once on this server unless configured otherwise.
pub const DEFAULT_PARALLEL_RUNS: usize = 4;

/// How long an abort waits for the executor to confirm that the run stopped.
const ABORT_CONFIRM_TIMEOUT: Duration = Duration::from_secs(5);

/// Period of the dispatcher's safety look at the queue; dispatch itself never waits for it.
const DISPATCH_SAFETY_TICK: Duration = Duration::from_secs(5);

/// How long shutdown waits for killed runs to be recorded.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Settings of an engine.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// The data dir: git mirrors, build dirs, logs, artifacts and caches live under it.
    pub data_dir: PathBuf,
    /// The URL users reach the server at, for `WERCKER_*_URL` variables.
    pub public_url: String,
    /// Runs executing at once.
    pub parallel_runs: usize,
    /// Git URL template registry steps are fetched from when the data dir's `steps/` has
    /// none (`{owner}`, `{name}`, `{version}`); `None` to use local steps only.
    pub step_git_template: Option<String>,
    /// The Docker engine that runs boxes and services; `None` runs every shell on this
    /// machine, ignoring boxes.
    pub docker: Option<DockerEngine>,
    /// Whether a passed run's box is saved for `GET /api/v2/builds/:id/docker`.
    pub save_boxes: bool,
}

/// The run engine; share it behind an `Arc`.
pub struct Engine {
    store: Store,
    config: EngineConfig,
    executor: Arc<LocalExecutor>,
    /// Wakes the dispatcher when a run is queued or a slot frees up.
    wake: Notify,
    /// Wakes the schedule loop when a schedule is added.
    schedules_changed: Notify,
    /// Bumped on every change of a run, step or log, so followers wake without polling.
    changes: watch::Sender<u64>,
    /// Cancel tokens of the runs executing now, by run id.
    active: Mutex<HashMap<String, CancellationToken>>,
    slots: Arc<Semaphore>,
    /// Set once shutdown begins: runs killed from then on fail instead of being aborted.
    stopping: std::sync::atomic::AtomicBool,
}

impl Engine {
    /// An engine over `store`, running jobs on the local executor.
    pub fn new(store: Store, config: EngineConfig) -> Arc<Engine> {
        let slots = Arc::new(Semaphore::new(config.parallel_runs.max(1)));
        let executor = match &config.docker {
            Some(docker) => {
                LocalExecutor::with_docker(docker.clone()).saving_boxes(config.save_boxes)
            }
            None => LocalExecutor::new(),
        };
        Arc::new(Engine {
            store,
            config,
            executor: Arc::new(executor),
            wake: Notify::new(),
            schedules_changed: Notify::new(),
            changes: watch::channel(0).0,
            active: Mutex::new(HashMap::new()),
            slots,
            stopping: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The store the engine writes to.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The data dir.
    pub fn data_dir(&self) -> &Path {
        &self.config.data_dir
    }

    /// The public URL, without a trailing slash.
    pub fn public_url(&self) -> &str {
        self.config.public_url.trim_end_matches('/')
    }

    /// A receiver that changes whenever any run, step or log changes.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// The file holding the log of a step.
    pub fn log_path(&self, run_id: &str, step_id: &str) -> PathBuf {
        logs::log_path(&self.config.data_dir, run_id, step_id)
    }

    /// Runs the dispatcher until `shutdown` fires, after marking runs that a previous
    /// process left `running` as failed. Queued runs start as soon as a slot is free.
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        if let Err(err) = self.recover().await {
            tracing::error!(error = %err, "cannot recover runs left by a previous process");
        }
        let schedules = tokio::spawn(Arc::clone(&self).run_schedules(shutdown.clone()));
        loop {
            if let Err(err) = self.dispatch_queued().await {
                tracing::error!(error = %err, "dispatching queued runs failed");
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                // Triggers wake the dispatcher at once; the tick only catches a wake-up that
                // was lost (a request cancelled between recording a run and waking us).
                _ = tokio::time::sleep(DISPATCH_SAFETY_TICK) => {}
                _ = shutdown.cancelled() => break,
            }
        }
        // Steps run in process groups of their own, so they would outlive the server: kill
        // them, let each run task record the failure, and wait for the tasks to end.
        self.stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
        for token in self.active.lock().expect("active runs lock").values() {
            token.cancel();
        }
        let all = self.config.parallel_runs.max(1) as u32;
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, self.slots.acquire_many(all)).await;
        let _ = schedules.await;
    }

    fn notify_change(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }
}
