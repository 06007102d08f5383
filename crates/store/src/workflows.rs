//! Workflows and their items.

use crate::ids::{new_id, now};
use crate::{NewItem, Store, StoreResult, WorkflowItemRow, WorkflowRow};

/// A workflow to create: its header and its items.
#[derive(Debug, Clone)]
pub struct NewWorkflow {
    /// Application.
    pub application_id: String,
    /// Name of the wercker.yml workflow.
    pub definition: String,
    /// `git` or `workflow`.
    pub trigger: String,
    /// Branch.
    pub branch: String,
    /// Commit, if known.
    pub commit_hash: String,
    /// Message.
    pub message: String,
    /// Source run for `workflow` triggers.
    pub source_run_id: Option<String>,
    /// Who started it.
    pub user_id: String,
    /// Items, parents before children.
    pub items: Vec<NewItem>,
}

impl Store {
    /// Creates placeholder workflows that have not run yet, one per definition, replacing the
    /// application's earlier placeholders. They let a client find pipeline ids in the
    /// workflow list before the first run.
    pub async fn replace_pending_workflows(
        &self,
        application_id: &str,
        workflows: &[NewWorkflow],
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        delete_pending(&mut tx, application_id, None).await?;
        for wf in workflows {
            insert_workflow(&mut tx, wf).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The workflow with this id.
    pub async fn workflow_by_id(&self, id: &str) -> StoreResult<Option<WorkflowRow>> {
        Ok(sqlx::query_as("SELECT * FROM workflows WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Workflows of an application, newest first unless `ascending`.
    pub async fn workflows_of_application(
        &self,
        application_id: &str,
        ascending: bool,
        limit: i64,
        skip: i64,
    ) -> StoreResult<Vec<WorkflowRow>> {
        let order = if ascending { "ASC" } else { "DESC" };
        let (limit, skip) = crate::page(limit, skip);
        Ok(sqlx::query_as(&format!(
            "SELECT * FROM workflows WHERE application_id = $1 \
             ORDER BY created_at {order}, id {order} LIMIT $2 OFFSET $3"
        ))
        .bind(application_id)
        .bind(limit)
        .bind(skip)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The items of a workflow, in position order.
    pub async fn items_of_workflow(&self, workflow_id: &str) -> StoreResult<Vec<WorkflowItemRow>> {
        Ok(
            sqlx::query_as("SELECT * FROM workflow_items WHERE workflow_id = $1 ORDER BY position")
                .bind(workflow_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The item with this id.
    pub async fn item_by_id(&self, id: &str) -> StoreResult<Option<WorkflowItemRow>> {
        Ok(sqlx::query_as("SELECT * FROM workflow_items WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }
}

/// Deletes the workflows of an application (of one definition, when given) that have no
/// run yet.
pub(crate) async fn delete_pending(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    application_id: &str,
    definition: Option<&str>,
) -> StoreResult<()> {
    let pending = "SELECT id FROM workflows w WHERE w.application_id = $1 \
         AND ($2 = '' OR w.definition = $2) \
         AND NOT EXISTS (SELECT 1 FROM workflow_items i WHERE i.workflow_id = w.id AND i.run_id IS NOT NULL)";
    let definition = definition.unwrap_or("");
    sqlx::query(&format!(
        "DELETE FROM workflow_items WHERE workflow_id IN ({pending})"
    ))
    .bind(application_id)
    .bind(definition)
    .execute(&mut **tx)
    .await?;
    sqlx::query(&format!("DELETE FROM workflows WHERE id IN ({pending})"))
        .bind(application_id)
        .bind(definition)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Inserts a workflow and its items; returns the workflow's id and the items' ids in order.
pub(crate) async fn insert_workflow(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    wf: &NewWorkflow,
) -> StoreResult<(String, Vec<String>)> {
    let id = new_id();
    let created = now();
    sqlx::query(
        "INSERT INTO workflows (id, application_id, definition, trigger, branch, commit_hash, \
         message, source_run_id, user_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(&wf.application_id)
    .bind(&wf.definition)
    .bind(&wf.trigger)
    .bind(&wf.branch)
    .bind(&wf.commit_hash)
    .bind(&wf.message)
    .bind(&wf.source_run_id)
    .bind(&wf.user_id)
    .bind(&created)
    .bind(&created)
    .execute(&mut **tx)
    .await?;
    let mut item_ids: Vec<String> = Vec::with_capacity(wf.items.len());
    for (position, item) in wf.items.iter().enumerate() {
        let item_id = new_id();
        let parent = item.parent.and_then(|p| item_ids.get(p).cloned());
        sqlx::query(
            "INSERT INTO workflow_items (id, workflow_id, position, parent_item_id, target_name, \
             pipeline_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&item_id)
        .bind(&id)
        .bind(position as i64)
        .bind(parent)
        .bind(&item.target_name)
        .bind(&item.pipeline_id)
        .bind(&created)
        .execute(&mut **tx)
        .await?;
        item_ids.push(item_id);
    }
    Ok((id, item_ids))
}
