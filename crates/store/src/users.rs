//! Users and personal tokens.

use crate::ids::{hash_token, new_id, new_token, now};
use crate::{Store, StoreError, StoreResult, TokenRow, UserRow};

impl Store {
    /// Creates a user.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the name is taken (case-insensitively).
    pub async fn create_user(&self, username: &str) -> StoreResult<UserRow> {
        let row = UserRow {
            id: new_id(),
            username: username.to_string(),
            name: username.to_string(),
            created_at: now(),
            password_hash: None,
            kind: "user".into(),
            email: String::new(),
        };
        sqlx::query("INSERT INTO users (id, username, name, created_at) VALUES ($1, $2, $3, $4)")
            .bind(&row.id)
            .bind(&row.username)
            .bind(&row.name)
            .bind(&row.created_at)
            .execute(&self.pool)
            .await
            .map_err(|e| StoreError::conflict_on(e, format!("user {username:?}")))?;
        Ok(row)
    }

    /// The user with this name, ignoring case.
    pub async fn user_by_name(&self, username: &str) -> StoreResult<Option<UserRow>> {
        Ok(
            sqlx::query_as("SELECT * FROM users WHERE lower(username) = $1")
                .bind(fold_case(username))
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The user with this id.
    pub async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRow>> {
        Ok(sqlx::query_as("SELECT * FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// How many users exist.
    pub async fn count_users(&self) -> StoreResult<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    /// Sets (or with `None` removes) a user's password hash.
    pub async fn set_password_hash(&self, user_id: &str, hash: Option<&str>) -> StoreResult<()> {
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("user {user_id}")));
        }
        Ok(())
    }

    /// The tokens of a user, newest first.
    pub async fn tokens_of_user(&self, user_id: &str) -> StoreResult<Vec<TokenRow>> {
        Ok(sqlx::query_as(
            "SELECT * FROM tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The token with this id, if it belongs to `user_id`.
    pub async fn token_of_user(&self, user_id: &str, id: &str) -> StoreResult<Option<TokenRow>> {
        Ok(
            sqlx::query_as("SELECT * FROM tokens WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Renames a token of `user_id`.
    pub async fn rename_token(&self, user_id: &str, id: &str, name: &str) -> StoreResult<TokenRow> {
        sqlx::query("UPDATE tokens SET name = $1 WHERE id = $2 AND user_id = $3")
            .bind(name)
            .bind(id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        self.token_of_user(user_id, id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("token {id}")))
    }

    /// Deletes a token of `user_id`; it stops authenticating at once.
    pub async fn delete_token(&self, user_id: &str, id: &str) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM tokens WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("token {id}")));
        }
        Ok(())
    }

    /// Creates a token for `user_id` and returns it with its plaintext, which is not stored.
    pub async fn create_token(&self, user_id: &str, name: &str) -> StoreResult<(TokenRow, String)> {
        let plaintext = new_token();
        let row = TokenRow {
            id: new_id(),
            user_id: user_id.to_string(),
            name: name.to_string(),
            hash: hash_token(&plaintext),
            last_characters: plaintext[plaintext.len() - 8..].to_string(),
            created_at: now(),
            last_used_at: None,
        };
        sqlx::query(
            "INSERT INTO tokens (id, user_id, name, hash, last_characters, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&row.id)
        .bind(&row.user_id)
        .bind(&row.name)
        .bind(&row.hash)
        .bind(&row.last_characters)
        .bind(&row.created_at)
        .execute(&self.pool)
        .await?;
        Ok((row, plaintext))
    }

    /// The user a token belongs to, if the token is valid; records its use (at most once a
    /// minute per token, so that reads stay reads).
    pub async fn user_by_token(&self, plaintext: &str) -> StoreResult<Option<UserRow>> {
        let hash = hash_token(plaintext);
        let found: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT user_id, last_used_at FROM tokens WHERE hash = $1")
                .bind(&hash)
                .fetch_optional(&self.pool)
                .await?;
        let Some((user_id, last_used_at)) = found else {
            return Ok(None);
        };
        let stale_before = (chrono::Utc::now()
            - chrono::Duration::seconds(TOKEN_USE_RESOLUTION_SECS))
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
        if last_used_at.is_none_or(|t| t < stale_before) {
            sqlx::query("UPDATE tokens SET last_used_at = $1 WHERE hash = $2")
                .bind(now())
                .bind(&hash)
                .execute(&self.pool)
                .await?;
        }
        self.user_by_id(&user_id).await
    }
}

/// A name as `lower()` folds a stored one on both backends: ASCII letters only (SQLite's
/// `lower()` folds no other, and PostgreSQL's folds no other on the schema's "C" text), so
/// that a name is compared alike wherever the folding happens.
pub(crate) fn fold_case(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// How precisely a token's last use is recorded, in seconds.
const TOKEN_USE_RESOLUTION_SECS: i64 = 60;
