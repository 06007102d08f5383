//! Executing runs: the dispatcher's claim, the per-run task that turns executor events into
//! steps, logs and state, recovery after a restart, and abort.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use werk_executor::{Event, Executor, Job, Limits, Outcome, Phase, RunKind, Source};
use werk_store::{ApplicationRow, RunRow, RunStepRow};

use crate::logs::RunLogs;
use crate::mask::Masker;
use crate::state::{Target, transition};
use crate::trigger::EnvVar;
use crate::{Engine, EngineError, EngineResult, repo};

/// Largest cache an application keeps between runs, as Wercker's 1000 MB.
const CACHE_LIMIT_BYTES: u64 = 1000 * 1024 * 1024;

/// How often recording the failure of a broken run task is tried.
const RECORD_ATTEMPTS: usize = 5;

/// Pause between those tries.
const RECORD_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_secs(1);

/// Events buffered between an executor and its run task; the bound is what keeps a fast
/// producer of logs from growing memory.
const EVENT_BUFFER: usize = 64;

impl Engine {
    /// Claims queued runs, oldest first, while executor slots are free, and starts a task
    /// for each.
    pub(crate) async fn dispatch_queued(self: &Arc<Self>) -> EngineResult<()> {
        loop {
            let Ok(permit) = self.slots.clone().try_acquire_owned() else {
                return Ok(());
            };
            let Some(queued) = self.store.queued_runs(1).await?.into_iter().next() else {
                return Ok(());
            };
            // The token is registered before the claim, so that an abort arriving right after
            // the claim always finds something to cancel.
            let token = CancellationToken::new();
            self.active
                .lock()
                .expect("active runs lock")
                .insert(queued.id.clone(), token.clone());
            // Another dispatcher or an abort may have moved it first; then try the next one.
            let Some(run) = transition(&self.store, &queued, Target::Running).await? else {
                self.active
                    .lock()
                    .expect("active runs lock")
                    .remove(&queued.id);
                continue;
            };
            self.notify_change();
            let engine = Arc::clone(self);
            tokio::spawn(async move {
                let run_id = run.id.clone();
                if let Err(err) = engine.execute(run, token.clone()).await {
                    tracing::error!(run_id = %run_id, error = %err, "run task failed");
                    token.cancel();
                    engine.fail_after_error(&run_id, &err).await;
                }
                engine
                    .active
                    .lock()
                    .expect("active runs lock")
                    .remove(&run_id);
                drop(permit);
                engine.wake.notify_one();
                engine.notify_change();
            });
        }
    }

    /// Where the artifact of a run is kept.
    pub fn artifact_path(&self, run_id: &str) -> PathBuf {
        self.data_dir()
            .join("artifacts")
            .join(format!("{run_id}.tar"))
    }

    /// Runs one claimed run to its end.
    async fn execute(&self, run: RunRow, cancel: CancellationToken) -> EngineResult<()> {
        let app = self
            .store
            .application_by_id(&run.application_id)
            .await?
            .ok_or_else(|| {
                EngineError::Internal(format!("application of run {} is gone", run.id))
            })?;
        self.store
            .insert_steps(
                &run.id,
                &[
                    (1, "get code".into(), "builtin".into()),
                    (2, "setup environment".into(), "builtin".into()),
                ],
            )
            .await?;
        let mut steps = StepIndex::load(self, &run.id).await?;
        let mut logs = RunLogs::new(self.data_dir(), &run.id);
        steps.share_ids(&mut logs);
        let (job, masker) = self.job_for(&run, &app).await?;
        logs.set_masker(masker.clone());
        let work_dir = job.work_dir.clone();

        let (events_tx, mut events) = mpsc::channel(EVENT_BUFFER);
        let executor = Arc::clone(&self.executor);
        let executor_cancel = cancel.clone();
        let handle =
            tokio::spawn(async move { executor.run(job, events_tx, executor_cancel).await });

        let mut outcome = None;
        let mut current_ord = 1;
        while let Some(event) = events.recv().await {
            match event {
                Event::CheckedOut {
                    commit,
                    message,
                    yml,
                } => {
                    self.store
                        .set_run_checkout(&run.id, &commit, message.trim_end(), yml.as_deref())
                        .await?;
                    // Only the default branch defines the application's pipelines.
                    if let (Some(text), None) = (yml, &run.source_run_id)
                        && run.branch == app.default_branch
                        && app.source_kind == "git"
                        && let Err(err) = self.refresh_definitions(&app, &run.user_id, &text).await
                    {
                        tracing::warn!(run_id = %run.id, error = %err, "cannot refresh pipelines");
                    }
                }
                Event::StepsPlanned(planned) => {
                    let rows: Vec<(i64, String, String)> = planned
                        .iter()
                        .map(|s| {
                            (
                                s.order as i64,
                                s.name.clone(),
                                phase_name(s.phase).to_string(),
                            )
                        })
                        .collect();
                    self.store.insert_steps(&run.id, &rows).await?;
                    steps = StepIndex::load(self, &run.id).await?;
                    steps.share_ids(&mut logs);
                    let total = planned.iter().filter(|s| s.phase != Phase::Final).count() as i64;
                    if !self
                        .progress(&run.id, current_ord, &steps, Some(total))
                        .await?
                    {
                        cancel.cancel();
                    }
                }
                Event::StepStarted { order } => {
                    let ord = order as i64;
                    self.store
                        .set_step_state(&run.id, ord, "running", "unknown", None)
                        .await?;
                    if steps.phase(ord) != Some("final") {
                        current_ord = ord;
                        if !self.progress(&run.id, ord, &steps, None).await? {
                            cancel.cancel();
                        }
                    }
                }
                Event::Log { order, data } => {
                    if let Err(err) = logs.append(order as i64, &data).await {
                        tracing::error!(run_id = %run.id, error = %err, "cannot write a step log");
                    }
                }
                Event::StepFinished {
                    order,
                    outcome,
                    message,
                } => {
                    let result = self.result_name(outcome);
                    let message = message.map(|m| masker.mask_text(&m));
                    self.store
                        .set_step_state(
                            &run.id,
                            order as i64,
                            "finished",
                            result,
                            message.as_deref(),
                        )
                        .await?;
                    if let Err(err) = logs.close(order as i64).await {
                        tracing::error!(run_id = %run.id, error = %err, "cannot write a step log");
                    }
                }
                Event::Finished { outcome: o } => outcome = Some(o),
            }
            self.notify_change();
        }
        let _ = handle.await;

        let result = match outcome {
            Some(o) => self.result_name(o),
            None => {
                let line = b"\nthe executor stopped without a result\n";
                let _ = logs.append(current_ord, line).await;
                "failed"
            }
        };
        if self.stopping.load(Ordering::SeqCst) && result == "failed" {
            let line = b"\nwerk was stopped during this step, so the run failed\n";
            let _ = logs.append(current_ord, line).await;
        }
        let latest = self.store.run_by_id(&run.id).await?.unwrap_or(run.clone());
        if latest.status != "running" {
            // An abort finished the run while it was being claimed; nothing more to record.
            return Ok(());
        }
        self.close_open_steps(&run.id, result).await?;
        if result == "passed" {
            self.queue_children(&latest).await?;
        }
        transition(&self.store, &latest, Target::Finished(result)).await?;
        tracing::info!(run_id = %run.id, result, "run finished");
        self.wake.notify_one();
        if result == "passed" {
            self.prune_saved_boxes(&latest).await;
        }
        if let Err(err) = tokio::fs::remove_dir_all(&work_dir).await {
            tracing::debug!(run_id = %run.id, error = %err, "cannot remove the build dir");
        }
        Ok(())
    }

    /// `passed`, `failed` or `aborted`; a kill during shutdown is a failure, not an abort.
    fn result_name(&self, outcome: Outcome) -> &'static str {
        match outcome {
            Outcome::Passed => "passed",
            Outcome::Aborted if self.stopping.load(Ordering::SeqCst) => "failed",
            Outcome::Aborted => "aborted",
            Outcome::Failed => "failed",
        }
    }

    /// Ends the steps a run leaves `running` (the executor stopped without finishing them).
    async fn close_open_steps(&self, run_id: &str, result: &str) -> EngineResult<()> {
        for step in self.store.steps_of_run(run_id).await? {
            if step.status == "running" {
                let result = if result == "passed" { "failed" } else { result };
                self.store
                    .set_step_state(run_id, step.ord, "finished", result, None)
                    .await?;
            }
        }
        Ok(())
    }

    /// Finishes a run whose task failed inside werk (a store error, say), so that it does
    /// not stay `running`: a line in the log of its current step says why. Retries a few
    /// times, since the cause may be a busy database.
    async fn fail_after_error(&self, run_id: &str, err: &EngineError) {
        for _ in 0..RECORD_ATTEMPTS {
            let finished = async {
                let Some(run) = self.store.run_by_id(run_id).await? else {
                    return Ok::<_, EngineError>(());
                };
                if run.status == "finished" {
                    return Ok(());
                }
                if let Some(step) = self
                    .store
                    .steps_of_run(run_id)
                    .await?
                    .into_iter()
                    .find(|s| s.status == "running")
                {
                    let mut logs = RunLogs::new(self.data_dir(), run_id);
                    logs.set_step_id(step.ord, step.id.clone());
                    let line = format!("\nwerk failed to run this step: {err}\n");
                    let _ = logs.append(step.ord, line.as_bytes()).await;
                }
                self.close_open_steps(run_id, "failed").await?;
                transition(&self.store, &run, Target::Finished("failed")).await?;
                Ok(())
            };
            match finished.await {
                Ok(()) => {
                    self.notify_change();
                    return;
                }
                Err(e) => {
                    tracing::error!(run_id, error = %e, "cannot record a failed run, retrying");
                    tokio::time::sleep(RECORD_RETRY_PAUSE).await;
                }
            }
        }
    }

    /// Moves the run's current step; false when the run is no longer running (an abort
    /// finished it first).
    async fn progress(
        &self,
        run_id: &str,
        ord: i64,
        steps: &StepIndex,
        total: Option<i64>,
    ) -> EngineResult<bool> {
        let Some(run) = self.store.run_by_id(run_id).await? else {
            return Ok(false);
        };
        let target = Target::Progress {
            current_step: ord,
            step_name: steps.name(ord).unwrap_or_default(),
            total_steps: total,
        };
        Ok(transition(&self.store, &run, target).await?.is_some())
    }

    /// The job for a run (its source, its variables, and where its files go), and the
    /// masker of its protected values.
    async fn job_for(&self, run: &RunRow, app: &ApplicationRow) -> EngineResult<(Job, Masker)> {
        let owner = self
            .store
            .user_by_id(&app.owner_id)
            .await?
            .map(|u| u.username)
            .unwrap_or_default();
        let starter = self
            .store
            .user_by_id(&run.user_id)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        let pipeline = self
            .store
            .pipeline_by_id(&run.pipeline_id)
            .await?
            .ok_or_else(|| EngineError::Internal(format!("pipeline of run {} is gone", run.id)))?;
        let yml_fallback = match &run.source_run_id {
            Some(source) => self
                .store
                .run_by_id(source)
                .await?
                .and_then(|r| r.wercker_yml),
            None => None,
        };
        let source = match &run.source_run_id {
            Some(source) => Source::Artifact {
                path: self.artifact_path(source),
                branch: run.branch.clone(),
                commit: run.commit_hash.clone(),
            },
            None if app.source_kind == "directory" => Source::Directory {
                path: app.git_url.clone().into(),
                branch: run.branch.clone(),
                commit: run.commit_hash.clone(),
            },
            None => Source::Git {
                url: app.git_url.clone(),
                branch: run.branch.clone(),
                commit: Some(run.commit_hash.clone()).filter(|c| !c.is_empty()),
                mirror: repo::mirror_dir(self.data_dir(), &app.git_url),
            },
        };
        let base = self.public_url();
        let app_url = format!("{base}/{owner}/{}", app.name);
        let run_url = format!("{app_url}/runs/{}/{}", pipeline.name, run.id);
        let deploy = run.source_run_id.is_some();
        let legacy = if deploy { "DEPLOY" } else { "BUILD" };
        let mut env: Vec<(String, String)> = vec![
            ("WERCKER_APPLICATION_ID".into(), app.id.clone()),
            ("WERCKER_APPLICATION_NAME".into(), app.name.clone()),
            ("WERCKER_APPLICATION_OWNER_NAME".into(), owner.clone()),
            ("WERCKER_APPLICATION_URL".into(), app_url),
            ("WERCKER_RUN_ID".into(), run.id.clone()),
            ("WERCKER_RUN_URL".into(), run_url.clone()),
            (format!("WERCKER_{legacy}_ID"), run.id.clone()),
            (format!("WERCKER_{legacy}_URL"), run_url),
            ("WERCKER_GIT_DOMAIN".into(), repo::git_domain(&app.git_url)),
            ("WERCKER_GIT_OWNER".into(), owner),
            ("WERCKER_GIT_REPOSITORY".into(), app.name.clone()),
            ("WERCKER_STARTED_BY".into(), starter),
            (
                "WERCKER_MAIN_PIPELINE_STARTED".into(),
                unix_seconds(&run.created_at),
            ),
        ];
        if deploy {
            env.push(("WERCKER_DEPLOYTARGET_NAME".into(), pipeline.name.clone()));
        }
        // The owner's variables, the application's, the pipeline's, then the trigger's: each level
        // overrides the one before, as on Wercker.
        let stored = self
            .store
            .envvars_for_run(&app.owner_id, &app.id, &pipeline.id)
            .await?;
        let protected: Vec<&werk_store::EnvVarRow> =
            stored.iter().filter(|v| v.protected == 1).collect();
        let masker = Masker::new(protected.iter().map(|v| v.value.clone()));
        let protected_keys = protected.iter().map(|v| v.key.clone()).collect();
        env.extend(stored.iter().map(|v| (v.key.clone(), v.value.clone())));
        let vars: Vec<EnvVar> = serde_json::from_str(&run.env_vars).unwrap_or_default();
        env.extend(vars.into_iter().map(|v| (v.key, v.value)));
        let job = Job {
            run_id: run.id.clone(),
            pipeline: pipeline.pipeline_name.clone(),
            source,
            kind: if deploy {
                RunKind::Deploy
            } else {
                RunKind::Build
            },
            env,
            work_dir: self.data_dir().join("builds").join(&run.id),
            cache_dir: self.data_dir().join("cache").join(&app.id),
            artifact_path: self.artifact_path(&run.id),
            limits: Limits::default(),
            steps: self.step_sources(),
            cache_limit_bytes: CACHE_LIMIT_BYTES,
            yml_fallback,
            protected_keys,
        };
        Ok((job, masker))
    }
}

/// The steps of a run by order, as stored.
struct StepIndex(HashMap<i64, RunStepRow>);

impl StepIndex {
    async fn load(engine: &Engine, run_id: &str) -> EngineResult<StepIndex> {
        let rows = engine.store.steps_of_run(run_id).await?;
        Ok(StepIndex(rows.into_iter().map(|s| (s.ord, s)).collect()))
    }

    fn share_ids(&self, logs: &mut RunLogs) {
        for (ord, step) in &self.0 {
            logs.set_step_id(*ord, step.id.clone());
        }
    }

    fn name(&self, ord: i64) -> Option<String> {
        self.0.get(&ord).map(|s| s.name.clone())
    }

    fn phase(&self, ord: i64) -> Option<&str> {
        self.0.get(&ord).map(|s| s.phase.as_str())
    }
}

fn phase_name(phase: Phase) -> &'static str {
    match phase {
        Phase::Builtin => "builtin",
        Phase::Main => "main",
        Phase::Final => "final",
    }
}

/// Seconds since the epoch of a timestamp written by the store; empty if unreadable.
fn unix_seconds(iso: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(iso)
        .map(|t| t.timestamp().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_seconds_of_store_timestamps() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00.000Z"), "0");
        assert_eq!(unix_seconds("2016-09-24T13:37:31.436Z"), "1474724251");
    }
}
