//! Runs survive a crash of the server: nothing stays `running`, and queued runs start.

mod common;

use std::time::{Duration, Instant};

use common::{Repo, TestServer};
use serde_json::json;

#[tokio::test]
async fn after_a_sigkill_running_runs_fail_with_a_reason_and_queued_runs_start() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(data.path(), None, &["--parallel-runs", "1"]).await;
    let repo = Repo::with_yml(
        "build:\n  steps:\n    - script:\n        name: work\n        code: |\n          echo working\n          sleep \"${SLEEP:-0}\"\n",
    );
    server.create_app("crashy", repo.path(), "public").await;
    let pipeline = server.pipeline_id("crashy", "build").await;
    let sleep = format!("60.{}", std::process::id());
    let long = server
        .trigger(
            &pipeline,
            json!({ "envVars": [{ "key": "SLEEP", "value": sleep }] }),
        )
        .await;
    let long_id = long["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + common::RUN_TIMEOUT;
    while !pgrep(&format!("sleep {sleep}")) {
        assert!(Instant::now() < deadline, "the long step never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let queued = server.trigger(&pipeline, json!({})).await;
    let queued_id = queued["id"].as_str().unwrap().to_string();
    let (_, still_queued) = server.get(&format!("/api/v3/runs/{queued_id}")).await;
    assert_eq!(
        still_queued["status"], "notstarted",
        "one slot: the second run waits"
    );

    // SIGKILL: the server gets no chance to clean up.
    let token = server.token.clone();
    drop(server);

    let server = TestServer::start_with(data.path(), Some(token), &["--parallel-runs", "1"]).await;
    let long = server.finished(&long_id).await;
    assert_eq!(long["result"], "failed", "{long}");
    let work = server.step(&long_id, "work").await;
    assert_eq!(work["result"], "failed");
    let log = server.log(work["id"].as_str().unwrap()).await;
    assert!(log.contains("working"), "{log}");
    assert!(
        log.contains("werk stopped while this step was running"),
        "the log says why: {log}"
    );
    assert!(
        !pgrep(&format!("sleep {sleep}")),
        "the orphaned step was killed"
    );

    let queued = server.finished(&queued_id).await;
    assert_eq!(queued["result"], "passed", "{queued}");
}

fn pgrep(pattern: &str) -> bool {
    std::process::Command::new("pgrep")
        .args(["-f", pattern])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[tokio::test]
async fn sigterm_stops_the_server_and_records_why_the_running_run_failed() {
    let data = tempfile::tempdir().unwrap();
    let mut server = TestServer::start(data.path()).await;
    let sleep = format!("61.{}", std::process::id());
    let repo = Repo::with_yml(&format!(
        "build:\n  steps:\n    - script:\n        name: work\n        code: sleep {sleep}\n"
    ));
    server.create_app("stopping", repo.path(), "public").await;
    let pipeline = server.pipeline_id("stopping", "build").await;
    let run = server.trigger(&pipeline, json!({})).await;
    let run_id = run["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + common::RUN_TIMEOUT;
    while !pgrep(&format!("sleep {sleep}")) {
        assert!(Instant::now() < deadline, "the step never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let pid = nix::unistd::Pid::from_raw(server.child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "werk serve did not stop on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "werk serve exits 0 on SIGTERM: {status}");
    assert!(
        !pgrep(&format!("sleep {sleep}")),
        "the step's processes were stopped with it"
    );

    let token = server.token.clone();
    drop(server);
    let server = TestServer::start_with(data.path(), Some(token), &[]).await;
    let (_, run) = server.get(&format!("/api/v3/runs/{run_id}")).await;
    assert_eq!(run["status"], "finished");
    assert_eq!(run["result"], "failed");
    let work = server.step(&run_id, "work").await;
    let log = server.log(work["id"].as_str().unwrap()).await;
    assert!(log.contains("werk was stopped during this step"), "{log}");
}

#[tokio::test]
async fn a_second_server_on_the_same_data_dir_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let _server = TestServer::start(data.path()).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_werk"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data.path())
        .env_remove("WERK_DATABASE")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("another werk server is running on the data dir"),
        "{stderr}"
    );
}
