//! Executors: run one pipeline job and report its steps, logs and result as events.
//!
//! An engine hands a [`Job`] to an [`Executor`] together with a channel for [`Event`]s and a
//! cancellation token. The executor checks out the code, reads wercker.yml, runs the steps
//! and sends back what happens, in order, ending with [`Event::Finished`].
//!
//! This crate knows nothing of the store or the HTTP server: the same code runs inside the
//! server and, later, inside remote agents. [`LocalExecutor`] runs steps as child processes
//! of this machine, or, given a [`DockerEngine`], in the pipeline's box with its services
//! beside it.
#![deny(missing_docs)]

mod catalog;
mod docker;
mod job;
mod local;

pub use catalog::{LookupError, StepInfo, StepOrigin, StepProperty, describe_step};
pub use docker::DockerEngine;
pub use job::{Event, Job, Limits, Outcome, Phase, PlannedStep, RunKind, Source, StepSources};
pub use local::LocalExecutor;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Something that runs jobs.
pub trait Executor: Send + Sync + 'static {
    /// Runs `job` to its end, sending events to `events`. When `cancel` fires, the running
    /// step's whole process group is killed within a second and the job finishes with
    /// [`Outcome::Aborted`]. Always ends by sending [`Event::Finished`], unless the receiver
    /// is gone.
    fn run(
        &self,
        job: Job,
        events: mpsc::Sender<Event>,
        cancel: CancellationToken,
    ) -> impl std::future::Future<Output = ()> + Send;
}
