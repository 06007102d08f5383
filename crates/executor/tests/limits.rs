//! Cancels, timeouts, dying shells and large logs: the executor stops whole process trees
//! (within a second of an abort) and keeps its logs faithful and bounded.

mod common;

use std::time::{Duration, Instant};

use common::{Fixture, finished, log_of, outcome, process_gone, run, start, started};
use werk_executor::{Event, Limits, Outcome};

/// Waits until every pid written in `file` is gone; returns the ones still running.
async fn survivors(file: &std::path::Path) -> Vec<i32> {
    let pids: Vec<i32> = std::fs::read_to_string(file)
        .expect("pid file")
        .split_whitespace()
        .map(|p| p.parse().expect("pid"))
        .collect();
    assert!(!pids.is_empty());
    // Killed processes may take a moment to be reaped; this bounds a hung check only.
    for _ in 0..100 {
        if pids.iter().all(|&p| process_gone(p)) {
            return Vec::new();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    pids.into_iter().filter(|&p| !process_gone(p)).collect()
}

#[tokio::test]
async fn cancel_kills_the_step_and_everything_it_started() {
    let yml = r#"
build:
  steps:
    - script:
        name: sleeps
        code: |
          sleep 60 &
          echo $! >> "$WERCKER_ROOT/../pids"
          echo $$ >> "$WERCKER_ROOT/../pids"
          echo started
          sleep 60
    - script:
        name: never
        code: echo never
  after-steps:
    - script:
        name: not after an abort
        code: echo no
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let job = fx.job("build", "run");
    let pids = job.work_dir.join("pids");
    let mut running = start(job);
    running.wait_for_log(4, "started").await;
    let cancelled_at = Instant::now();
    running.cancel.cancel();
    let mut end = None;
    while let Some(event) = running.next().await {
        if matches!(event, Event::Finished { .. }) {
            end = Some(cancelled_at.elapsed());
        }
    }
    let events = running.seen;

    assert!(end.expect("finished") < Duration::from_secs(2));
    assert_eq!(outcome(&events), Outcome::Aborted);
    assert_eq!(finished(&events, 4).map(|(o, _)| o), Some(Outcome::Aborted));
    assert_eq!(started(&events), vec![1, 2, 3, 4]);
    assert_eq!(survivors(&pids).await, Vec::<i32>::new());
}

/// A step whose process tree has every shape a kill must reach: the shell itself, a
/// background child, a subshell ignoring the polite signals and a `nohup`ed grandchild; it
/// records their pids in `pids` and says `started` once all four are written.
const PROCESS_TREE: &str = r#"
build:
  steps:
    - script:
        name: process tree
        code: |
          pids="$WERCKER_ROOT/../pids"
          echo $$ >> "$pids"
          sleep 60 &
          echo $! >> "$pids"
          ( trap '' TERM INT HUP; echo $BASHPID >> "$pids"; sleep 60 ) &
          nohup sh -c 'echo $$ >> "$0"; exec sleep 60' "$pids" > /dev/null 2>&1 &
          while [ "$(wc -l < "$pids")" -lt 4 ]; do sleep 0.01; done
          echo started
          sleep 60
"#;

// Several worker threads: the executor's kill must not depend on this test's polling loop
// giving up the thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abort_kills_the_step_processes_within_a_second() {
    let fx = Fixture::new(&[("wercker.yml", PROCESS_TREE)]);
    let job = fx.job("build", "run");
    let pid_file = job.work_dir.join("pids");
    let mut running = start(job);
    running.wait_for_log(4, "started").await;
    let pids: Vec<i32> = std::fs::read_to_string(&pid_file)
        .expect("pid file")
        .split_whitespace()
        .map(|p| p.parse().expect("pid"))
        .collect();
    assert_eq!(pids.len(), 4, "{pids:?}");
    assert!(pids.iter().all(|&p| !process_gone(p)), "all running");

    // The events are read elsewhere from now on, so that only the kill is measured and a
    // full channel cannot hold the executor up.
    let cancel = running.cancel.clone();
    let rest = tokio::spawn(running.finish());
    let cancelled_at = Instant::now();
    cancel.cancel();
    let mut gone_after = None;
    while cancelled_at.elapsed() < Duration::from_secs(10) {
        // A zombie counts as gone: it runs nothing, and reaping orphans is init's business.
        if pids.iter().all(|&p| process_gone(p)) {
            gone_after = Some(cancelled_at.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let left: Vec<i32> = pids.iter().copied().filter(|&p| !process_gone(p)).collect();
    let gone_after = gone_after.unwrap_or_else(|| panic!("still running: {left:?}"));
    assert!(
        gone_after < Duration::from_secs(1),
        "the processes took {gone_after:?} to go"
    );

    let events = rest.await.expect("events");
    assert_eq!(outcome(&events), Outcome::Aborted);
    assert_eq!(
        finished(&events, 4),
        Some((Outcome::Aborted, Some("Step aborted".to_owned())))
    );
}

#[tokio::test]
async fn a_dropped_event_receiver_stops_the_run() {
    let yml = r#"
build:
  steps:
    - script:
        name: sleeps
        code: |
          sleep 60 &
          echo $! >> "$WERCKER_ROOT/../pids"
          echo started
          sleep 60
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let job = fx.job("build", "run");
    let pids = job.work_dir.join("pids");
    let mut running = start(job);
    running.wait_for_log(4, "started").await;
    drop(running);
    assert_eq!(survivors(&pids).await, Vec::<i32>::new());
}

#[tokio::test]
async fn a_step_that_never_stops_printing_still_times_out() {
    let yml = "build:\n  steps:\n    - script:\n        name: loud\n        code: yes tick\n";
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let mut job = fx.job("build", "run");
    job.limits = Limits {
        command_timeout: Duration::from_secs(1),
        no_response_timeout: Duration::from_secs(600),
    };
    let mut running = start(job);
    let mut logged = 0;
    let mut rest = Vec::new();
    while let Some(event) = running.events.recv().await {
        match event {
            Event::Log { data, .. } => logged += data.len(),
            other => rest.push(other),
        }
    }
    assert!(logged > 0);
    assert_eq!(outcome(&rest), Outcome::Failed);
    assert_eq!(
        finished(&rest, 4),
        Some((
            Outcome::Failed,
            Some("Command timed out after 1 second (command-timeout)".to_owned())
        ))
    );
}

#[tokio::test]
async fn silence_longer_than_the_no_response_timeout_fails_the_step() {
    let yml = r#"
build:
  steps:
    - script:
        name: goes quiet
        code: |
          echo before
          sleep 30 &
          echo $! > "$WERCKER_ROOT/../pids"
          sleep 30
          echo after
  after-steps:
    - script:
        name: still runs
        code: echo "result=$WERCKER_RESULT"
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let mut job = fx.job("build", "run");
    job.limits = Limits {
        command_timeout: Duration::from_secs(600),
        no_response_timeout: Duration::from_secs(1),
    };
    let pids = job.work_dir.join("pids");
    let events = run(job).await;

    assert_eq!(outcome(&events), Outcome::Failed);
    assert_eq!(log_of(&events, 4), "before\n");
    assert_eq!(
        finished(&events, 4),
        Some((
            Outcome::Failed,
            Some(
                "Command timed out after no response for 1 second (no-response-timeout)".to_owned()
            )
        ))
    );
    assert_eq!(survivors(&pids).await, Vec::<i32>::new());
    assert_eq!(log_of(&events, 6), "result=failed\n");
}

#[tokio::test]
async fn a_step_longer_than_the_command_timeout_fails() {
    let yml = r#"
build:
  steps:
    - script:
        name: chatty forever
        code: while true; do echo tick; sleep 0.1; done
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let mut job = fx.job("build", "run");
    job.limits = Limits {
        command_timeout: Duration::from_secs(2),
        no_response_timeout: Duration::from_secs(600),
    };
    let events = run(job).await;

    assert_eq!(outcome(&events), Outcome::Failed);
    assert!(log_of(&events, 4).starts_with("tick\n"));
    assert_eq!(
        finished(&events, 4),
        Some((
            Outcome::Failed,
            Some("Command timed out after 2 seconds (command-timeout)".to_owned())
        ))
    );
}

#[tokio::test]
async fn a_step_that_exits_the_shell_fails_with_its_status() {
    let yml = r#"
build:
  steps:
    - script:
        name: exits
        code: |
          sleep 60 &
          echo $! > "$WERCKER_ROOT/../pids"
          printf 'no newline at the end'
          exit 3
    - script:
        name: never
        code: echo never
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let job = fx.job("build", "run");
    let pids = job.work_dir.join("pids");
    let events = run(job).await;

    assert_eq!(outcome(&events), Outcome::Failed);
    assert_eq!(started(&events), vec![1, 2, 3, 4]);
    assert_eq!(log_of(&events, 4), "no newline at the end");
    assert_eq!(
        finished(&events, 4),
        Some((
            Outcome::Failed,
            Some("Step failed with exit code: 3".to_owned())
        ))
    );
    assert_eq!(survivors(&pids).await, Vec::<i32>::new());
}

#[tokio::test]
async fn large_logs_arrive_whole_in_bounded_chunks() {
    // 4 MiB of numbered lines, then stderr, interleaved in one stream.
    let yml = r#"
build:
  steps:
    - script:
        name: loud
        code: |
          seq 1 500000
          echo to-stderr >&2
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let events = run(fx.job("build", "run")).await;

    assert_eq!(outcome(&events), Outcome::Passed);
    let mut biggest = 0;
    for e in &events {
        if let Event::Log { data, .. } = e {
            biggest = biggest.max(data.len());
        }
    }
    assert!(biggest <= 64 * 1024);
    let expected: String = (1..=500_000).map(|n| format!("{n}\n")).collect();
    assert_eq!(log_of(&events, 4), format!("{expected}to-stderr\n"));
}

#[tokio::test]
async fn yml_timeouts_override_the_job_limits() {
    let yml = r#"
no-response-timeout: 1
build:
  steps:
    - script:
        name: quick
        code: echo fine
"#;
    let fx = Fixture::new(&[("wercker.yml", yml)]);
    let mut job = fx.job("build", "run");
    job.limits.no_response_timeout = Duration::from_millis(1);
    let events = run(job).await;
    // With the job's limit the step could not pass; the yml's one minute applies instead.
    assert_eq!(outcome(&events), Outcome::Passed);
    assert_eq!(log_of(&events, 4), "fine\n");
}
