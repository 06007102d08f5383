//! Organizations, their members, and the collaborators of applications.

use crate::ids::{new_id, now};
use crate::{CollaboratorRow, MemberRow, Store, StoreError, StoreResult, UserRow};

/// The condition, in SQL over `applications`, that the user `$n` may see an application:
/// it is public, theirs, their organization's, or they collaborate on it.
pub(crate) fn visible_to(param: usize) -> String {
    format!(
        "(applications.privacy = 'public' OR applications.owner_id = ${param} \
         OR EXISTS (SELECT 1 FROM org_members m WHERE m.org_id = applications.owner_id AND m.user_id = ${param}) \
         OR EXISTS (SELECT 1 FROM collaborators c WHERE c.application_id = applications.id AND c.user_id = ${param}))"
    )
}

impl Store {
    /// Creates an organization with `creator` as its first admin.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the name is taken by a user or an organization.
    pub async fn create_organization(
        &self,
        name: &str,
        email: &str,
        creator_id: &str,
    ) -> StoreResult<UserRow> {
        let row = UserRow {
            id: new_id(),
            username: name.into(),
            name: name.into(),
            created_at: now(),
            password_hash: None,
            kind: "organization".into(),
            email: email.into(),
        };
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO users (id, username, name, created_at, kind, email) VALUES ($1, $2, $3, $4, 'organization', $5)",
        )
        .bind(&row.id)
        .bind(&row.username)
        .bind(&row.name)
        .bind(&row.created_at)
        .bind(&row.email)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::conflict_on(e, format!("an account named {name:?}")))?;
        sqlx::query("INSERT INTO org_members (org_id, user_id, role, created_at) VALUES ($1, $2, 'admin', $3)")
            .bind(&row.id)
            .bind(creator_id)
            .bind(&row.created_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Deletes an organization that owns no application.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when it still owns applications.
    pub async fn delete_organization(&self, org_id: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        Self::lock_account(&mut tx, org_id).await?;
        let (apps,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM applications WHERE owner_id = $1")
                .bind(org_id)
                .fetch_one(&mut *tx)
                .await?;
        if apps > 0 {
            return Err(StoreError::Invalid(format!(
                "the organization still owns {apps} applications"
            )));
        }
        sqlx::query("DELETE FROM org_members WHERE org_id = $1")
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM envvars WHERE scope = 'organization' AND target = $1")
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM users WHERE id = $1 AND kind = 'organization'")
            .bind(org_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organizations `user_id` belongs to, by name.
    pub async fn organizations_of(&self, user_id: &str) -> StoreResult<Vec<UserRow>> {
        Ok(sqlx::query_as(
            "SELECT users.* FROM users JOIN org_members m ON m.org_id = users.id \
             WHERE m.user_id = $1 ORDER BY lower(users.username)",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The members of an organization, by name.
    pub async fn members_of(&self, org_id: &str) -> StoreResult<Vec<MemberRow>> {
        Ok(sqlx::query_as(
            "SELECT m.user_id, users.username, m.role FROM org_members m JOIN users ON users.id = m.user_id \
             WHERE m.org_id = $1 ORDER BY lower(users.username)",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The role (`member` or `admin`) of `user_id` in the organization `org_id`, if any.
    pub async fn member_role(&self, org_id: &str, user_id: &str) -> StoreResult<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT role FROM org_members WHERE org_id = $1 AND user_id = $2")
                .bind(org_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(role,)| role))
    }

    /// Adds a member, or changes their role.
    pub async fn set_member(&self, org_id: &str, user_id: &str, role: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        Self::lock_account(&mut tx, org_id).await?;
        // One statement, so that two servers adding the same member at once cannot both
        // insert (SQLite serializes writers; PostgreSQL does not).
        sqlx::query(
            "INSERT INTO org_members (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role",
        )
        .bind(org_id)
        .bind(user_id)
        .bind(role)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        Self::keep_an_admin(&mut tx, org_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a member; the last admin cannot leave.
    pub async fn remove_member(&self, org_id: &str, user_id: &str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        Self::lock_account(&mut tx, org_id).await?;
        sqlx::query("DELETE FROM org_members WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        Self::keep_an_admin(&mut tx, org_id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes the transaction the only one changing account `id` until it ends: a write to
    /// its row takes the row's lock on PostgreSQL (SQLite lets one writer in at a time
    /// anyway), so checks such as "one admin is left" see every committed change. An
    /// account deleted meanwhile is [`StoreError::NotFound`].
    pub(crate) async fn lock_account(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        id: &str,
    ) -> StoreResult<()> {
        let locked = sqlx::query("UPDATE users SET id = id WHERE id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        // Gone since the caller looked it up (deleted by a request running at once).
        if locked.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("account {id:?}")));
        }
        Ok(())
    }

    async fn keep_an_admin(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        org_id: &str,
    ) -> StoreResult<()> {
        let (admins,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM org_members WHERE org_id = $1 AND role = 'admin'")
                .bind(org_id)
                .fetch_one(&mut **tx)
                .await?;
        if admins == 0 {
            return Err(StoreError::Invalid(
                "an organization keeps at least one admin".into(),
            ));
        }
        Ok(())
    }

    /// The collaborators of an application, by name.
    pub async fn collaborators_of(
        &self,
        application_id: &str,
    ) -> StoreResult<Vec<CollaboratorRow>> {
        Ok(sqlx::query_as(
            "SELECT c.user_id, users.username, c.level FROM collaborators c JOIN users ON users.id = c.user_id \
             WHERE c.application_id = $1 ORDER BY lower(users.username)",
        )
        .bind(application_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The level of `user_id` as a collaborator of an application, if any.
    pub async fn collaborator_level(
        &self,
        application_id: &str,
        user_id: &str,
    ) -> StoreResult<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT level FROM collaborators WHERE application_id = $1 AND user_id = $2",
        )
        .bind(application_id)
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(level,)| level))
    }

    /// Adds a collaborator, or changes their level.
    pub async fn set_collaborator(
        &self,
        application_id: &str,
        user_id: &str,
        level: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO collaborators (application_id, user_id, level, created_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (application_id, user_id) DO UPDATE SET level = excluded.level",
        )
        .bind(application_id)
        .bind(user_id)
        .bind(level)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes a collaborator.
    pub async fn remove_collaborator(
        &self,
        application_id: &str,
        user_id: &str,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM collaborators WHERE application_id = $1 AND user_id = $2")
            .bind(application_id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
