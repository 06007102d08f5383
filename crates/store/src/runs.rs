//! Runs: inserting triggered runs, listing them, the queue, and the one write of a run's state.

use crate::ids::{iso_from_millis, new_id, now};
use crate::users::fold_case;
use crate::workflows::{NewWorkflow, delete_pending, insert_workflow};
use crate::{NewRun, RunFilter, RunRow, RunState, Store, StoreError, StoreResult};

/// Order of a run listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RunSort {
    /// Newest first.
    #[default]
    CreationDateDesc,
    /// Oldest first.
    CreationDateAsc,
}

/// Where a new run goes: into a new workflow, or into an existing item of one.
#[derive(Debug, Clone)]
pub enum RunPlacement {
    /// A new workflow; the run belongs to the item at `run_item`.
    NewWorkflow {
        /// The workflow.
        workflow: NewWorkflow,
        /// Index of the run's item.
        run_item: usize,
    },
    /// An item that exists and has no run yet (a chained pipeline).
    Item(String),
}

impl Store {
    /// Inserts a run (`notstarted`, or `pendingapproval`) with its workflow, in one transaction. A new workflow
    /// replaces the placeholder workflows of the same definition.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the item has a run already.
    pub async fn insert_run(&self, run: &NewRun, placement: RunPlacement) -> StoreResult<RunRow> {
        let run_id = new_id();
        let mut tx = self.pool.begin().await?;
        let (workflow_id, item_id) = match placement {
            RunPlacement::NewWorkflow { workflow, run_item } => {
                delete_pending(
                    &mut tx,
                    &workflow.application_id,
                    Some(&workflow.definition),
                )
                .await?;
                let (id, items) = insert_workflow(&mut tx, &workflow).await?;
                let item = items
                    .get(run_item)
                    .cloned()
                    .ok_or_else(|| StoreError::Invalid("run item out of range".into()))?;
                sqlx::query("UPDATE workflow_items SET run_id = $1 WHERE id = $2")
                    .bind(&run_id)
                    .bind(&item)
                    .execute(&mut *tx)
                    .await?;
                (id, item)
            }
            RunPlacement::Item(item_id) => {
                // The first statement writes, so the transaction takes SQLite's write lock at
                // once instead of failing to upgrade a stale read.
                let claimed = sqlx::query(
                    "UPDATE workflow_items SET run_id = $1, updated_at = $2 WHERE id = $3 AND run_id IS NULL",
                )
                .bind(&run_id)
                .bind(now())
                .bind(&item_id)
                .execute(&mut *tx)
                .await?;
                if claimed.rows_affected() != 1 {
                    return Err(StoreError::Conflict(format!(
                        "a run of workflow item {item_id}"
                    )));
                }
                let (workflow_id,): (String,) =
                    sqlx::query_as("SELECT workflow_id FROM workflow_items WHERE id = $1")
                        .bind(&item_id)
                        .fetch_one(&mut *tx)
                        .await?;
                (workflow_id, item_id)
            }
        };
        let row = RunRow {
            id: run_id,
            application_id: run.application_id.clone(),
            pipeline_id: run.pipeline_id.clone(),
            workflow_id,
            item_id: item_id.clone(),
            source_run_id: run.source_run_id.clone(),
            user_id: run.user_id.clone(),
            kind: run.kind.clone(),
            branch: run.branch.clone(),
            commit_hash: run.commit_hash.clone(),
            message: run.message.clone(),
            env_vars: run.env_vars.clone(),
            status: run.status.clone(),
            result: "unknown".into(),
            progress: 0,
            current_step: None,
            total_steps: None,
            step_name: None,
            created_at: now(),
            started_at: None,
            finished_at: None,
            wercker_yml: None,
            tag: run.tag.clone(),
        };
        sqlx::query(
            "INSERT INTO runs (id, application_id, pipeline_id, workflow_id, item_id, source_run_id, \
             user_id, kind, branch, commit_hash, message, env_vars, created_at, status, tag) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(&row.id)
        .bind(&row.application_id)
        .bind(&row.pipeline_id)
        .bind(&row.workflow_id)
        .bind(&row.item_id)
        .bind(&row.source_run_id)
        .bind(&row.user_id)
        .bind(&row.kind)
        .bind(&row.branch)
        .bind(&row.commit_hash)
        .bind(&row.message)
        .bind(&row.env_vars)
        .bind(&row.created_at)
        .bind(&row.status)
        .bind(&row.tag)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE workflow_items SET status = $1 WHERE id = $2")
            .bind(&row.status)
            .bind(&item_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The run with this id.
    pub async fn run_by_id(&self, id: &str) -> StoreResult<Option<RunRow>> {
        Ok(sqlx::query_as("SELECT * FROM runs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Runs matching `filter`.
    pub async fn list_runs(
        &self,
        filter: &RunFilter,
        sort: RunSort,
        limit: i64,
        skip: i64,
    ) -> StoreResult<Vec<RunRow>> {
        let mut sql = String::from(
            "SELECT runs.* FROM runs JOIN applications ON applications.id = runs.application_id WHERE 1 = 1",
        );
        let mut binds: Vec<String> = Vec::new();
        let mut add = |column: &str, value: &Option<String>| {
            if let Some(value) = value {
                binds.push(value.clone());
                sql.push_str(&format!(" AND {column} = ${}", binds.len()));
            }
        };
        add("runs.application_id", &filter.application_id);
        add("runs.pipeline_id", &filter.pipeline_id);
        add("runs.status", &filter.status);
        add("runs.result", &filter.result);
        add("runs.branch", &filter.branch);
        add("runs.commit_hash", &filter.commit);
        add("runs.source_run_id", &filter.source_run);
        add("runs.kind", &filter.kind);
        add("runs.tag", &filter.tag);
        if let Some(author) = &filter.author {
            binds.push(fold_case(author));
            sql.push_str(&format!(
                " AND runs.user_id IN (SELECT id FROM users WHERE lower(username) = ${})",
                binds.len()
            ));
        }
        if let Some(ids) = &filter.pipeline_ids {
            if ids.is_empty() {
                sql.push_str(" AND 1 = 0");
            }
            let mut marks = Vec::with_capacity(ids.len());
            for id in ids {
                binds.push(id.clone());
                marks.push(format!("${}", binds.len()));
            }
            if !marks.is_empty() {
                sql.push_str(&format!(" AND runs.pipeline_id IN ({})", marks.join(", ")));
            }
        }
        if let Some(ms) = filter.active_since_ms {
            let since = iso_from_millis(ms).ok_or_else(|| {
                StoreError::Invalid(format!("{ms} is not a time in milliseconds since 1970"))
            })?;
            binds.push(since);
            let n = binds.len();
            sql.push_str(&format!(
                " AND (runs.created_at >= ${n} OR runs.started_at >= ${n} \
                 OR runs.finished_at >= ${n} OR runs.status = 'running')"
            ));
        }
        if let Some(viewer) = &filter.viewer {
            binds.push(viewer.clone().unwrap_or_default());
            sql.push_str(&format!(" AND {}", crate::orgs::visible_to(binds.len())));
        }
        let order = match sort {
            RunSort::CreationDateDesc => "DESC",
            RunSort::CreationDateAsc => "ASC",
        };
        sql.push_str(&format!(
            " ORDER BY runs.created_at {order}, runs.id {order} LIMIT ${} OFFSET ${}",
            binds.len() + 1,
            binds.len() + 2
        ));
        let mut query = sqlx::query_as(&sql);
        for value in &binds {
            query = query.bind(value);
        }
        let (limit, skip) = crate::page(limit, skip);
        Ok(query.bind(limit).bind(skip).fetch_all(&self.pool).await?)
    }

    /// The oldest queued (`notstarted`) runs, at most `limit`.
    pub async fn queued_runs(&self, limit: i64) -> StoreResult<Vec<RunRow>> {
        self.runs_with_status("notstarted", limit).await
    }

    /// Runs in `status`, oldest first, at most `limit`.
    pub async fn runs_with_status(&self, status: &str, limit: i64) -> StoreResult<Vec<RunRow>> {
        Ok(
            sqlx::query_as("SELECT * FROM runs WHERE status = $1 ORDER BY created_at, id LIMIT $2")
                .bind(status)
                .bind(crate::page(limit, 0).0)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Sets a run's state and mirrors it on its workflow item, but only if the run's status is
    /// one of `expected` (a compare-and-set: claiming a queued run and finishing a running one
    /// cannot both win). Returns the updated run, or `None` when the status did not match.
    ///
    /// This is the only write of a run's status; the engine calls it from one function.
    pub async fn set_run_state(
        &self,
        run_id: &str,
        expected: &[&str],
        state: &RunState,
    ) -> StoreResult<Option<RunRow>> {
        if expected.is_empty() {
            // Nothing can match; PostgreSQL would refuse the empty `IN ()` that SQLite takes.
            return Ok(None);
        }
        let at = now();
        let placeholders: Vec<String> =
            (0..expected.len()).map(|i| format!("${}", i + 9)).collect();
        let sql = format!(
            "UPDATE runs SET status = $1, result = $2, progress = $3, current_step = $4, \
             total_steps = $5, step_name = $6, \
             started_at = CASE WHEN $1 = 'notstarted' THEN started_at ELSE COALESCE(started_at, $7) END, \
             finished_at = CASE WHEN $1 = 'finished' THEN COALESCE(finished_at, $7) ELSE NULL END \
             WHERE id = $8 AND status IN ({})",
            placeholders.join(", ")
        );
        let mut tx = self.pool.begin().await?;
        let mut query = sqlx::query(&sql)
            .bind(&state.status)
            .bind(&state.result)
            .bind(state.progress)
            .bind(state.current_step)
            .bind(state.total_steps)
            .bind(&state.step_name)
            .bind(&at)
            .bind(run_id);
        for status in expected {
            query = query.bind(*status);
        }
        if query.execute(&mut *tx).await?.rows_affected() == 0 {
            return Ok(None);
        }
        let run: RunRow = sqlx::query_as("SELECT * FROM runs WHERE id = $1")
            .bind(run_id)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE workflow_items SET status = $1, result = $2, progress = $3, current_step = $4, \
             total_steps = $5, step_name = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(&state.status)
        .bind(&state.result)
        .bind(state.progress)
        .bind(state.current_step)
        .bind(state.total_steps)
        .bind(&state.step_name)
        .bind(&at)
        .bind(&run.item_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE workflows SET updated_at = $1, \
             started_at = CASE WHEN $2 = 'notstarted' THEN started_at ELSE COALESCE(started_at, $1) END \
             WHERE id = $3",
        )
        .bind(&at)
        .bind(&state.status)
        .bind(&run.workflow_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(run))
    }

    /// Records what the checkout found: the commit, the wercker.yml, and the commit's message
    /// when the run has none of its own. The workflow takes them too when it had none.
    pub async fn set_run_checkout(
        &self,
        run_id: &str,
        commit_hash: &str,
        commit_message: &str,
        wercker_yml: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE runs SET commit_hash = $1, wercker_yml = $4, \
             message = CASE WHEN message = '' THEN $2 ELSE message END WHERE id = $3",
        )
        .bind(commit_hash)
        .bind(commit_message)
        .bind(run_id)
        .bind(wercker_yml)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE workflows SET \
             commit_hash = CASE WHEN commit_hash = '' THEN $1 ELSE commit_hash END, \
             message = CASE WHEN message = '' THEN $2 ELSE message END \
             WHERE id = (SELECT workflow_id FROM runs WHERE id = $3) AND trigger = 'git'",
        )
        .bind(commit_hash)
        .bind(commit_message)
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
