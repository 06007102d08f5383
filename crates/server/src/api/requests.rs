//! What the handlers read from request bodies and query strings, as OpenAPI schemas.
//!
//! Handlers read bodies field by field through `JsonObject` and queries through `Params`,
//! so that errors name the field at fault in Wercker's words; these types only describe
//! those fields to clients and are never deserialized. A field that a handler treats as
//! absent when it is `null` is an `Option` here (optional and nullable).

use utoipa::{IntoParams, ToSchema};

use super::shapes::EnvVar;

/// `POST /api/v3/applications`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct NewApplication {
    /// 1 to 100 letters, digits, `.`, `_` or `-`, not starting with `.`.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// A clone URL or a path on the server, of a repository holding a wercker.yml.
    #[schema(min_length = 1)]
    pub git_url: String,
    /// The branch to read wercker.yml from; `master` when absent or empty.
    pub branch: Option<String>,
    /// `public` (the default) or `private`.
    #[schema(inline)]
    pub privacy: Option<Privacy>,
    /// An organization the caller administers; the caller when absent.
    pub owner: Option<String>,
}

/// Who may read an application.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Privacy {
    Public,
    Private,
}

/// `PATCH /api/v3/applications/{owner}/{name}`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct ApplicationUpdate {
    /// Branches whose pushes start no run: the only field that can be changed.
    #[schema(max_items = 10, inline, value_type = Vec<BranchName>)]
    pub ignored_branches: Vec<String>,
}

/// A branch name.
#[derive(ToSchema)]
#[schema(value_type = String, min_length = 1)]
pub struct BranchName(pub String);

/// `POST /api/v3/builds`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct NewBuild {
    /// The application whose `build` pipeline (or first git-type pipeline) runs.
    #[schema(min_length = 1)]
    pub application_id: String,
    pub branch: Option<String>,
    pub commit_hash: Option<String>,
    pub message: Option<String>,
    /// Variables of this run only, overriding every other.
    pub env_vars: Option<Vec<EnvVar>>,
}

/// `POST /api/v3/runs`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct NewRun {
    /// The pipeline to run.
    #[schema(min_length = 1)]
    pub pipeline_id: String,
    /// A finished run whose artifact this run starts from.
    pub source_run_id: Option<String>,
    /// The application's default branch when absent.
    pub branch: Option<String>,
    /// The head of the branch when absent; needs `branch`.
    pub commit_hash: Option<String>,
    pub message: Option<String>,
    /// Variables of this run only, overriding every other.
    pub env_vars: Option<Vec<EnvVar>>,
    /// werk extension: the wercker.yml workflow to run the pipeline in (the first one
    /// holding it otherwise).
    pub workflow: Option<String>,
    /// The git tag the run is for.
    pub tag: Option<String>,
}

/// `POST /api/v3/trigger/runs/approve`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct RunApproval {
    /// A run in status `pendingapproval`.
    #[schema(min_length = 1)]
    pub run_id: String,
}

/// `POST /api/v3/pipelines`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct NewPipeline {
    /// The application's id.
    #[schema(min_length = 1)]
    pub application: String,
    /// The pipeline's key in wercker.yml, and its name when `name` is absent.
    #[schema(min_length = 1)]
    pub pipeline_name: String,
    /// The yml pipeline to run when it differs from `pipelineName`.
    pub yml_pipeline: Option<String>,
    /// Display name; `pipelineName` when absent.
    pub name: Option<String>,
    /// `git` (the default) or `pipeline`.
    #[schema(inline)]
    pub r#type: Option<PipelineType>,
    /// `read` when absent.
    #[schema(inline)]
    pub permissions: Option<PipelinePermissions>,
    /// Defaults to true for `git` pipelines.
    pub set_scm_provider_status: Option<bool>,
    /// Runs wait in `pendingapproval` until approved; false when absent.
    pub manual_approval: Option<bool>,
}

/// What starts a pipeline: a git push (`git`) or another pipeline (`pipeline`).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum PipelineType {
    Git,
    Pipeline,
}

/// Who may run a pipeline.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum PipelinePermissions {
    Public,
    Read,
    Write,
    Admin,
}

/// `PATCH /api/v3/pipelines/{id}` (werk extension).
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct PipelineUpdate {
    /// The only field that can be changed.
    pub manual_approval: bool,
}

/// `POST /api/v3/pipelines/{id}/schedules` (werk extension).
#[derive(ToSchema)]
pub struct NewSchedule {
    /// A cron pattern in UTC: five fields (minute hour day-of-month month day-of-week), or
    /// six with seconds first; names like `MON` and `JAN` work.
    #[schema(example = "0 3 * * *")]
    pub cron: String,
    /// The branch to run; the application's default branch when absent.
    pub branch: Option<String>,
}

/// `POST /api/v3/tokens`.
#[derive(ToSchema)]
pub struct NewToken {
    /// 1 to 30 characters, not only blanks; `werk token` when absent.
    #[schema(min_length = 1, max_length = 30)]
    pub name: Option<String>,
}

/// `PATCH /api/v3/tokens/{id}`.
#[derive(ToSchema)]
pub struct TokenRename {
    /// 1 to 30 characters, not only blanks.
    #[schema(min_length = 1, max_length = 30)]
    pub name: String,
}

/// `POST /api/v3/envvars`.
#[derive(ToSchema)]
pub struct NewEnvVar {
    #[schema(inline)]
    pub scope: EnvVarScope,
    /// The id of the owner account, application or pipeline.
    #[schema(min_length = 1)]
    pub target: String,
    #[schema(pattern = "^[A-Za-z_][A-Za-z0-9_]*$")]
    pub key: String,
    /// Empty when absent.
    pub value: Option<String>,
    /// A protected value is never shown again and is masked in logs; false when absent.
    pub protected: Option<bool>,
}

/// What a variable belongs to.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum EnvVarScope {
    Organization,
    Application,
    Pipeline,
}

/// `PATCH /api/v3/envvars/{id}`: any of the fields.
#[derive(ToSchema)]
pub struct EnvVarUpdate {
    #[schema(pattern = "^[A-Za-z_][A-Za-z0-9_]*$")]
    pub key: Option<String>,
    pub value: Option<String>,
    /// A protected variable stays protected: `false` is refused for it.
    pub protected: Option<bool>,
}

/// `PUT /api/v2/organizations`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub struct NewOrganization {
    /// Letters, digits, `-`, `_` or `.`, not starting with `.`.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[A-Za-z0-9_-][A-Za-z0-9._-]*$"
    )]
    pub username: String,
    pub contact_email: Option<String>,
}

/// `PUT /api/v2/organizations/{name}/members/{user}`.
#[derive(ToSchema)]
pub struct MemberRole {
    /// `member` when absent.
    #[schema(inline)]
    pub role: Option<Role>,
}

/// A member's role in an organization.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Role {
    Member,
    Admin,
}

/// `PUT /api/v3/applications/{owner}/{name}/collaborators/{user}`.
#[derive(ToSchema)]
pub struct CollaboratorLevel {
    #[schema(inline)]
    pub level: AccessLevel,
}

/// What a collaborator may do: read; also run pipelines and abort runs; also change the
/// application.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum AccessLevel {
    Read,
    Execute,
    Admin,
}

/// The answer `{}` of deletions.
#[derive(ToSchema)]
pub struct Empty {}

/// Sorting of `GET /api/v3/applications/{owner}`.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub enum ApplicationSort {
    NameAsc,
    NameDesc,
    CreatedAtAsc,
    CreatedAtDesc,
    UpdatedAtAsc,
    UpdatedAtDesc,
}

/// Sorting by creation time; newest first by default.
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
pub enum TimeSort {
    CreationDateAsc,
    CreationDateDesc,
}

/// A run's status as a filter; `started` matches running runs.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum StatusFilter {
    Notstarted,
    Started,
    Running,
    Finished,
    Pendingapproval,
}

/// A run's result as a filter.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum ResultFilter {
    Aborted,
    Unknown,
    Passed,
    Failed,
}

/// Order and stack of the application lists, beside a [`PageQuery`] or [`WidePageQuery`].
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationListQuery {
    /// `nameAsc` by default.
    #[param(inline)]
    pub sort: Option<ApplicationSort>,
    /// Wercker's stack: every werk application is of stack 6, so 1 and 5 list none.
    #[param(pattern = "^[156]$")]
    pub stack: Option<String>,
}

/// Paging of the lists integrations poll whole (`GET /api/v3/applications`).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WidePageQuery {
    /// Page size, 20 by default.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// How many to skip.
    #[param(minimum = 0)]
    pub skip: Option<i64>,
}

/// Paging of a listing (`GET /api/v3/applications/{owner}/{name}/pipelines`, ...).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 20 by default.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// How many to skip.
    #[param(minimum = 0)]
    pub skip: Option<i64>,
}

/// Query of the `…/builds` and `…/deploys` lists.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct LegacyListQuery {
    /// Page size, 10 by default.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// How many to skip.
    #[param(minimum = 0)]
    pub skip: Option<i64>,
    #[param(inline)]
    pub sort: Option<TimeSort>,
    #[param(inline)]
    pub status: Option<StatusFilter>,
    #[param(inline)]
    pub result: Option<ResultFilter>,
    pub branch: Option<String>,
    /// A commit hash.
    pub commit: Option<String>,
    /// Deploys of this build (run id).
    pub build_id: Option<String>,
}

/// Query of `GET /api/v3/runs`: one of `applicationId`, `pipelineId` or `sourceRun` is
/// required.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct RunListQuery {
    pub application_id: Option<String>,
    pub pipeline_id: Option<String>,
    /// werk extension: runs started from this run; enough without `applicationId` or
    /// `pipelineId`.
    pub source_run: Option<String>,
    #[param(inline)]
    pub status: Option<StatusFilter>,
    #[param(inline)]
    pub result: Option<ResultFilter>,
    pub branch: Option<String>,
    /// A commit hash.
    pub commit: Option<String>,
    /// werk extension: read like `commit`.
    pub commit_hash: Option<String>,
    /// Username of who started the runs.
    pub author: Option<String>,
    /// Git tag of the runs.
    pub tag: Option<String>,
    /// Page size, 20 by default.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// How many to skip.
    #[param(minimum = 0)]
    pub skip: Option<i64>,
    #[param(inline)]
    pub sort: Option<TimeSort>,
}

/// Query of `GET /api/v3/workflows`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct WorkflowListQuery {
    pub application_id: String,
    /// Page size, 10 by default.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// How many to skip.
    #[param(minimum = 0)]
    pub skip: Option<i64>,
    #[param(inline)]
    pub sort: Option<TimeSort>,
}

/// Query of `GET /api/v3/envvars`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnvVarListQuery {
    #[param(inline)]
    pub scope: EnvVarScope,
    /// The id of the owner account, application or pipeline.
    #[param(min_length = 1)]
    pub target: String,
}

/// Query of `GET /api/v3/runsteps/{id}/log`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// werk extension: start at this byte of the log.
    #[param(minimum = 0)]
    pub offset: Option<u64>,
    /// werk extension: keep the response open and send the log as it is written, until
    /// the step ends.
    pub follow: Option<bool>,
}

/// The path of an application.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AppPath {
    /// The owner's name: a user or an organization.
    pub owner: String,
    /// The application's name.
    pub name: String,
}

/// The path of a registry step.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct StepPath {
    /// The step's owner, e.g. `wercker`.
    #[param(pattern = "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")]
    pub owner: String,
    /// The step's name, e.g. `add-ssh-key`.
    #[param(pattern = "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")]
    pub name: String,
    /// `latest` (or `*`) for the newest version, or an exact version such as `1.2.3`;
    /// version ranges are refused.
    #[param(
        max_length = 64,
        pattern = "^(latest|\\*|v?[0-9]{1,10}(\\.[0-9]{1,10}){0,2}(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?)$"
    )]
    pub version: String,
}

/// Query of `GET /api/spinnaker/v1/applications`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SpinnakerApplicationsQuery {
    /// How many applications, 20 by default.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// Query of `GET /api/spinnaker/v1/runs`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct SpinnakerRunsQuery {
    /// Only runs of this branch.
    pub branch: Option<String>,
    /// Only runs of these pipelines (repeated, or comma-separated); all pipelines the
    /// caller may read when absent. Ids of pipelines the caller may not read match nothing.
    #[param(inline, value_type = Option<Vec<PipelineIdParam>>, max_items = 1000, style = Form, explode = true)]
    pub pipeline_ids: Option<Vec<String>>,
    /// How many runs, newest first; 20 by default.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Milliseconds since 1970: only runs created, started or finished at or after this
    /// time, and runs running now.
    #[param(minimum = 0, maximum = 253_402_300_799_999_i64)]
    pub since: Option<i64>,
}

/// A pipeline's id.
#[derive(ToSchema)]
#[schema(value_type = String, pattern = "^[0-9a-fA-F]{24}$")]
pub struct PipelineIdParam(pub String);
