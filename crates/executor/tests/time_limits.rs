//! The time limits a run applies, as `setup environment` announces them: the job's limits
//! unless wercker.yml sets `command-timeout` or `no-response-timeout` (whole minutes, at
//! most 60); a value that is not a positive whole number leaves the job's limit.

mod common;

use std::time::Duration;

use common::{Fixture, log_of, outcome, run};
use werk_executor::{Limits, Outcome};

/// The `Time limits:` line that `setup environment` logs for a wercker.yml starting with
/// `top` (top-level keys) and a job with `limits`.
async fn announced(top: &str, limits: Limits) -> String {
    let yml =
        format!("{top}\nbuild:\n  steps:\n    - script:\n        name: ok\n        code: true\n");
    let fx = Fixture::new(&[("wercker.yml", &yml)]);
    let mut job = fx.job("build", "run");
    job.limits = limits;
    let events = run(job).await;
    let setup = log_of(&events, 2);
    assert_eq!(outcome(&events), Outcome::Passed, "{setup}");
    let lines: Vec<&str> = setup
        .lines()
        .filter(|l| l.starts_with("Time limits:"))
        .collect();
    assert_eq!(lines.len(), 1, "one line about the limits: {setup}");
    lines[0].to_owned()
}

#[tokio::test]
async fn without_yml_keys_the_job_limits_apply() {
    assert_eq!(
        announced("", Limits::default()).await,
        "Time limits: a step may run 25 minutes, and stay silent 5 minutes"
    );
    let job_limits = Limits {
        command_timeout: Duration::from_secs(3 * 60),
        no_response_timeout: Duration::from_secs(90),
    };
    assert_eq!(
        announced("", job_limits).await,
        "Time limits: a step may run 3 minutes, and stay silent 90 seconds"
    );
}

#[tokio::test]
async fn yml_keys_set_the_limits_in_minutes() {
    let top = "command-timeout: 10\nno-response-timeout: 2";
    assert_eq!(
        announced(top, Limits::default()).await,
        "Time limits: a step may run 10 minutes, and stay silent 2 minutes"
    );
    // Each key on its own leaves the other limit as the job has it.
    assert_eq!(
        announced("no-response-timeout: 1", Limits::default()).await,
        "Time limits: a step may run 25 minutes, and stay silent 1 minute"
    );
}

#[tokio::test]
async fn yml_limits_are_capped_at_an_hour() {
    let top = "command-timeout: 999\nno-response-timeout: 61";
    assert_eq!(
        announced(top, Limits::default()).await,
        "Time limits: a step may run 60 minutes, and stay silent 60 minutes"
    );
}

#[tokio::test]
async fn values_that_are_not_positive_whole_minutes_are_ignored() {
    // Wercker dropped such values without a word; the job's limits stay.
    for top in [
        "command-timeout: 0\nno-response-timeout: -3",
        "command-timeout: soon\nno-response-timeout: 2.5",
        "command-timeout: [10]\nno-response-timeout: {minutes: 2}",
    ] {
        assert_eq!(
            announced(top, Limits::default()).await,
            "Time limits: a step may run 25 minutes, and stay silent 5 minutes",
            "{top}"
        );
    }
}
