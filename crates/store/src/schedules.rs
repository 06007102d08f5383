//! Schedules: pipelines run at the times of a cron pattern. The store keeps each schedule's
//! next due time; moving it forward is a compare-and-set, so that of several servers on one
//! database exactly one starts each scheduled run.

use crate::ids::{new_id, now};
use crate::{ScheduleRow, Store, StoreResult};

impl Store {
    /// Records a schedule of `pipeline_id`, first due at `next_at` (ISO-8601 UTC, as
    /// [`now`] writes it).
    pub async fn create_schedule(
        &self,
        pipeline_id: &str,
        cron: &str,
        branch: &str,
        user_id: &str,
        next_at: &str,
    ) -> StoreResult<ScheduleRow> {
        let row = ScheduleRow {
            id: new_id(),
            pipeline_id: pipeline_id.into(),
            cron: cron.into(),
            branch: branch.into(),
            user_id: user_id.into(),
            next_at: next_at.into(),
            created_at: now(),
        };
        sqlx::query(
            "INSERT INTO schedules (id, pipeline_id, cron, branch, user_id, next_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&row.id)
        .bind(&row.pipeline_id)
        .bind(&row.cron)
        .bind(&row.branch)
        .bind(&row.user_id)
        .bind(&row.next_at)
        .bind(&row.created_at)
        .execute(&self.pool)
        .await?;
        Ok(row)
    }

    /// The schedules of a pipeline, oldest first.
    pub async fn schedules_of_pipeline(&self, pipeline_id: &str) -> StoreResult<Vec<ScheduleRow>> {
        Ok(
            sqlx::query_as(
                "SELECT * FROM schedules WHERE pipeline_id = $1 ORDER BY created_at, id",
            )
            .bind(pipeline_id)
            .fetch_all(&self.pool)
            .await?,
        )
    }

    /// The schedule with this id.
    pub async fn schedule_by_id(&self, id: &str) -> StoreResult<Option<ScheduleRow>> {
        Ok(sqlx::query_as("SELECT * FROM schedules WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Deletes a schedule; whether there was one.
    pub async fn delete_schedule(&self, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM schedules WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The schedules due at `at` or before, soonest first.
    pub async fn due_schedules(&self, at: &str) -> StoreResult<Vec<ScheduleRow>> {
        Ok(sqlx::query_as(
            "SELECT * FROM schedules WHERE next_at <= $1 ORDER BY next_at, id LIMIT 100",
        )
        .bind(at)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The earliest time any schedule is due, if there are any.
    pub async fn next_schedule_due(&self) -> StoreResult<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT next_at FROM schedules ORDER BY next_at LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(at,)| at))
    }

    /// Moves a schedule from `due` to `next`, if it is still due at `due`; whether this call
    /// moved it (and so starts the run).
    pub async fn advance_schedule(&self, id: &str, due: &str, next: &str) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE schedules SET next_at = $1 WHERE id = $2 AND next_at = $3")
            .bind(next)
            .bind(id)
            .bind(due)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
