//! Workflow chaining: when a run passes, queue the pipelines that required it and now have
//! every requirement passed, with its artifact as their source.

use werk_store::{NewRun, RunPlacement, RunRow, StoreError};

use crate::definitions::parse_workflows_json;
use crate::{Engine, EngineResult};

impl Engine {
    /// Queues a run for each item of `parent`'s workflow that has no run yet, requires the
    /// parent's pipeline, and whose other requirements have all passed. Called before the
    /// parent is marked finished, so that a client who sees the parent finished also sees
    /// its children.
    pub(crate) async fn queue_children(&self, parent: &RunRow) -> EngineResult<Vec<RunRow>> {
        let items = self.store.items_of_workflow(&parent.workflow_id).await?;
        let Some(parent_item) = items.iter().find(|i| i.id == parent.item_id) else {
            return Ok(Vec::new());
        };
        let workflow = self.store.workflow_by_id(&parent.workflow_id).await?;
        let app = self.store.application_by_id(&parent.application_id).await?;
        let definitions = app
            .map(|a| parse_workflows_json(&a.workflows))
            .unwrap_or_default();
        let definition = definitions
            .iter()
            .find(|d| workflow.as_ref().is_some_and(|w| w.definition == d.name));
        let requires_of = |name: &str| -> Vec<String> {
            definition
                .and_then(|d| d.nodes.iter().find(|n| n.name == name))
                .map(|n| n.requires.clone())
                .unwrap_or_default()
        };
        let passed = |name: &str| {
            name == parent_item.target_name
                || items
                    .iter()
                    .any(|i| i.target_name == name && i.result == "passed")
        };
        let pipelines = self
            .store
            .pipelines_of_application(&parent.application_id, 1000, 0)
            .await?;
        let mut queued = Vec::new();
        for child in items.iter().filter(|i| i.run_id.is_none()) {
            let requires = requires_of(&child.target_name);
            let is_child = child.parent_item_id.as_deref() == Some(parent_item.id.as_str())
                || requires.contains(&parent_item.target_name);
            // A node that requires several pipelines waits until every one of those in this
            // workflow passed; the last of them to pass starts it.
            let ready = requires
                .iter()
                .filter(|name| items.iter().any(|i| &i.target_name == *name))
                .all(|name| passed(name));
            if !is_child || !ready {
                continue;
            }
            let run = NewRun {
                application_id: parent.application_id.clone(),
                pipeline_id: child.pipeline_id.clone(),
                source_run_id: Some(parent.id.clone()),
                user_id: parent.user_id.clone(),
                kind: "deploy".into(),
                branch: parent.branch.clone(),
                commit_hash: parent.commit_hash.clone(),
                message: format!(
                    "Auto trigger from Pipeline \"{}\" to Pipeline \"{}\"",
                    parent_item.target_name, child.target_name
                ),
                env_vars: "[]".into(),
                status: crate::state::initial_status(&pipelines, &child.pipeline_id),
                tag: parent.tag.clone(),
            };
            match self
                .store
                .insert_run(&run, RunPlacement::Item(child.id.clone()))
                .await
            {
                Ok(row) => {
                    tracing::info!(run_id = %row.id, source_run_id = %parent.id, "chained run queued");
                    queued.push(row);
                }
                // Another parent that passed at the same moment queued it already.
                Err(StoreError::Conflict(_)) => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(queued)
    }
}
