//! The run state machine: the one function that changes a run's status, and progress.
//!
//! ```text
//! pendingapproval ──approve──▶ notstarted ──claim──▶ running ──▶ finished (passed | failed | aborted)
//!        └────────────────────────┴───────abort───────────────▶ finished (aborted)
//! ```

use werk_store::{RunRow, RunState, Store};

use crate::EngineResult;

/// A state a run can be moved to.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Approved: queued for a dispatcher.
    Approved,
    /// Claimed by a dispatcher: the first step begins.
    Running,
    /// A step began, or wercker.yml told the number of steps.
    Progress {
        /// Order of the current step.
        current_step: i64,
        /// Its name.
        step_name: String,
        /// Number of steps, once known.
        total_steps: Option<i64>,
    },
    /// Finished with this result (`passed`, `failed` or `aborted`).
    Finished(&'static str),
}

/// Moves `run` to `target`, if allowed from its current status, with a compare-and-set on
/// that status in the store. Returns the updated run, or `None` when the run was not in a
/// state the transition starts from (someone else moved it first).
///
/// This is the only function that changes a run's status.
pub async fn transition(
    store: &Store,
    run: &RunRow,
    target: Target,
) -> EngineResult<Option<RunRow>> {
    let (expected, state): (&[&str], RunState) = match target {
        Target::Approved => (
            &["pendingapproval"],
            RunState {
                status: "notstarted".into(),
                result: "unknown".into(),
                progress: 0,
                current_step: None,
                total_steps: None,
                step_name: None,
            },
        ),
        Target::Running => (
            &["notstarted"],
            RunState {
                status: "running".into(),
                result: "unknown".into(),
                progress: 0,
                current_step: Some(1),
                total_steps: run.total_steps,
                step_name: Some("get code".into()),
            },
        ),
        Target::Progress {
            current_step,
            step_name,
            total_steps,
        } => {
            let total_steps = total_steps.or(run.total_steps);
            (
                &["running"],
                RunState {
                    status: "running".into(),
                    result: "unknown".into(),
                    progress: progress(current_step, total_steps),
                    current_step: Some(current_step),
                    total_steps,
                    step_name: Some(step_name),
                },
            )
        }
        Target::Finished(result) => (
            &["pendingapproval", "notstarted", "running"],
            RunState {
                status: "finished".into(),
                result: result.into(),
                // A passed run is complete; otherwise progress stays where the run stopped.
                progress: if result == "passed" {
                    100
                } else {
                    run.progress
                },
                current_step: run.current_step,
                total_steps: run.total_steps,
                step_name: run.step_name.clone(),
            },
        ),
    };
    Ok(store.set_run_state(&run.id, expected, &state).await?)
}

/// The status a new run of `pipeline_id` starts in: waiting for an approval when its
/// pipeline asks for one, else queued.
pub fn initial_status(pipelines: &[werk_store::PipelineRow], pipeline_id: &str) -> String {
    let manual = pipelines
        .iter()
        .any(|p| p.id == pipeline_id && p.manual_approval == 1);
    if manual {
        "pendingapproval"
    } else {
        "notstarted"
    }
    .to_string()
}

/// Progress of a running run as Wercker computed it: `floor(100 * current / total)`, 0 while
/// the total is unknown, and at most 99 until the run passes.
pub fn progress(current_step: i64, total_steps: Option<i64>) -> i64 {
    match total_steps {
        Some(total) if total > 0 => (100 * current_step / total).clamp(0, 99),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::progress;

    #[test]
    fn progress_counts_steps_begun() {
        assert_eq!(progress(1, None), 0);
        assert_eq!(progress(7, Some(8)), 87);
        assert_eq!(progress(10, Some(11)), 90);
        assert_eq!(progress(8, Some(8)), 99);
    }
}
