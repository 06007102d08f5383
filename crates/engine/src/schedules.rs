//! Schedules: a pipeline run on a branch at the times of a cron pattern (UTC; five fields,
//! or six with seconds first), as the user who made the schedule.
//!
//! A loop beside the dispatcher sleeps until the earliest schedule is due (or one is
//! added), then starts each due run. A server that was down starts an overdue schedule once
//! when it is back, not once per time missed. Several servers on one database start each
//! scheduled run once: the store moves a schedule forward with a compare-and-set.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Timelike, Utc};
use croner::Cron;
use croner::parser::{CronParser, Year};
use tokio_util::sync::CancellationToken;
use werk_store::{PipelineRow, ScheduleRow, UserRow};

use crate::{Engine, EngineError, EngineResult, TriggerRequest};

/// How many due schedules the store hands out at once (see `Store::due_schedules`).
const DUE_BATCH: usize = 100;

/// The longest the loop sleeps before it looks again (a schedule added by another server
/// on the same database wakes no one here).
const LONGEST_SLEEP: Duration = Duration::from_secs(60);

impl Engine {
    /// Schedules `pipeline` to run on `branch` (the application's default branch when
    /// `None`) at the times of `cron`, as `user`, who must be allowed to run it (the caller
    /// checks).
    ///
    /// # Errors
    /// [`EngineError::Invalid`] for a pattern that is not a cron pattern, or one that never
    /// matches.
    pub async fn add_schedule(
        &self,
        user: &UserRow,
        pipeline: &PipelineRow,
        cron: &str,
        branch: Option<&str>,
    ) -> EngineResult<ScheduleRow> {
        let pattern = parse(cron)?;
        let next = next_after(&pattern, Utc::now()).ok_or_else(|| {
            EngineError::Invalid(format!("the cron pattern {cron:?} never matches"))
        })?;
        let branch = match branch.map(str::trim).filter(|b| !b.is_empty()) {
            Some(branch) => branch.to_owned(),
            None => self
                .store
                .application_by_id(&pipeline.application_id)
                .await?
                .map(|app| app.default_branch)
                .unwrap_or_else(|| "master".into()),
        };
        let schedule = self
            .store
            .create_schedule(&pipeline.id, cron.trim(), &branch, &user.id, &next)
            .await?;
        self.schedules_changed.notify_one();
        Ok(schedule)
    }

    /// Starts scheduled runs as they fall due, until `shutdown`.
    pub(crate) async fn run_schedules(self: Arc<Self>, shutdown: CancellationToken) {
        loop {
            let sleep = match self.start_due_schedules().await {
                Ok(until_next) => until_next.min(LONGEST_SLEEP),
                Err(err) => {
                    tracing::error!(error = %err, "starting scheduled runs failed");
                    LONGEST_SLEEP
                }
            };
            tokio::select! {
                () = tokio::time::sleep(sleep) => {}
                () = self.schedules_changed.notified() => {}
                () = shutdown.cancelled() => break,
            }
        }
    }

    /// Starts the runs of every due schedule this server wins; how long until the next one
    /// is due.
    async fn start_due_schedules(&self) -> EngineResult<Duration> {
        let now = Utc::now();
        // The store hands out due schedules a batch at a time; each one started moves on.
        loop {
            let due = self.store.due_schedules(&iso(now)).await?;
            let batch = due.len();
            self.start_schedules(due, now).await?;
            if batch < DUE_BATCH {
                break;
            }
        }
        let next = self.store.next_schedule_due().await?;
        // A due time already past (a batch another server is still working on) means now.
        Ok(next
            .and_then(|at| DateTime::parse_from_rfc3339(&at).ok())
            .map_or(LONGEST_SLEEP, |at| {
                (at.with_timezone(&Utc) - Utc::now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
            }))
    }

    /// Starts the runs of `due` that this server wins.
    async fn start_schedules(&self, due: Vec<ScheduleRow>, now: DateTime<Utc>) -> EngineResult<()> {
        for schedule in due {
            let Some(next) = parse(&schedule.cron)
                .ok()
                .and_then(|pattern| next_after(&pattern, now))
            else {
                tracing::warn!(schedule = %schedule.id, cron = %schedule.cron, "a schedule that never matches again is removed");
                self.store.delete_schedule(&schedule.id).await?;
                continue;
            };
            if self
                .store
                .advance_schedule(&schedule.id, &schedule.next_at, &next)
                .await?
                && let Err(err) = self.start_scheduled(&schedule).await
            {
                tracing::warn!(schedule = %schedule.id, error = %err, "a scheduled run could not start");
            }
        }
        Ok(())
    }

    async fn start_scheduled(&self, schedule: &ScheduleRow) -> EngineResult<()> {
        let Some(pipeline) = self.store.pipeline_by_id(&schedule.pipeline_id).await? else {
            return Ok(());
        };
        if pipeline.active != 1 {
            // Its wercker.yml no longer has the pipeline; the schedule waits for it.
            return Ok(());
        }
        let user = self.store.user_by_id(&schedule.user_id).await?;
        let app = self
            .store
            .application_by_id(&pipeline.application_id)
            .await?;
        let allowed = match (&user, &app) {
            (Some(user), Some(app)) => {
                crate::access::level(&self.store, Some(&user.id), app).await?
                    >= crate::access::Level::Execute
            }
            _ => false,
        };
        let (Some(user), true) = (user, allowed) else {
            // Runs are the scheduling user's: one who may no longer run the pipeline
            // (removed as a collaborator, say) schedules nothing more.
            tracing::info!(schedule = %schedule.id, "schedule removed: its user may no longer run the pipeline");
            self.store.delete_schedule(&schedule.id).await?;
            return Ok(());
        };
        let request = TriggerRequest {
            pipeline_id: schedule.pipeline_id.clone(),
            branch: Some(schedule.branch.clone()),
            message: Some(format!("Scheduled run ({})", schedule.cron)),
            ..TriggerRequest::default()
        };
        let run = self.trigger(&user, &request).await?;
        tracing::info!(schedule = %schedule.id, run_id = %run.id, "scheduled run queued");
        Ok(())
    }
}

/// Five fields, or six with seconds first; no year.
fn parse(cron: &str) -> EngineResult<Cron> {
    CronParser::builder()
        .year(Year::Disallowed)
        .build()
        .parse(cron.trim())
        .map_err(|e| EngineError::Invalid(format!("{:?} is not a cron pattern: {e}", cron.trim())))
}

/// The first time after `after` that `pattern` matches, as the store writes times.
fn next_after(pattern: &Cron, after: DateTime<Utc>) -> Option<String> {
    // Patterns name whole seconds; a fraction of the start would carry into the result.
    let after = after.with_nanosecond(0).unwrap_or(after);
    pattern.find_next_occurrence(&after, false).ok().map(iso)
}

fn iso(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_and_their_next_times() {
        let at = DateTime::parse_from_rfc3339("2026-12-04T23:50:10.500Z")
            .unwrap()
            .with_timezone(&Utc);
        let nightly = parse("0 3 * * *").unwrap();
        assert_eq!(
            next_after(&nightly, at).as_deref(),
            Some("2026-12-05T03:00:00.000Z")
        );
        let every_second = parse("* * * * * *").unwrap();
        assert_eq!(
            next_after(&every_second, at).as_deref(),
            Some("2026-12-04T23:50:11.000Z")
        );
        for bad in ["", "every day", "61 * * * *", "* * * *", "0 0 3 * * * 2027"] {
            assert!(matches!(parse(bad), Err(EngineError::Invalid(_))), "{bad}");
        }
    }
}
