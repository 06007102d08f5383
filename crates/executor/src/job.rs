//! The job an engine hands to an executor, and the events the executor sends back.
//!
//! Both are plain serializable data so that the same job can later travel to a remote agent.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Everything an executor needs to run one pipeline run, and nothing of the store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    /// The run's id (24 hex).
    pub run_id: String,
    /// The yml pipeline to run (a top-level key of wercker.yml).
    pub pipeline: String,
    /// Where the code comes from.
    pub source: Source,
    /// Build-type (`BUILD=true`, `CI=true`) or deploy-type (`DEPLOY=true`) run.
    pub kind: RunKind,
    /// Variables known before the checkout (`WERCKER_APPLICATION_*`, `WERCKER_RUN_*`,
    /// `WERCKER_GIT_DOMAIN|OWNER|REPOSITORY`, ...) followed by the trigger's `envVars`, in order.
    /// The executor adds the path and git variables itself.
    pub env: Vec<(String, String)>,
    /// A fresh directory owned by this run: the executor lays out `source/`, `output/`, steps
    /// and reports under it.
    pub work_dir: PathBuf,
    /// The application's cache directory, kept across runs.
    pub cache_dir: PathBuf,
    /// Where to write the run's artifact (a tar of the output, or of the source dir when the
    /// output is empty).
    pub artifact_path: PathBuf,
    /// Limits that apply when the wercker.yml sets none.
    pub limits: Limits,
    /// Where registry steps are looked up and kept.
    pub steps: StepSources,
    /// Largest size of the cache dir kept after a run, in bytes; a larger cache is emptied.
    pub cache_limit_bytes: u64,
    /// Names in `env` whose values are protected: exported without showing them in the log.
    pub protected_keys: Vec<String>,
    /// The wercker.yml to use when the source has none (a chained run's source is its parent's
    /// output, which seldom holds one): the text the parent run used.
    pub yml_fallback: Option<String>,
}

/// Where registry steps (`owner/name@version`) come from, in the order they are tried.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StepSources {
    /// A directory holding `OWNER/NAME/VERSION/` step directories (each with `run.sh` and
    /// `step.yml` or `wercker-step.yml`); `VERSION` may be `latest` for unversioned ids.
    pub dir: Option<PathBuf>,
    /// A git URL template with `{owner}`, `{name}` and `{version}`, e.g.
    /// `https://git.example.org/{owner}/step-{name}.git`; the step is the tag `{version}`
    /// (or `v{version}`) of that repository, or its default branch for unversioned ids.
    pub git_template: Option<String>,
    /// Where steps fetched from git are kept between runs.
    pub cache: Option<PathBuf>,
}

/// Where a run's code comes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Source {
    /// A git repository: cloned or fetched into `mirror` (a bare mirror kept across runs),
    /// then `commit` (or the head of `branch`) checked out.
    Git {
        /// Clone URL or local path of the repository.
        url: String,
        /// Branch to build.
        branch: String,
        /// Commit to check out; the head of `branch` when `None`.
        commit: Option<String>,
        /// The bare mirror directory for this repository.
        mirror: PathBuf,
    },
    /// A directory on this machine, copied as it is (a working tree with uncommitted
    /// changes, for `werk build`); `.git` is not copied.
    Directory {
        /// The directory.
        path: PathBuf,
        /// Branch to report in `WERCKER_GIT_BRANCH`.
        branch: String,
        /// Commit to report in `WERCKER_GIT_COMMIT`, if known.
        commit: String,
    },
    /// The artifact (tar) of a parent run, unpacked as the source.
    Artifact {
        /// Path of the parent's artifact tar.
        path: PathBuf,
        /// Branch of the parent run, for `WERCKER_GIT_BRANCH`.
        branch: String,
        /// Commit of the parent run, for `WERCKER_GIT_COMMIT`.
        commit: String,
    },
}

/// Whether a run is build-type or deploy-type (decides `BUILD`/`CI` versus `DEPLOY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunKind {
    /// A run started by a trigger on a git-type pipeline.
    Build,
    /// A run chained from another run.
    Deploy,
}

/// Default time limits for commands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Limits {
    /// Upper bound for one step, unless wercker.yml's `command-timeout` says otherwise.
    pub command_timeout: Duration,
    /// Upper bound on silence within a step, unless `no-response-timeout` says otherwise.
    pub no_response_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            command_timeout: Duration::from_secs(25 * 60),
            no_response_timeout: Duration::from_secs(5 * 60),
        }
    }
}

/// The phase a step belongs to, as the API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// `get code` and `setup environment`: no phase in the API.
    Builtin,
    /// `wercker-init`, the yml steps and `store`.
    Main,
    /// The after-steps.
    Final,
}

/// A step as planned once wercker.yml is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedStep {
    /// 1-based position in the run: 1 get code, 2 setup environment, 3 wercker-init, ...
    pub order: u32,
    /// Display name.
    pub name: String,
    /// Phase.
    pub phase: Phase,
}

/// Result of a step or a run, as the executor sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// Exit code 0.
    Passed,
    /// Anything else.
    Failed,
    /// Stopped by a cancel.
    Aborted,
}

/// What an executor reports while it runs a job, in order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Event {
    /// The source is in place. `yml` is the text of the wercker.yml found, if any.
    CheckedOut {
        /// The commit checked out (40 hex), or the parent's commit for an artifact source.
        commit: String,
        /// The commit's message (subject and body), empty for an artifact source.
        message: String,
        /// The text of `wercker.yml` in the source, if there is one.
        yml: Option<String>,
    },
    /// The full step list, sent once wercker.yml is parsed (it includes steps 1 and 2).
    StepsPlanned(Vec<PlannedStep>),
    /// A step begins.
    StepStarted {
        /// The step's order.
        order: u32,
    },
    /// Output of a step, in arrival order. Chunks are bounded in size.
    Log {
        /// The step's order.
        order: u32,
        /// The bytes written.
        #[serde(with = "serde_bytes_as_vec")]
        data: bytes::Bytes,
    },
    /// A step ended.
    StepFinished {
        /// The step's order.
        order: u32,
        /// How it ended.
        outcome: Outcome,
        /// The step's message (`$WERCKER_REPORT_MESSAGE_FILE`, or why it failed).
        message: Option<String>,
    },
    /// The job ended; no event follows.
    Finished {
        /// The run's result: `Passed` only when every main step passed.
        outcome: Outcome,
    },
}

mod serde_bytes_as_vec {
    //! `Bytes` as a plain byte array on the wire.
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &bytes::Bytes, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(b)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bytes::Bytes, D::Error> {
        Vec::<u8>::deserialize(d).map(bytes::Bytes::from)
    }
}
