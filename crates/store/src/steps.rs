//! The steps of a run.

use crate::ids::{new_id, now};
use crate::{RunStepRow, Store, StoreResult};

impl Store {
    /// Adds steps to a run; steps whose order exists already are left as they are.
    pub async fn insert_steps(
        &self,
        run_id: &str,
        steps: &[(i64, String, String)],
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        let created = now();
        for (ord, name, phase) in steps {
            sqlx::query(
                "INSERT INTO run_steps (id, run_id, ord, name, phase, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (run_id, ord) DO NOTHING",
            )
            .bind(new_id())
            .bind(run_id)
            .bind(*ord)
            .bind(name)
            .bind(phase)
            .bind(&created)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sets the status and result of a step; `started_at` and `finished_at` follow the status.
    pub async fn set_step_state(
        &self,
        run_id: &str,
        ord: i64,
        status: &str,
        result: &str,
        message: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE run_steps SET status = $1, result = $2, message = COALESCE($3, message), \
             started_at = COALESCE(started_at, $4), \
             finished_at = CASE WHEN $1 = 'finished' THEN COALESCE(finished_at, $4) ELSE finished_at END \
             WHERE run_id = $5 AND ord = $6",
        )
        .bind(status)
        .bind(result)
        .bind(message)
        .bind(now())
        .bind(run_id)
        .bind(ord)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The steps of a run, in order.
    pub async fn steps_of_run(&self, run_id: &str) -> StoreResult<Vec<RunStepRow>> {
        Ok(
            sqlx::query_as("SELECT * FROM run_steps WHERE run_id = $1 ORDER BY ord")
                .bind(run_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The step with this id.
    pub async fn step_by_id(&self, id: &str) -> StoreResult<Option<RunStepRow>> {
        Ok(sqlx::query_as("SELECT * FROM run_steps WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }
}
