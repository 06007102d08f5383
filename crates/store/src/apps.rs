//! Applications and their pipelines.

use crate::ids::{new_id, now};
use crate::users::fold_case;
use crate::{
    ApplicationRow, NewApplication, PipelineRow, PipelineSpec, Store, StoreError, StoreResult,
};

impl Store {
    /// Creates an application with the pipelines and workflows of its wercker.yml, in one
    /// transaction.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the owner has an application of that name.
    pub async fn create_application(
        &self,
        new: &NewApplication,
        pipelines: &[PipelineSpec],
        workflows_json: &str,
        yml_hash: &str,
    ) -> StoreResult<ApplicationRow> {
        let created = now();
        let row = ApplicationRow {
            id: new_id(),
            owner_id: new.owner_id.clone(),
            name: new.name.clone(),
            git_url: new.git_url.clone(),
            source_kind: new.source_kind.clone(),
            default_branch: new.default_branch.clone(),
            privacy: new.privacy.clone(),
            badge_key: crate::new_token()[..32].to_string(),
            push_key: crate::new_token()[..32].to_string(),
            theme: "Amethyst".to_string(),
            ignored_branches: "[]".to_string(),
            workflows: workflows_json.to_string(),
            yml_hash: yml_hash.to_string(),
            created_at: created.clone(),
            updated_at: created,
        };
        let mut tx = self.pool.begin().await?;
        // Not while its owner (an organization being deleted, say) changes.
        Self::lock_account(&mut tx, &row.owner_id).await?;
        sqlx::query(
            "INSERT INTO applications (id, owner_id, name, git_url, default_branch, privacy, \
             badge_key, theme, ignored_branches, workflows, yml_hash, created_at, updated_at, \
             source_kind, push_key) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(&row.id)
        .bind(&row.owner_id)
        .bind(&row.name)
        .bind(&row.git_url)
        .bind(&row.default_branch)
        .bind(&row.privacy)
        .bind(&row.badge_key)
        .bind(&row.theme)
        .bind(&row.ignored_branches)
        .bind(&row.workflows)
        .bind(&row.yml_hash)
        .bind(&row.created_at)
        .bind(&row.updated_at)
        .bind(&row.source_kind)
        .bind(&row.push_key)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::conflict_on(e, format!("application {:?}", new.name)))?;
        upsert_pipelines(&mut tx, &row.id, pipelines).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Replaces the pipelines and workflows of an application with those of a newer
    /// wercker.yml: new pipelines are added, known ones updated, missing ones deactivated
    /// (their runs stay readable).
    pub async fn sync_pipelines(
        &self,
        application_id: &str,
        pipelines: &[PipelineSpec],
        workflows_json: &str,
        yml_hash: &str,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE pipelines SET active = 0 WHERE application_id = $1 AND origin = 'yml'")
            .bind(application_id)
            .execute(&mut *tx)
            .await?;
        upsert_pipelines(&mut tx, application_id, pipelines).await?;
        sqlx::query(
            "UPDATE applications SET workflows = $1, yml_hash = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(workflows_json)
        .bind(yml_hash)
        .bind(now())
        .bind(application_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces an application's ignored branches (a JSON array of names).
    pub async fn set_ignored_branches(
        &self,
        application_id: &str,
        branches_json: &str,
    ) -> StoreResult<ApplicationRow> {
        sqlx::query("UPDATE applications SET ignored_branches = $1, updated_at = $2 WHERE id = $3")
            .bind(branches_json)
            .bind(now())
            .bind(application_id)
            .execute(&self.pool)
            .await?;
        self.application_by_id(application_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("application {application_id}")))
    }

    /// Creates a pipeline through the API; it is kept when wercker.yml changes.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the application has an active pipeline of that name.
    pub async fn create_api_pipeline(
        &self,
        application_id: &str,
        spec: &PipelineSpec,
        permissions: &str,
        set_scm_provider_status: bool,
    ) -> StoreResult<PipelineRow> {
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        // A pipeline of that name that wercker.yml no longer defines gives its name away.
        sqlx::query(
            "DELETE FROM pipelines WHERE application_id = $1 AND name = $2 AND active = 0 \
             AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.pipeline_id = pipelines.id)",
        )
        .bind(application_id)
        .bind(&spec.name)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO pipelines (id, application_id, name, pipeline_name, type, permissions, \
             set_scm_provider_status, active, created_at, origin) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, 'api')",
        )
        .bind(&id)
        .bind(application_id)
        .bind(&spec.name)
        .bind(&spec.pipeline_name)
        .bind(&spec.r#type)
        .bind(permissions)
        .bind(set_scm_provider_status as i64)
        .bind(now())
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::conflict_on(e, format!("pipeline {:?}", spec.name)))?;
        tx.commit().await?;
        self.pipeline_by_id(&id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("pipeline {id}")))
    }

    /// Turns manual approval of a pipeline's runs on or off.
    pub async fn set_manual_approval(
        &self,
        pipeline_id: &str,
        on: bool,
    ) -> StoreResult<PipelineRow> {
        sqlx::query("UPDATE pipelines SET manual_approval = $1 WHERE id = $2")
            .bind(on as i64)
            .bind(pipeline_id)
            .execute(&self.pool)
            .await?;
        self.pipeline_by_id(pipeline_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("pipeline {pipeline_id}")))
    }

    /// The application `name` of the user named `owner`, both ignoring case.
    pub async fn application_by_owner_name(
        &self,
        owner: &str,
        name: &str,
    ) -> StoreResult<Option<ApplicationRow>> {
        Ok(sqlx::query_as(
            "SELECT applications.* FROM applications JOIN users ON users.id = applications.owner_id \
             WHERE lower(users.username) = $1 AND lower(applications.name) = $2",
        )
        .bind(fold_case(owner))
        .bind(fold_case(name))
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The application whose push hook URL holds `push_key`.
    pub async fn application_by_push_key(
        &self,
        push_key: &str,
    ) -> StoreResult<Option<ApplicationRow>> {
        if push_key.is_empty() {
            return Ok(None);
        }
        Ok(
            sqlx::query_as("SELECT * FROM applications WHERE push_key = $1")
                .bind(push_key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The application with this id.
    pub async fn application_by_id(&self, id: &str) -> StoreResult<Option<ApplicationRow>> {
        Ok(sqlx::query_as("SELECT * FROM applications WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The applications of an owner that `viewer` may see (public ones, and the private ones
    /// of their own, of their organizations, or that they collaborate on), by name.
    pub async fn applications_of_owner(
        &self,
        owner_id: &str,
        viewer: Option<&str>,
        limit: i64,
        skip: i64,
        order: AppOrder,
    ) -> StoreResult<Vec<ApplicationRow>> {
        self.list_applications(Some(owner_id), viewer, limit, skip, order)
            .await
    }

    /// The applications of every owner that `viewer` may see, as
    /// [`Store::applications_of_owner`] chooses them.
    pub async fn visible_applications(
        &self,
        viewer: Option<&str>,
        limit: i64,
        skip: i64,
        order: AppOrder,
    ) -> StoreResult<Vec<ApplicationRow>> {
        self.list_applications(None, viewer, limit, skip, order)
            .await
    }

    async fn list_applications(
        &self,
        owner_id: Option<&str>,
        viewer: Option<&str>,
        limit: i64,
        skip: i64,
        order: AppOrder,
    ) -> StoreResult<Vec<ApplicationRow>> {
        let order = match order {
            AppOrder::NameAsc => "lower(name) ASC",
            AppOrder::NameDesc => "lower(name) DESC",
            AppOrder::CreatedAtAsc => "created_at ASC",
            AppOrder::CreatedAtDesc => "created_at DESC",
            AppOrder::UpdatedAtAsc => "updated_at ASC",
            AppOrder::UpdatedAtDesc => "updated_at DESC",
        };
        let mut binds = vec![viewer.unwrap_or("")];
        let mut sql = format!(
            "SELECT * FROM applications WHERE {}",
            crate::orgs::visible_to(1)
        );
        if let Some(owner_id) = owner_id {
            binds.push(owner_id);
            sql.push_str(&format!(" AND owner_id = ${}", binds.len()));
        }
        sql.push_str(&format!(
            " ORDER BY {order}, id LIMIT ${} OFFSET ${}",
            binds.len() + 1,
            binds.len() + 2
        ));
        let mut query = sqlx::query_as(&sql);
        for value in binds {
            query = query.bind(value);
        }
        let (limit, skip) = crate::page(limit, skip);
        Ok(query.bind(limit).bind(skip).fetch_all(&self.pool).await?)
    }

    /// The active pipelines of an application, in creation order.
    pub async fn pipelines_of_application(
        &self,
        application_id: &str,
        limit: i64,
        skip: i64,
    ) -> StoreResult<Vec<PipelineRow>> {
        let (limit, skip) = crate::page(limit, skip);
        Ok(sqlx::query_as(
            "SELECT * FROM pipelines WHERE application_id = $1 AND active = 1 \
             ORDER BY created_at, id LIMIT $2 OFFSET $3",
        )
        .bind(application_id)
        .bind(limit)
        .bind(skip)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The pipeline with this id, active or not.
    pub async fn pipeline_by_id(&self, id: &str) -> StoreResult<Option<PipelineRow>> {
        Ok(sqlx::query_as("SELECT * FROM pipelines WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The active pipeline of an application with this name.
    pub async fn pipeline_by_name(
        &self,
        application_id: &str,
        name: &str,
    ) -> StoreResult<Option<PipelineRow>> {
        Ok(sqlx::query_as(
            "SELECT * FROM pipelines WHERE application_id = $1 AND name = $2 AND active = 1",
        )
        .bind(application_id)
        .bind(name)
        .fetch_optional(&self.pool)
        .await?)
    }
}

async fn upsert_pipelines(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    application_id: &str,
    pipelines: &[PipelineSpec],
) -> StoreResult<()> {
    for spec in pipelines {
        // Known pipelines keep their id, permissions and creation time. One statement, so
        // that two servers reading the same new wercker.yml at once cannot both insert.
        let is_git = spec.r#type == "git";
        sqlx::query(
            "INSERT INTO pipelines (id, application_id, name, pipeline_name, type, permissions, \
             set_scm_provider_status, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) \
             ON CONFLICT (application_id, name) DO UPDATE SET \
             pipeline_name = excluded.pipeline_name, type = excluded.type, active = 1",
        )
        .bind(new_id())
        .bind(application_id)
        .bind(&spec.name)
        .bind(&spec.pipeline_name)
        .bind(&spec.r#type)
        .bind(if is_git { "public" } else { "read" })
        .bind(is_git as i64)
        .bind(now())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Orders of an application listing (`sort` of `GET /api/v3/applications/:owner`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppOrder {
    /// By name, A to Z (the default).
    #[default]
    NameAsc,
    /// By name, Z to A.
    NameDesc,
    /// Oldest first.
    CreatedAtAsc,
    /// Newest first.
    CreatedAtDesc,
    /// Least recently updated first.
    UpdatedAtAsc,
    /// Most recently updated first.
    UpdatedAtDesc,
}
