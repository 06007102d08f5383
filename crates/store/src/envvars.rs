//! Environment variables of organizations (owner accounts), applications and pipelines.

use crate::ids::{new_id, now};
use crate::{EnvVarRow, Store, StoreError, StoreResult};

impl Store {
    /// Creates a variable in `scope` (`organization`, `application` or `pipeline`) of `target`
    /// (the owner's, application's or pipeline's id).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the target has a variable of that name.
    pub async fn create_envvar(
        &self,
        scope: &str,
        target: &str,
        key: &str,
        value: &str,
        protected: bool,
    ) -> StoreResult<EnvVarRow> {
        let at = now();
        let row = EnvVarRow {
            id: new_id(),
            scope: scope.into(),
            target: target.into(),
            key: key.into(),
            value: value.into(),
            protected: protected as i64,
            created_at: at.clone(),
            updated_at: at,
        };
        sqlx::query(
            "INSERT INTO envvars (id, scope, target, key, value, protected, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&row.id)
        .bind(&row.scope)
        .bind(&row.target)
        .bind(&row.key)
        .bind(&row.value)
        .bind(row.protected)
        .bind(&row.created_at)
        .bind(&row.updated_at)
        .execute(&self.pool)
        .await
        .map_err(|e| StoreError::conflict_on(e, format!("variable {key:?}")))?;
        Ok(row)
    }

    /// The variables of a target, by name.
    pub async fn envvars_of(&self, scope: &str, target: &str) -> StoreResult<Vec<EnvVarRow>> {
        Ok(
            sqlx::query_as("SELECT * FROM envvars WHERE scope = $1 AND target = $2 ORDER BY key")
                .bind(scope)
                .bind(target)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The variable with this id.
    pub async fn envvar_by_id(&self, id: &str) -> StoreResult<Option<EnvVarRow>> {
        Ok(sqlx::query_as("SELECT * FROM envvars WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Changes a variable's name, value or protection; `None` keeps what it was. A protected
    /// variable stays protected.
    pub async fn update_envvar(
        &self,
        id: &str,
        key: Option<&str>,
        value: Option<&str>,
        protected: Option<bool>,
    ) -> StoreResult<EnvVarRow> {
        sqlx::query(
            "UPDATE envvars SET key = COALESCE($1, key), value = COALESCE($2, value), \
             protected = CASE WHEN protected = 1 THEN 1 ELSE COALESCE($3, protected) END, \
             updated_at = $4 WHERE id = $5",
        )
        .bind(key)
        .bind(value)
        .bind(protected.map(i64::from))
        .bind(now())
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(|e| StoreError::conflict_on(e, format!("variable {:?}", key.unwrap_or(""))))?;
        self.envvar_by_id(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("variable {id}")))
    }

    /// Deletes a variable.
    pub async fn delete_envvar(&self, id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM envvars WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The variables a run of `pipeline_id` in `application_id` of `owner_id` gets, in export
    /// order: the owner's (organization scope), the application's, then the pipeline's, each
    /// level overriding the one before.
    pub async fn envvars_for_run(
        &self,
        owner_id: &str,
        application_id: &str,
        pipeline_id: &str,
    ) -> StoreResult<Vec<EnvVarRow>> {
        Ok(sqlx::query_as(
            "SELECT * FROM envvars WHERE (scope = 'organization' AND target = $3) \
             OR (scope = 'application' AND target = $1) \
             OR (scope = 'pipeline' AND target = $2) \
             ORDER BY CASE scope WHEN 'organization' THEN 0 WHEN 'application' THEN 1 ELSE 2 END, key",
        )
        .bind(application_id)
        .bind(pipeline_id)
        .bind(owner_id)
        .fetch_all(&self.pool)
        .await?)
    }
}
