//! Workflow chaining: when a run passes, queue its children with its artifact as source.

use werk_store::{NewRun, RunPlacement, RunRow};

use crate::definitions::parse_workflows_json;
use crate::{Engine, EngineResult};

impl Engine {
    /// Queues a run for each child item of `parent`'s workflow item whose required items
    /// have all passed. Called before the parent is marked finished, so that a client who
    /// sees the parent finished also sees its children.
    pub(crate) async fn queue_children(&self, parent: &RunRow) -> EngineResult<Vec<RunRow>> {
        let items = self.store.items_of_workflow(&parent.workflow_id).await?;
        let Some(parent_item) = items.iter().find(|i| i.id == parent.item_id) else {
            return Ok(Vec::new());
        };
        let app = self.store.application_by_id(&parent.application_id).await?;
        let definitions = app
            .map(|a| parse_workflows_json(&a.workflows))
            .unwrap_or_default();
        let mut queued = Vec::new();
        for child in items.iter().filter(|i| {
            i.parent_item_id.as_deref() == Some(parent_item.id.as_str()) && i.run_id.is_none()
        }) {
            // A node that requires several pipelines waits until every one of them passed.
            let requires: Vec<&String> = definitions
                .iter()
                .flat_map(|w| w.nodes.iter())
                .find(|n| n.name == child.target_name)
                .map(|n| n.requires.iter().collect())
                .unwrap_or_default();
            let all_passed = requires.iter().all(|name| {
                *name == &parent_item.target_name
                    || items
                        .iter()
                        .any(|i| &i.target_name == *name && i.result == "passed")
                    || !items.iter().any(|i| &i.target_name == *name)
            });
            if !all_passed {
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
            };
            let row = self
                .store
                .insert_run(&run, RunPlacement::Item(child.id.clone()))
                .await?;
            tracing::info!(run_id = %row.id, source_run_id = %parent.id, "chained run queued");
            queued.push(row);
        }
        Ok(queued)
    }
}
