//! Row types (`…Row`) as stored, and the inputs of the store's write operations.

/// A user account.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct UserRow {
    /// 24-hex id.
    pub id: String,
    /// Login name, unique regardless of case.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Creation time.
    pub created_at: String,
    /// Argon2 hash of the password, when the user has one.
    pub password_hash: Option<String>,
    /// `user`, or `organization` for an account that owns applications but does not log in.
    pub kind: String,
    /// Contact address; may be empty.
    pub email: String,
}

/// A member of an organization.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MemberRow {
    /// The member's user id.
    pub user_id: String,
    /// The member's login name.
    pub username: String,
    /// `member` or `admin`.
    pub role: String,
}

/// A collaborator of an application.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CollaboratorRow {
    /// The collaborator's user id.
    pub user_id: String,
    /// The collaborator's login name.
    pub username: String,
    /// `read`, `execute` or `admin`.
    pub level: String,
}

/// A personal token; the plaintext is never stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TokenRow {
    /// 24-hex id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Label.
    pub name: String,
    /// SHA-256 of the token, hex.
    pub hash: String,
    /// The token's last 8 characters, to tell tokens apart.
    pub last_characters: String,
    /// Creation time.
    pub created_at: String,
    /// Last time it authenticated a request.
    pub last_used_at: Option<String>,
}

/// An application: a repository and the pipelines of its wercker.yml.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ApplicationRow {
    /// 24-hex id.
    pub id: String,
    /// Owning user.
    pub owner_id: String,
    /// Name, unique per owner regardless of case.
    pub name: String,
    /// Clone URL or local path of the repository.
    pub git_url: String,
    /// `git` or `directory`.
    pub source_kind: String,
    /// Branch whose wercker.yml defines the pipelines.
    pub default_branch: String,
    /// `public` or `private`.
    pub privacy: String,
    /// Key of the status badge.
    pub badge_key: String,
    /// The secret of the push hook URL (`POST /commits/<push key>`).
    pub push_key: String,
    /// UI theme name.
    pub theme: String,
    /// JSON array of branch names.
    pub ignored_branches: String,
    /// JSON of the workflows of the last wercker.yml read.
    pub workflows: String,
    /// SHA-256 of the last wercker.yml read.
    pub yml_hash: String,
    /// Creation time.
    pub created_at: String,
    /// Last update.
    pub updated_at: String,
}

/// A pipeline of an application.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PipelineRow {
    /// 24-hex id.
    pub id: String,
    /// Application.
    pub application_id: String,
    /// Display name.
    pub name: String,
    /// The wercker.yml key it runs.
    pub pipeline_name: String,
    /// `git` (started by triggers) or `pipeline` (started by chaining).
    pub r#type: String,
    /// `public`, `read`, ...
    pub permissions: String,
    /// 1 when results are reported to the SCM provider.
    pub set_scm_provider_status: i64,
    /// 1 while the current wercker.yml defines it (or, for API pipelines, until deleted).
    pub active: i64,
    /// Creation time.
    pub created_at: String,
    /// `yml` (derived from wercker.yml) or `api` (created with `POST /api/v3/pipelines`).
    pub origin: String,
    /// 1 when its runs wait for an approval before they start.
    pub manual_approval: i64,
}

/// One run of a workflow.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct WorkflowRow {
    /// 24-hex id.
    pub id: String,
    /// Application.
    pub application_id: String,
    /// Name of the wercker.yml workflow it runs.
    pub definition: String,
    /// `git` or `workflow`.
    pub trigger: String,
    /// Branch.
    pub branch: String,
    /// Commit, once known.
    pub commit_hash: String,
    /// Message.
    pub message: String,
    /// The run it was started from, for `workflow` triggers.
    pub source_run_id: Option<String>,
    /// Who started it.
    pub user_id: String,
    /// Creation time.
    pub created_at: String,
    /// When its first run started.
    pub started_at: Option<String>,
    /// Last change.
    pub updated_at: String,
}

/// One pipeline node of a workflow, with the state of its run.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct WorkflowItemRow {
    /// 24-hex id.
    pub id: String,
    /// Workflow.
    pub workflow_id: String,
    /// Position in the workflow, 0-based.
    pub position: i64,
    /// Parent item, for chained pipelines.
    pub parent_item_id: Option<String>,
    /// The node's name.
    pub target_name: String,
    /// Pipeline it runs.
    pub pipeline_id: String,
    /// Its run, once created.
    pub run_id: Option<String>,
    /// Run status.
    pub status: String,
    /// Run result.
    pub result: String,
    /// Progress percentage.
    pub progress: i64,
    /// Order of the step running or last run.
    pub current_step: Option<i64>,
    /// Number of steps.
    pub total_steps: Option<i64>,
    /// Name of the current step.
    pub step_name: Option<String>,
    /// Last change.
    pub updated_at: String,
}

/// A run of a pipeline.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RunRow {
    /// 24-hex id.
    pub id: String,
    /// Application.
    pub application_id: String,
    /// Pipeline.
    pub pipeline_id: String,
    /// Workflow it belongs to.
    pub workflow_id: String,
    /// Its item in the workflow.
    pub item_id: String,
    /// The run whose artifact is its source, for chained runs.
    pub source_run_id: Option<String>,
    /// Who started it.
    pub user_id: String,
    /// `build` or `deploy`.
    pub kind: String,
    /// Branch.
    pub branch: String,
    /// Commit; empty until the checkout resolves it.
    pub commit_hash: String,
    /// Message.
    pub message: String,
    /// JSON array of `{key, value}` from the trigger.
    pub env_vars: String,
    /// `notstarted`, `running` or `finished`.
    pub status: String,
    /// `unknown`, `passed`, `failed` or `aborted`.
    pub result: String,
    /// Progress percentage.
    pub progress: i64,
    /// Order of the step running or last run.
    pub current_step: Option<i64>,
    /// Number of steps, once wercker.yml is read.
    pub total_steps: Option<i64>,
    /// Name of the current step.
    pub step_name: Option<String>,
    /// Creation time.
    pub created_at: String,
    /// Start time.
    pub started_at: Option<String>,
    /// End time.
    pub finished_at: Option<String>,
    /// The wercker.yml the run used, once its checkout found it.
    pub wercker_yml: Option<String>,
    /// The git tag it was triggered for; empty when none.
    pub tag: String,
}

/// One step of a run.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RunStepRow {
    /// 24-hex id.
    pub id: String,
    /// Run.
    pub run_id: String,
    /// 1-based position.
    pub ord: i64,
    /// Display name.
    pub name: String,
    /// `builtin`, `main` or `final`.
    pub phase: String,
    /// Status.
    pub status: String,
    /// Result.
    pub result: String,
    /// Step message.
    pub message: Option<String>,
    /// Creation time.
    pub created_at: String,
    /// Start time.
    pub started_at: Option<String>,
    /// End time.
    pub finished_at: Option<String>,
}

/// A new application.
#[derive(Debug, Clone)]
pub struct NewApplication {
    /// Owning user.
    pub owner_id: String,
    /// Name.
    pub name: String,
    /// Clone URL or path.
    pub git_url: String,
    /// `git` or `directory`.
    pub source_kind: String,
    /// Default branch.
    pub default_branch: String,
    /// `public` or `private`.
    pub privacy: String,
}

/// A pipeline as the current wercker.yml defines it.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineSpec {
    /// Name.
    pub name: String,
    /// The yml key it runs.
    pub pipeline_name: String,
    /// `git` or `pipeline`.
    pub r#type: String,
}

/// A workflow item to create with a workflow.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// Node name.
    pub target_name: String,
    /// Pipeline.
    pub pipeline_id: String,
    /// Index of the parent in the same list.
    pub parent: Option<usize>,
}

/// A run to insert, with the workflow it belongs to.
#[derive(Debug, Clone)]
pub struct NewRun {
    /// Application.
    pub application_id: String,
    /// Pipeline.
    pub pipeline_id: String,
    /// Source run, for chained runs.
    pub source_run_id: Option<String>,
    /// Who started it.
    pub user_id: String,
    /// `build` or `deploy`.
    pub kind: String,
    /// Branch.
    pub branch: String,
    /// Commit, or empty to resolve at checkout.
    pub commit_hash: String,
    /// Message, or empty for the commit's.
    pub message: String,
    /// JSON array of `{key, value}`.
    pub env_vars: String,
    /// `notstarted` (queued), or `pendingapproval` when its pipeline waits for an approval.
    pub status: String,
    /// The git tag it is for; empty when none.
    pub tag: String,
}

/// Filters of a run listing; every set field must match.
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    /// Application id.
    pub application_id: Option<String>,
    /// Pipeline id.
    pub pipeline_id: Option<String>,
    /// Status.
    pub status: Option<String>,
    /// Result.
    pub result: Option<String>,
    /// Branch.
    pub branch: Option<String>,
    /// Commit hash.
    pub commit: Option<String>,
    /// Source run id.
    pub source_run: Option<String>,
    /// Run kind: `build` or `deploy`.
    pub kind: Option<String>,
    /// Username of who started it (any case).
    pub author: Option<String>,
    /// Git tag.
    pub tag: Option<String>,
    /// Visible only if the application is public or owned by this user (`None`: anonymous).
    pub viewer: Option<Option<String>>,
    /// In any of these pipelines; an empty list matches no run.
    pub pipeline_ids: Option<Vec<String>>,
    /// With something happening at or after this time, in milliseconds since 1970: created,
    /// started or finished then, or running now.
    pub active_since_ms: Option<i64>,
}

/// A run's state as the engine sets it; see [`crate::Store::set_run_state`].
#[derive(Debug, Clone, PartialEq)]
pub struct RunState {
    /// `notstarted`, `running` or `finished`.
    pub status: String,
    /// `unknown`, `passed`, `failed` or `aborted`.
    pub result: String,
    /// Progress percentage.
    pub progress: i64,
    /// Current step order.
    pub current_step: Option<i64>,
    /// Total steps.
    pub total_steps: Option<i64>,
    /// Current step name.
    pub step_name: Option<String>,
}

/// An environment variable of an application or a pipeline.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EnvVarRow {
    /// 24-hex id.
    pub id: String,
    /// `application` or `pipeline`.
    pub scope: String,
    /// Id of the application or pipeline.
    pub target: String,
    /// Name.
    pub key: String,
    /// Value; never shown again when protected.
    pub value: String,
    /// 1 when the value is write-only and masked in logs.
    pub protected: i64,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
}

/// A schedule: a pipeline run at the times of a cron pattern.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ScheduleRow {
    /// 24-hex id.
    pub id: String,
    /// The pipeline run.
    pub pipeline_id: String,
    /// The cron pattern (five fields, or six with seconds), in UTC.
    pub cron: String,
    /// The branch run.
    pub branch: String,
    /// Who made the schedule; the runs are theirs.
    pub user_id: String,
    /// When it is next due (ISO-8601 UTC).
    pub next_at: String,
    /// Creation time.
    pub created_at: String,
}
