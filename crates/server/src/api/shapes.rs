//! API v3 JSON shapes as Wercker served them: field names, nesting and types.
//!
//! Unset timestamps are omitted rather than `null`, as Wercker did.

use serde::Serialize;

/// Wercker's "UnifiedUser" (`owner`, `user`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Always `wercker`.
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
#[derive(Debug, Clone, Serialize)]
pub struct Avatar {
    /// 32-hex gravatar hash.
    pub gravatar: String,
}

/// `meta` of a user.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserMeta {
    /// Login name.
    pub username: String,
    /// `user` or `organization`.
    pub r#type: &'static str,
    /// Always false.
    pub wercker_employee: bool,
}

/// An application in lists.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
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
    pub allowed_actions: Option<Vec<&'static str>>,
    pub theme: String,
    pub settings: Settings,
}

/// `scm` of an application or workflow.
#[derive(Debug, Clone, Serialize)]
pub struct Scm {
    pub r#type: &'static str,
    pub owner: String,
    pub domain: String,
    pub repository: String,
}

/// `settings` of an application.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub privacy: String,
    pub stack: i64,
    pub ignored_branches: Vec<String>,
}

/// A pipeline.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub id: String,
    pub url: String,
    pub branch: String,
    pub commit_hash: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    pub message: String,
    pub progress: i64,
    pub result: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    pub status: String,
    pub user: User,
    pub pipeline: Pipeline,
}

/// One run (`GET /api/v3/runs/:id`, the trigger's and the abort's answer).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    #[serde(flatten)]
    pub summary: RunSummary,
    pub env_vars: Vec<EnvVar>,
    pub commits: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_run: Option<RunSummary>,
    pub pull_request: serde_json::Map<String, serde_json::Value>,
}

/// One `{key, value}` of a run's `envVars`.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct EnvVar {
    pub key: String,
    pub value: String,
}

/// A step of a run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunStep {
    pub id: String,
    pub url: String,
    pub artifacts_url: Option<String>,
    pub created_at: String,
    /// Pipeline steps have a display name and a phase; `get code` and `setup environment`
    /// have `step` instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    pub log_url: String,
    pub order: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<&'static str>,
    pub result: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A workflow run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Workflow {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<ApplicationSummary>,
    pub created_at: String,
    pub data: WorkflowData,
    pub id: String,
    pub items: Vec<WorkflowItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    pub trigger: String,
    pub updated_at: String,
    pub user: User,
}

/// `data` of a workflow: the commit for `git` triggers, the source run for `workflow` ones.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowData {
    pub branch: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_hash: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scm: Option<Scm>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_run_id: Option<String>,
}

/// One pipeline of a workflow.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowItem {
    pub data: ItemData,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_item: Option<String>,
    pub progress: i64,
    pub result: String,
    pub status: String,
    pub r#type: &'static str,
    pub updated_at: String,
}

/// `data` of a workflow item.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemData {
    pub target_name: String,
    pub pipeline_id: String,
    pub restricted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_steps: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_step: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_name: Option<String>,
    pub run_id: Option<String>,
}

/// The actions the owner of an application may take, as Wercker listed them.
pub const OWNER_ACTIONS: &[&str] = &[
    "delete_project",
    "update_project",
    "transfer_ownership_project",
    "update_checkout_key",
    "list_authorizations",
    "create_authorization",
    "read_authorization",
    "update_authorization",
    "delete_authorization",
    "send_invites",
    "create_key",
    "delete_key",
    "update_key",
    "deploy_build",
    "create_env_var",
    "update_env_var",
    "delete_env_var",
    "build_project",
    "rebuild_build",
    "abort_build",
    "read_deploy",
    "list_deploysteps",
    "read_deploystep",
    "clear_cache_project",
    "list_teams",
    "list_members",
    "create_run",
    "abort_run",
    "read_env_var",
    "read_project",
    "list_builds",
    "read_build",
    "list_runs",
    "read_run",
    "list_runsteps",
    "read_runstep",
    "list_buildsteps",
    "read_buildstep",
    "follow_project",
    "unfollow_project",
    "list_targets",
    "read_target",
    "list_workflows",
    "list_collaborators",
    "list_comment",
    "create_comment",
];

/// The actions a collaborator with `execute` adds to the public ones.
pub const EXECUTE_ACTIONS: &[&str] = &[
    "build_project",
    "rebuild_build",
    "abort_build",
    "deploy_build",
    "create_run",
    "abort_run",
    "read_deploy",
    "list_deploysteps",
    "read_deploystep",
];

/// The actions anyone may take on a public application.
pub const PUBLIC_ACTIONS: &[&str] = &[
    "read_project",
    "list_builds",
    "read_build",
    "list_runs",
    "read_run",
    "list_runsteps",
    "read_runstep",
    "list_buildsteps",
    "read_buildstep",
    "follow_project",
    "unfollow_project",
    "list_targets",
    "read_target",
    "list_workflows",
    "list_collaborators",
    "list_comment",
    "create_comment",
];

/// A personal token; `token` holds the plaintext only in the answer that created it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    pub id: String,
    pub url: String,
    pub name: String,
    pub token: Option<String>,
    pub hashed_token: String,
    pub last_characters: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// A run of a build-type pipeline, as the pre-workflow `builds` endpoints showed it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Build {
    pub id: String,
    pub url: String,
    pub branch: String,
    pub commit_hash: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    pub message: String,
    pub progress: i64,
    pub result: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<ApplicationSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env_vars: Option<Vec<EnvVar>>,
}

/// A run of a chained (deploy-type) pipeline, as the pre-workflow `deploys` endpoints
/// showed it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deploy {
    pub id: String,
    pub url: String,
    pub status: String,
    pub result: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    pub progress: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<ApplicationSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<Box<Build>>,
}

/// `GET /api/v2/profile`: the caller.
#[derive(Debug, Clone, Serialize)]
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
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvVarResource {
    pub id: String,
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    pub protected: bool,
    pub scope: String,
    pub target: String,
    pub created_at: String,
    pub updated_at: String,
}

/// The answer of `GET /api/v3/envvars`: the only list Wercker wrapped.
#[derive(Debug, Clone, Serialize)]
pub struct EnvVarList {
    pub results: Vec<EnvVarResource>,
}

/// An organization, in the shape of Wercker's v2 API.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    pub username: String,
    pub url: String,
    pub creation_date: String,
    pub contact_email: String,
}

/// A member of an organization (werk extension).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub user_id: String,
    pub username: String,
    pub role: String,
}

/// A collaborator of an application (werk extension).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Collaborator {
    pub user_id: String,
    pub username: String,
    pub level: String,
}
