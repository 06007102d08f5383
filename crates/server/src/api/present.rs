//! Filling the wire shapes from store rows, with URLs on the public URL.
//!
//! A `Presenter` lives for one request and remembers the users, pipelines and applications
//! it has looked up, so a list of runs costs one lookup per distinct user and pipeline.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use werk_engine::{StepInfo, StepOrigin};
use werk_store::{
    ApplicationRow, PipelineRow, RunRow, RunStepRow, ScheduleRow, Store, UserRow, WorkflowItemRow,
    WorkflowRow,
};

use super::actions::{EXECUTE_ACTIONS, OWNER_ACTIONS, PUBLIC_ACTIONS};
use super::shapes::*;
use crate::error::ApiResult;

/// Builds API shapes for one request.
pub struct Presenter<'a> {
    store: &'a Store,
    base: String,
    users: HashMap<String, User>,
    pipelines: HashMap<String, Pipeline>,
    apps: HashMap<String, ApplicationRow>,
}

impl<'a> Presenter<'a> {
    /// A presenter whose URLs start with `public_url`.
    pub fn new(store: &'a Store, public_url: &str) -> Presenter<'a> {
        Presenter {
            store,
            base: format!("{}/api/v3", public_url.trim_end_matches('/')),
            users: HashMap::new(),
            pipelines: HashMap::new(),
            apps: HashMap::new(),
        }
    }

    /// A user by id; a missing user shows as an empty one rather than failing the request.
    pub async fn user(&mut self, id: &str) -> ApiResult<User> {
        if let Some(user) = self.users.get(id) {
            return Ok(user.clone());
        }
        let row = self.store.user_by_id(id).await?;
        let user = match row {
            Some(row) => user_shape(&row),
            None => user_shape(&UserRow {
                id: id.into(),
                username: String::new(),
                name: String::new(),
                created_at: String::new(),
                password_hash: None,
                kind: "user".into(),
                email: String::new(),
            }),
        };
        self.users.insert(id.to_string(), user.clone());
        Ok(user)
    }

    /// The store this presenter reads.
    pub(crate) fn store(&self) -> &Store {
        self.store
    }

    /// The API's base URL, `…/api/v3`.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// An application's row by id, remembered.
    pub(crate) async fn app_row(&mut self, id: &str) -> ApiResult<ApplicationRow> {
        if let Some(app) = self.apps.get(id) {
            return Ok(app.clone());
        }
        let app = self.store.application_by_id(id).await?.ok_or_else(|| {
            crate::error::ApiError::not_found(format!("no application with id {id:?}"))
        })?;
        self.apps.insert(id.to_string(), app.clone());
        Ok(app)
    }

    fn app_url(&self, owner: &User, app: &ApplicationRow) -> String {
        format!(
            "{}/applications/{}/{}",
            self.base,
            owner.meta.username.to_lowercase(),
            app.name
        )
    }

    /// An application in lists.
    pub async fn application_summary(
        &mut self,
        app: &ApplicationRow,
    ) -> ApiResult<ApplicationSummary> {
        let owner = self.user(&app.owner_id).await?;
        Ok(ApplicationSummary {
            id: app.id.clone(),
            url: self.app_url(&owner, app),
            name: app.name.clone(),
            owner,
            created_at: app.created_at.clone(),
            updated_at: app.updated_at.clone(),
            privacy: app.privacy.clone(),
            stack: 6,
            theme: app.theme.clone(),
        })
    }

    /// One application, with the actions a caller of this `level` may take.
    pub async fn application(
        &mut self,
        app: &ApplicationRow,
        level: crate::access::Level,
    ) -> ApiResult<Application> {
        let owner = self.user(&app.owner_id).await?;
        let url = self.app_url(&owner, app);
        let actions: Vec<&'static str> = match level {
            crate::access::Level::Admin => OWNER_ACTIONS.to_vec(),
            crate::access::Level::Execute => PUBLIC_ACTIONS
                .iter()
                .chain(EXECUTE_ACTIONS)
                .copied()
                .collect(),
            _ => PUBLIC_ACTIONS.to_vec(),
        };
        Ok(Application {
            id: app.id.clone(),
            builds: format!("{url}/builds"),
            deploys: format!("{url}/deploys"),
            url,
            name: app.name.clone(),
            scm: scm(app, &owner),
            owner,
            badge_key: app.badge_key.clone(),
            created_at: app.created_at.clone(),
            updated_at: app.updated_at.clone(),
            allowed_actions: Some(actions),
            theme: app.theme.clone(),
            settings: Settings {
                privacy: app.privacy.clone(),
                stack: 6,
                ignored_branches: serde_json::from_str(&app.ignored_branches).unwrap_or_default(),
            },
        })
    }

    /// A token; its plaintext only when it was just created.
    pub fn token(&self, row: &werk_store::TokenRow, plaintext: Option<String>) -> Token {
        Token {
            id: row.id.clone(),
            url: format!("{}/tokens/{}", self.base, row.id),
            name: row.name.clone(),
            token: plaintext,
            hashed_token: row.hash.clone(),
            last_characters: row.last_characters.clone(),
            created_at: row.created_at.clone(),
            last_used_at: row.last_used_at.clone(),
        }
    }

    /// The profile of a user.
    pub fn profile(&self, user: &UserRow) -> Profile {
        let shape = user_shape(user);
        let root = self.base.trim_end_matches("/api/v3");
        Profile {
            id: user.id.clone(),
            name: user.name.clone(),
            last_name: String::new(),
            username: user.username.clone(),
            email: String::new(),
            public_email: String::new(),
            gravatar_hash: shape.avatar.gravatar,
            organisation: String::new(),
            url: format!("{root}/{}", user.username),
            twitter: String::new(),
            has_github_token: false,
            has_bitbucket_token: false,
        }
    }

    /// A schedule, made by `username`.
    pub fn schedule(&self, row: &ScheduleRow, username: &str) -> Schedule {
        Schedule {
            id: row.id.clone(),
            url: format!("{}/schedules/{}", self.base, row.id),
            cron: row.cron.clone(),
            branch: row.branch.clone(),
            next_at: row.next_at.clone(),
            created_at: row.created_at.clone(),
            pipeline_id: row.pipeline_id.clone(),
            created_by: username.to_owned(),
        }
    }

    /// A pipeline.
    pub fn pipeline_shape(&self, row: &PipelineRow) -> Pipeline {
        Pipeline {
            id: row.id.clone(),
            url: format!("{}/pipelines/{}", self.base, row.id),
            created_at: row.created_at.clone(),
            name: row.name.clone(),
            permissions: row.permissions.clone(),
            pipeline_name: row.pipeline_name.clone(),
            set_scm_provider_status: row.set_scm_provider_status == 1,
            manual_approval: row.manual_approval == 1,
            r#type: row.r#type.clone(),
        }
    }

    async fn pipeline(&mut self, id: &str) -> ApiResult<Pipeline> {
        if let Some(p) = self.pipelines.get(id) {
            return Ok(p.clone());
        }
        let row = self.store.pipeline_by_id(id).await?.ok_or_else(|| {
            crate::error::ApiError::not_found(format!("no pipeline with id {id:?}"))
        })?;
        let shape = self.pipeline_shape(&row);
        self.pipelines.insert(id.to_string(), shape.clone());
        Ok(shape)
    }

    /// A run in lists.
    pub async fn run_summary(&mut self, run: &RunRow) -> ApiResult<RunSummary> {
        Ok(RunSummary {
            id: run.id.clone(),
            url: format!("{}/runs/{}", self.base, run.id),
            branch: run.branch.clone(),
            commit_hash: run.commit_hash.clone(),
            created_at: run.created_at.clone(),
            finished_at: run.finished_at.clone(),
            message: run.message.clone(),
            progress: run.progress,
            result: run.result.clone(),
            started_at: run.started_at.clone(),
            status: run.status.clone(),
            tag: run.tag.clone(),
            user: self.user(&run.user_id).await?,
            pipeline: self.pipeline(&run.pipeline_id).await?,
        })
    }

    /// One run, with its source run.
    pub async fn run(&mut self, run: &RunRow) -> ApiResult<Run> {
        let source_run = match &run.source_run_id {
            Some(id) => match self.store.run_by_id(id).await? {
                Some(source) => Some(self.run_summary(&source).await?),
                None => None,
            },
            None => None,
        };
        Ok(Run {
            summary: self.run_summary(run).await?,
            env_vars: serde_json::from_str(&run.env_vars).unwrap_or_default(),
            commits: Vec::new(),
            source_run,
            pull_request: serde_json::Map::new(),
        })
    }

    /// A step of a run.
    pub fn step(&self, step: &RunStepRow) -> RunStep {
        let url = format!("{}/runsteps/{}", self.base, step.id);
        let builtin = step.phase == "builtin";
        RunStep {
            id: step.id.clone(),
            log_url: format!("{url}/log"),
            url,
            artifacts_url: None,
            created_at: step.created_at.clone(),
            display_name: (!builtin).then(|| step.name.clone()),
            finished_at: step.finished_at.clone(),
            order: step.ord,
            phase: match step.phase.as_str() {
                "main" => Some("mainSteps"),
                "final" => Some("finalSteps"),
                _ => None,
            },
            result: step.result.clone(),
            started_at: step.started_at.clone(),
            status: step.status.clone(),
            step: builtin.then(|| step.name.clone()),
            message: step.message.clone(),
        }
    }

    /// A workflow with its items; `with_application` for the single-workflow answer.
    pub async fn workflow(
        &mut self,
        wf: &WorkflowRow,
        with_application: bool,
    ) -> ApiResult<Workflow> {
        let app = self.app_row(&wf.application_id).await?;
        let owner = self.user(&app.owner_id).await?;
        let items = self.store.items_of_workflow(&wf.id).await?;
        let data = if wf.trigger == "workflow" {
            WorkflowData {
                branch: wf.branch.clone(),
                commit_hash: None,
                message: wf.message.clone(),
                scm: None,
                source_run_id: wf.source_run_id.clone(),
            }
        } else {
            WorkflowData {
                branch: wf.branch.clone(),
                commit_hash: Some(wf.commit_hash.clone()),
                message: wf.message.clone(),
                scm: Some(scm(&app, &owner)),
                source_run_id: None,
            }
        };
        Ok(Workflow {
            url: format!("{}/workflows/{}", self.base, wf.id),
            application: if with_application {
                Some(self.application_summary(&app).await?)
            } else {
                None
            },
            created_at: wf.created_at.clone(),
            data,
            id: wf.id.clone(),
            items: items.iter().map(item).collect(),
            started_at: wf.started_at.clone(),
            trigger: wf.trigger.clone(),
            updated_at: wf.updated_at.clone(),
            user: self.user(&wf.user_id).await?,
        })
    }
}

impl Presenter<'_> {
    /// An application with its active pipelines, for Spinnaker.
    pub async fn spinnaker_application(
        &mut self,
        app: &ApplicationRow,
    ) -> ApiResult<SpinnakerApplication> {
        let rows = self
            .store
            .pipelines_of_application(&app.id, i64::MAX, 0)
            .await?;
        Ok(SpinnakerApplication {
            summary: self.application_summary(app).await?,
            pipelines: rows.iter().map(|p| self.pipeline_shape(p)).collect(),
        })
    }

    /// A run with its application, for Spinnaker.
    pub async fn spinnaker_run(&mut self, run: &RunRow) -> ApiResult<SpinnakerRun> {
        let app = self.app_row(&run.application_id).await?;
        Ok(SpinnakerRun {
            summary: self.run_summary(run).await?,
            application: self.application_summary(&app).await?,
        })
    }
}

/// A registry step as the engine describes it; where its files are on this machine is not
/// shown.
pub fn registry_step(info: &StepInfo) -> RegistryStep {
    let (source, repository) = match &info.origin {
        StepOrigin::Directory(_) => ("directory", None),
        StepOrigin::Builtin => ("builtin", None),
        StepOrigin::Git { url } => ("git", Some(url.clone())),
    };
    RegistryStep {
        owner: info.owner.clone(),
        name: info.name.clone(),
        version: info.version.clone(),
        description: info.summary.clone(),
        summary: info.summary.clone(),
        tags: info.tags.clone(),
        properties: info
            .properties
            .iter()
            .map(|p| RegistryStepProperty {
                name: p.name.clone(),
                r#type: p.kind.clone(),
                required: p.required,
                default: p.default.clone(),
            })
            .collect(),
        source,
        repository,
        tarball_url: None,
    }
}

fn item(row: &WorkflowItemRow) -> WorkflowItem {
    WorkflowItem {
        data: ItemData {
            target_name: row.target_name.clone(),
            pipeline_id: row.pipeline_id.clone(),
            restricted: false,
            total_steps: row.total_steps,
            current_step: row.current_step,
            step_name: row.step_name.clone(),
            run_id: row.run_id.clone(),
        },
        id: row.id.clone(),
        parent_item: row.parent_item_id.clone(),
        progress: row.progress,
        result: row.result.clone(),
        status: row.status.clone(),
        r#type: "run",
        updated_at: row.updated_at.clone(),
    }
}

pub(crate) fn user_shape(row: &UserRow) -> User {
    let digest = hex::encode(Sha256::digest(row.username.to_lowercase().as_bytes()));
    User {
        r#type: "wercker",
        name: row.name.clone(),
        avatar: Avatar {
            gravatar: digest[..32].to_string(),
        },
        user_id: row.id.clone(),
        meta: UserMeta {
            username: row.username.clone(),
            r#type: if row.kind == "organization" {
                "organization"
            } else {
                "user"
            },
            wercker_employee: false,
        },
    }
}

fn scm(app: &ApplicationRow, owner: &User) -> Scm {
    Scm {
        r#type: "git",
        owner: owner.meta.username.clone(),
        domain: werk_engine::repo::git_domain(&app.git_url),
        repository: app.name.clone(),
    }
}
