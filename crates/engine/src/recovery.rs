//! Runs interrupted from outside: recovery after a crash or a kill, and aborts.

use werk_executor::LocalExecutor;
use werk_store::RunRow;

use crate::logs::RunLogs;
use crate::state::{Target, transition};
use crate::{ABORT_CONFIRM_TIMEOUT, Engine, EngineError, EngineResult};

impl Engine {
    /// Marks runs that a previous process left `running` as failed, with a line in the log
    /// of the step that was running, and kills the processes they left behind. Queued runs
    /// are left for the dispatcher. A run that cannot be recorded is logged and skipped.
    pub(crate) async fn recover(&self) -> EngineResult<()> {
        for run in self.store.runs_with_status("running", i64::MAX).await? {
            if let Err(err) = self.recover_run(&run).await {
                tracing::error!(run_id = %run.id, error = %err, "cannot mark an interrupted run failed");
            }
        }
        Ok(())
    }

    async fn recover_run(&self, run: &RunRow) -> EngineResult<()> {
        let work_dir = self.data_dir().join("builds").join(&run.id);
        LocalExecutor::kill_leftovers(&work_dir);
        if let Some(docker) = self.executor.docker() {
            docker.remove_leftovers(&run.id).await;
        }
        let _ = tokio::fs::remove_dir_all(&work_dir).await;
        let steps = self.store.steps_of_run(&run.id).await?;
        let interrupted = steps
            .iter()
            .rev()
            .find(|s| s.status == "running")
            .or_else(|| {
                steps
                    .iter()
                    .find(|s| Some(s.ord) == run.current_step && s.status != "finished")
            });
        if let Some(step) = interrupted {
            let line = "\nwerk stopped while this step was running, so the run failed; trigger it again to retry\n";
            let mut logs = RunLogs::new(self.data_dir(), &run.id);
            logs.set_step_id(step.ord, step.id.clone());
            let _ = logs.append(step.ord, line.as_bytes()).await;
            self.store
                .set_step_state(
                    &run.id,
                    step.ord,
                    "finished",
                    "failed",
                    Some("werk stopped during this step"),
                )
                .await?;
        }
        transition(&self.store, run, Target::Finished("failed")).await?;
        tracing::warn!(run_id = %run.id, "run left running by a previous process marked failed");
        Ok(())
    }

    /// Approves a run waiting for an approval: it is queued and starts as soon as a slot is
    /// free.
    ///
    /// # Errors
    /// [`EngineError::NotFound`] when there is no such run; [`EngineError::Unprocessable`]
    /// when it is not waiting for an approval.
    pub async fn approve(&self, run_id: &str) -> EngineResult<RunRow> {
        let run = self
            .store
            .run_by_id(run_id)
            .await?
            .ok_or_else(|| EngineError::NotFound(format!("no run with id {run_id:?}")))?;
        let Some(approved) = transition(&self.store, &run, Target::Approved).await? else {
            return Err(EngineError::Unprocessable(format!(
                "run {run_id:?} is {}, not waiting for an approval",
                run.status
            )));
        };
        tracing::info!(run_id, "run approved");
        self.wake.notify_one();
        self.notify_change();
        Ok(approved)
    }

    /// Aborts a run: a queued or waiting one at once, a running one by killing its step's processes and
    /// waiting (a few seconds at most) for the executor to confirm. A finished run is
    /// returned as it is.
    ///
    /// # Errors
    /// [`EngineError::NotFound`] when there is no such run.
    pub async fn abort(&self, run_id: &str) -> EngineResult<RunRow> {
        let not_found = || EngineError::NotFound(format!("no run with id {run_id:?}"));
        let run = self.store.run_by_id(run_id).await?.ok_or_else(not_found)?;
        if matches!(run.status.as_str(), "notstarted" | "pendingapproval")
            && let Some(aborted) =
                transition(&self.store, &run, Target::Finished("aborted")).await?
        {
            self.notify_change();
            return Ok(aborted);
        }
        let token = self
            .active
            .lock()
            .expect("active runs lock")
            .get(run_id)
            .cloned();
        match token {
            Some(token) => {
                let mut changes = self.subscribe();
                token.cancel();
                let wait = async {
                    loop {
                        match self.store.run_by_id(run_id).await {
                            Ok(Some(r)) if r.status == "finished" => break,
                            Err(_) | Ok(None) => break,
                            Ok(Some(_)) => {}
                        }
                        if changes.changed().await.is_err() {
                            break;
                        }
                    }
                };
                let _ = tokio::time::timeout(ABORT_CONFIRM_TIMEOUT, wait).await;
            }
            None => {
                let current = self.store.run_by_id(run_id).await?.ok_or_else(not_found)?;
                if current.status != "finished" {
                    transition(&self.store, &current, Target::Finished("aborted")).await?;
                    self.notify_change();
                }
            }
        }
        self.store.run_by_id(run_id).await?.ok_or_else(not_found)
    }
}
