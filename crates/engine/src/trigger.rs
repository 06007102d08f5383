//! Triggers: validate, record the run (and its workflow) as queued, wake the dispatcher.

use serde::{Deserialize, Serialize};
use werk_store::{NewItem, NewRun, NewWorkflow, RunPlacement, RunRow, UserRow};

use crate::definitions::{chain_from, parse_workflows_json};
use crate::{Engine, EngineError, EngineResult};

/// One variable of a trigger's `envVars`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvVar {
    /// Name.
    pub key: String,
    /// Value, as text.
    pub value: String,
}

/// A request to run a pipeline (the body of `POST /api/v3/runs`).
#[derive(Debug, Clone, Default)]
pub struct TriggerRequest {
    /// Pipeline to run.
    pub pipeline_id: String,
    /// Run whose artifact is the input (chaining by hand).
    pub source_run_id: Option<String>,
    /// Branch; the application's default branch (or the source run's) when absent.
    pub branch: Option<String>,
    /// Commit; the head of the branch at checkout when absent.
    pub commit_hash: Option<String>,
    /// Message; the commit's message when absent.
    pub message: Option<String>,
    /// Extra variables, in order; they override every other variable of the same name.
    pub env_vars: Vec<EnvVar>,
    /// The wercker.yml workflow to run the pipeline in; the first one holding it when absent.
    pub workflow: Option<String>,
    /// The git tag the run is for.
    pub tag: Option<String>,
}

impl Engine {
    /// Queues a run of a pipeline for `user`, who must be allowed to run it (the caller
    /// checks). Returns the run as recorded: `notstarted`. The first step begins as soon as
    /// an executor slot is free; nothing waits for a polling interval.
    ///
    /// # Errors
    /// [`EngineError::NotFound`] for an unknown pipeline or source run;
    /// [`EngineError::Invalid`] for bad variables, a commit without a branch, or a source run
    /// of another application; [`EngineError::Unprocessable`] when the source run has no
    /// artifact. Nothing is stored on error.
    pub async fn trigger(&self, user: &UserRow, request: &TriggerRequest) -> EngineResult<RunRow> {
        let row = self.record(user, request).await?;
        self.wake.notify_one();
        Ok(row)
    }

    /// [`Engine::trigger`] without waking the dispatcher: the caller decides the run's fate
    /// first (a `[ci skip]` push aborts it before anything claims it).
    pub(crate) async fn record(
        &self,
        user: &UserRow,
        request: &TriggerRequest,
    ) -> EngineResult<RunRow> {
        let pipeline = self
            .store
            .pipeline_by_id(&request.pipeline_id)
            .await?
            .filter(|p| p.active == 1)
            .ok_or_else(|| not_found_pipeline(&request.pipeline_id))?;
        let app = self
            .store
            .application_by_id(&pipeline.application_id)
            .await?
            .ok_or_else(|| not_found_pipeline(&request.pipeline_id))?;
        for (i, var) in request.env_vars.iter().enumerate() {
            if !valid_env_name(&var.key) {
                return Err(EngineError::Invalid(format!(
                    "envVars[{i}].key {:?} must start with a letter or '_' and hold only letters, digits and '_'",
                    var.key
                )));
            }
        }
        if request
            .commit_hash
            .as_deref()
            .is_some_and(|c| !c.is_empty())
            && request.branch.as_deref().is_none_or(str::is_empty)
        {
            return Err(EngineError::Invalid(
                "commitHash needs the branch it is on: give branch too".into(),
            ));
        }
        let source = match &request.source_run_id {
            None => None,
            Some(id) => {
                let run = self.store.run_by_id(id).await?.ok_or_else(|| {
                    EngineError::NotFound(format!("no run with id {id:?} (sourceRunId)"))
                })?;
                if run.application_id != app.id {
                    return Err(EngineError::Invalid(format!(
                        "sourceRunId {id:?} is a run of another application"
                    )));
                }
                if run.result != "passed" || !self.artifact_path(&run.id).exists() {
                    return Err(EngineError::Unprocessable(format!(
                        "run {id:?} (sourceRunId) has no artifact: only passed runs can be a source"
                    )));
                }
                Some(run)
            }
        };
        let branch = request
            .branch
            .clone()
            .filter(|b| !b.is_empty())
            .or_else(|| source.as_ref().map(|s| s.branch.clone()))
            .unwrap_or_else(|| app.default_branch.clone());
        let commit_hash = match (&request.commit_hash, &source) {
            (Some(c), _) if !c.is_empty() => c.clone(),
            (_, Some(s)) => s.commit_hash.clone(),
            _ => String::new(),
        };
        let message = request.message.clone().unwrap_or_default();
        let env_vars = serde_json::to_string(&request.env_vars)
            .map_err(|e| EngineError::Internal(format!("cannot encode envVars: {e}")))?;

        let workflows = parse_workflows_json(&app.workflows);
        let (definition, chain) =
            chain_from(&workflows, request.workflow.as_deref(), &pipeline.name);
        let pipelines = self
            .store
            .pipelines_of_application(&app.id, 1000, 0)
            .await?;
        let mut items = vec![NewItem {
            target_name: pipeline.name.clone(),
            pipeline_id: pipeline.id.clone(),
            parent: None,
        }];
        // Chained nodes whose pipeline is gone from the yml are left out of the workflow.
        let mut index_of_chain: Vec<Option<usize>> = vec![Some(0)];
        for (node, parent) in chain.iter().skip(1) {
            let mapped_parent = parent.and_then(|p| index_of_chain.get(p).copied().flatten());
            let found = pipelines.iter().find(|p| p.name == node.name);
            match (found, mapped_parent) {
                (Some(p), Some(parent)) => {
                    items.push(NewItem {
                        target_name: node.name.clone(),
                        pipeline_id: p.id.clone(),
                        parent: Some(parent),
                    });
                    index_of_chain.push(Some(items.len() - 1));
                }
                _ => index_of_chain.push(None),
            }
        }
        let workflow = NewWorkflow {
            application_id: app.id.clone(),
            definition,
            trigger: if source.is_some() { "workflow" } else { "git" }.into(),
            branch: branch.clone(),
            commit_hash: if source.is_some() {
                String::new()
            } else {
                commit_hash.clone()
            },
            message: message.clone(),
            source_run_id: source.as_ref().map(|s| s.id.clone()),
            user_id: user.id.clone(),
            items,
        };
        let run = NewRun {
            application_id: app.id.clone(),
            pipeline_id: pipeline.id.clone(),
            source_run_id: source.as_ref().map(|s| s.id.clone()),
            user_id: user.id.clone(),
            kind: if source.is_some() { "deploy" } else { "build" }.into(),
            branch,
            commit_hash,
            message,
            env_vars,
            status: crate::state::initial_status(std::slice::from_ref(&pipeline), &pipeline.id),
            tag: request.tag.clone().unwrap_or_default(),
        };
        let row = self
            .store
            .insert_run(
                &run,
                RunPlacement::NewWorkflow {
                    workflow,
                    run_item: 0,
                },
            )
            .await?;
        tracing::info!(run_id = %row.id, pipeline = %pipeline.name, app = %app.name, "run queued");
        self.notify_change();
        Ok(row)
    }
}

fn not_found_pipeline(id: &str) -> EngineError {
    EngineError::NotFound(format!("no pipeline with id {id:?}"))
}

fn valid_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
