//! API v3 JSON shapes as Wercker served them: field names, nesting and types.
//!
//! Unset timestamps are omitted rather than `null`, as Wercker did.

use serde::Serialize;
use utoipa::ToSchema;

/// Wercker's "UnifiedUser" (`owner`, `user`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Always `wercker`.
    #[schema(value_type = String, pattern = "^wercker$")]
    pub r#type: &'static str,
    /// Display name.
    pub name: String,
    /// Avatar.
    pub avatar: Avatar,
    /// User id.
    pub user_id: String,
    /// Username and account type.
    pub meta: UserMeta,
}

/// `avatar` of a user.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Avatar {
    /// 32-hex gravatar hash.
    pub gravatar: String,
}

/// `meta` of a user.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserMeta {
    /// Login name.
    pub username: String,
    /// `user` or `organization`.
    #[schema(value_type = String, pattern = "^(user|organization)$")]
    pub r#type: &'static str,
    /// Always false.
    pub wercker_employee: bool,
}

/// An application in lists.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSummary {
    pub id: String,
    pub url: String,
    pub name: String,
    pub owner: User,
    pub created_at: String,
    pub updated_at: String,
    pub privacy: String,
    pub stack: i64,
    pub theme: String,
}

/// One application (`GET /api/v3/applications/:owner/:name`).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub id: String,
    pub url: String,
    pub name: String,
    pub owner: User,
    pub builds: String,
    pub deploys: String,
    pub scm: Scm,
    pub badge_key: String,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Vec<String>>)]
    pub allowed_actions: Option<Vec<&'static str>>,
    pub theme: String,
    pub settings: Settings,
}

/// `scm` of an application or workflow.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Scm {
    /// Always `git`.
    #[schema(value_type = String, pattern = "^git$")]
    pub r#type: &'static str,
    pub owner: String,
    pub domain: String,
    pub repository: String,
}

/// `settings` of an application.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub privacy: String,
    pub stack: i64,
    pub ignored_branches: Vec<String>,
}

/// A pipeline.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pipeline {
    pub id: String,
    pub url: String,
    pub created_at: String,
    pub name: String,
    pub permissions: String,
    pub pipeline_name: String,
    pub set_scm_provider_status: bool,
    pub manual_approval: bool,
    pub r#type: String,
}

/// A run in lists and as `sourceRun`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub id: String,
    pub url: String,
    pub branch: String,
    pub commit_hash: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub finished_at: Option<String>,
    pub message: String,
    /// Percent of the steps done, 0 to 100.
    pub progress: i64,
    /// `unknown` until finished, then `passed`, `failed` or `aborted`.
    pub result: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub started_at: Option<String>,
    /// `notstarted`, `pendingapproval`, `running` or `finished`.
    pub status: String,
    /// The git tag the run is for; empty when none (Wercker added it in 2018).
    pub tag: String,
    pub user: User,
    pub pipeline: Pipeline,
}

/// One run (`GET /api/v3/runs/:id`, the trigger's and the abort's answer).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    #[serde(flatten)]
    pub summary: RunSummary,
    pub env_vars: Vec<EnvVar>,
    /// Always empty: werk records no pushed commits.
    pub commits: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub source_run: Option<RunSummary>,
    /// Always `{}`.
    #[schema(value_type = Object)]
    pub pull_request: serde_json::Map<String, serde_json::Value>,
}

/// One `{key, value}` of a run's `envVars`.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct EnvVar {
    pub key: String,
    pub value: String,
}

/// A step of a run.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunStep {
    pub id: String,
    pub url: String,
    /// Always `null`.
    #[schema(required = true)]
    pub artifacts_url: Option<String>,
    pub created_at: String,
    /// Pipeline steps have a display name and a phase; `get code` and `setup environment`
    /// have `step` instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub finished_at: Option<String>,
    pub log_url: String,
    pub order: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// `mainSteps` or `finalSteps` (after-steps).
    #[schema(nullable = false, value_type = Option<String>, pattern = "^(mainSteps|finalSteps)$")]
    pub phase: Option<&'static str>,
    pub result: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub started_at: Option<String>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub step: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub message: Option<String>,
}

/// A workflow run.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Workflow {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub application: Option<ApplicationSummary>,
    pub created_at: String,
    pub data: WorkflowData,
    pub id: String,
    pub items: Vec<WorkflowItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub started_at: Option<String>,
    pub trigger: String,
    pub updated_at: String,
    pub user: User,
}

/// `data` of a workflow: the commit for `git` triggers, the source run for `workflow` ones.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowData {
    pub branch: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub commit_hash: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub scm: Option<Scm>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub source_run_id: Option<String>,
}

/// One pipeline of a workflow.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowItem {
    pub data: ItemData,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub parent_item: Option<String>,
    pub progress: i64,
    pub result: String,
    pub status: String,
    /// Always `run`.
    #[schema(value_type = String, pattern = "^run$")]
    pub r#type: &'static str,
    pub updated_at: String,
}

/// `data` of a workflow item.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemData {
    pub target_name: String,
    pub pipeline_id: String,
    pub restricted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub total_steps: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub current_step: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub step_name: Option<String>,
    /// `null` until the item's run is created.
    #[schema(required = true)]
    pub run_id: Option<String>,
}

/// A personal token; `token` holds the plaintext only in the answer that created it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    pub id: String,
    pub url: String,
    pub name: String,
    /// The plaintext; `null` except in the answer of `POST /api/v3/tokens`.
    #[schema(required = true)]
    pub token: Option<String>,
    pub hashed_token: String,
    pub last_characters: String,
    pub created_at: String,
    /// `null` until the token is first used.
    #[schema(required = true)]
    pub last_used_at: Option<String>,
}

/// A run of a build-type pipeline, as the pre-workflow `builds` endpoints showed it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Build {
    pub id: String,
    pub url: String,
    pub branch: String,
    pub commit_hash: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub finished_at: Option<String>,
    pub message: String,
    pub progress: i64,
    pub result: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub started_at: Option<String>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub application: Option<ApplicationSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub env_vars: Option<Vec<EnvVar>>,
}

/// A run of a chained (deploy-type) pipeline, as the pre-workflow `deploys` endpoints
/// showed it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Deploy {
    pub id: String,
    pub url: String,
    pub status: String,
    pub result: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub finished_at: Option<String>,
    pub progress: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub application: Option<ApplicationSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub build: Option<Box<Build>>,
}

/// `GET /api/v2/profile`: the caller.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub last_name: String,
    pub username: String,
    pub email: String,
    pub public_email: String,
    pub gravatar_hash: String,
    /// Spelled as Wercker's v2 API spelled it.
    pub organisation: String,
    pub url: String,
    pub twitter: String,
    pub has_github_token: bool,
    pub has_bitbucket_token: bool,
}

/// An environment variable of `/api/v3/envvars`; a protected one never shows its value.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvVarResource {
    pub id: String,
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub value: Option<String>,
    pub protected: bool,
    pub scope: String,
    pub target: String,
    pub created_at: String,
    pub updated_at: String,
}

/// The answer of `GET /api/v3/envvars`: the only list Wercker wrapped.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnvVarList {
    pub results: Vec<EnvVarResource>,
}

/// An organization, in the shape of Wercker's v2 API.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    pub username: String,
    pub url: String,
    pub creation_date: String,
    pub contact_email: String,
}

/// A member of an organization (werk extension).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub user_id: String,
    pub username: String,
    pub role: String,
}

/// A collaborator of an application (werk extension).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Collaborator {
    pub user_id: String,
    pub username: String,
    pub level: String,
}

/// A registry step (`GET /api/v2/steps/:owner/:name/:version`) as werk would run it: the
/// fields of Wercker's v2 answer (`tarballUrl`, `version`, `description`) and of its step
/// registry's model, filled from the step's manifest.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegistryStep {
    pub owner: String,
    pub name: String,
    /// The version werk runs: the version asked for, or the newest one for `latest`; a
    /// built-in step answers for every version with its own.
    pub version: String,
    /// The manifest's `summary`, as Wercker's CLI read it from this endpoint.
    pub description: String,
    /// The same text, under the name of Wercker's step registry.
    pub summary: String,
    pub tags: Vec<String>,
    /// The properties the manifest declares, in its order.
    pub properties: Vec<RegistryStepProperty>,
    /// werk extension: where werk takes the step from: the data dir's `steps/`
    /// (`directory`), its built-in steps (`builtin`), or a repository named by the step git
    /// template and fetched by an earlier run (`git`).
    #[schema(value_type = String, pattern = "^(directory|builtin|git)$")]
    pub source: &'static str,
    /// For `git` steps, the repository (without credentials); `null` otherwise.
    #[schema(required = true)]
    pub repository: Option<String>,
    /// Always `null`: werk serves no step tarballs.
    #[schema(required = true)]
    pub tarball_url: Option<String>,
}

/// A property a registry step declares.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistryStepProperty {
    pub name: String,
    /// `null` when the manifest gives no type.
    #[schema(required = true)]
    pub r#type: Option<String>,
    /// As declared; werk, like Wercker, does not enforce it.
    pub required: bool,
    /// The default as written; `null` when none.
    #[schema(required = true)]
    pub default: Option<String>,
}

/// An application with its pipelines, as `GET /api/spinnaker/v1/applications` lists them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SpinnakerApplication {
    #[serde(flatten)]
    pub summary: ApplicationSummary,
    /// Its active pipelines, oldest first.
    pub pipelines: Vec<Pipeline>,
}

/// A run with its application, as `GET /api/spinnaker/v1/runs` lists them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SpinnakerRun {
    #[serde(flatten)]
    pub summary: RunSummary,
    pub application: ApplicationSummary,
}

/// What a push hook call did (werk's answer; Wercker's is not known).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PushAnswer {
    /// What happened, for the git server's delivery log.
    pub message: String,
    /// The runs started, one per git-type pipeline; empty when the push starts nothing.
    pub runs: Vec<RunSummary>,
}

/// An application's push hook (werk extension), for its admins.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PushHook {
    /// The URL to give the git server as its push webhook, `POST` with a JSON body.
    pub url: String,
    /// The secret part of that URL, as Wercker's `pushKey`.
    pub push_key: String,
}

/// A schedule of a pipeline (werk extension).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    pub id: String,
    pub url: String,
    /// The cron pattern, in UTC.
    pub cron: String,
    /// The branch run.
    pub branch: String,
    /// When it is next due.
    pub next_at: String,
    pub created_at: String,
    /// The pipeline run.
    pub pipeline_id: String,
    /// Who made it; the runs are theirs.
    pub created_by: String,
}
