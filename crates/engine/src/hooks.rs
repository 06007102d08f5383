//! Pushes: what a git server's push hook asks for. Each workflow of the application's
//! wercker.yml starts (its first pipelines run, the rest chain after them as usual) for the
//! pushed branch (or tag) and commit, unless the branch is one of the application's
//! `ignoredBranches`; without `workflows:`, that is the `build` pipeline. A head commit
//! whose message says `[ci skip]` or `[skip ci]` gets its runs recorded as aborted, as
//! Wercker did.

use werk_store::{ApplicationRow, RunRow};

use crate::definitions::parse_workflows_json;
use crate::{Engine, EngineResult, TriggerRequest};

/// A push, as the hook reported it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Push {
    /// The branch pushed to; for a tag, the application's default branch.
    pub branch: String,
    /// The tag pushed, if the push was a tag's.
    pub tag: Option<String>,
    /// The commit pushed (the branch's new head).
    pub commit: String,
    /// The head commit's message, if the hook sent it.
    pub message: Option<String>,
}

/// What became of a push.
#[derive(Debug)]
pub enum PushOutcome {
    /// Runs were queued (or recorded as aborted for `[ci skip]`).
    Runs(Vec<RunRow>),
    /// Nothing was run, for this reason.
    Ignored(String),
}

impl Engine {
    /// Runs the git-type pipelines of `app` for `push`, as its owner.
    pub async fn push(&self, app: &ApplicationRow, push: &Push) -> EngineResult<PushOutcome> {
        let ignored: Vec<String> = serde_json::from_str(&app.ignored_branches).unwrap_or_default();
        if push.tag.is_none() && ignored.iter().any(|b| b == &push.branch) {
            return Ok(PushOutcome::Ignored(format!(
                "branch {} is one of the application's ignored branches",
                push.branch
            )));
        }
        let owner =
            self.store.user_by_id(&app.owner_id).await?.ok_or_else(|| {
                crate::EngineError::Internal("the application has no owner".into())
            })?;
        let skip = push
            .message
            .as_deref()
            .is_some_and(|m| m.contains("[ci skip]") || m.contains("[skip ci]"));
        let mut runs = Vec::new();
        for workflow in parse_workflows_json(&app.workflows) {
            for root in workflow.nodes.iter().filter(|n| n.requires.is_empty()) {
                let Some(pipeline) = self.store.pipeline_by_name(&app.id, &root.name).await? else {
                    continue;
                };
                let request = TriggerRequest {
                    pipeline_id: pipeline.id,
                    branch: Some(push.branch.clone()),
                    commit_hash: Some(push.commit.clone()),
                    message: push.message.clone(),
                    tag: push.tag.clone(),
                    workflow: Some(workflow.name.clone()),
                    ..TriggerRequest::default()
                };
                runs.push(if skip {
                    // Recorded and aborted before the dispatcher hears of it.
                    let run = self.record(&owner, &request).await?;
                    self.abort(&run.id).await?
                } else {
                    self.trigger(&owner, &request).await?
                });
            }
        }
        if runs.is_empty() {
            return Ok(PushOutcome::Ignored(
                "the application's wercker.yml has no pipeline a push starts".into(),
            ));
        }
        Ok(PushOutcome::Runs(runs))
    }
}
