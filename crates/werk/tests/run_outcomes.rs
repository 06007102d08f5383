//! How runs end: a failing step with its after-steps, and an abort during a long step.

mod common;

use std::time::{Duration, Instant};

use common::{Repo, TestServer};

#[tokio::test]
async fn a_failing_step_fails_the_run_runs_after_steps_and_leaves_children_waiting() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(
        r#"build:
  steps:
    - script:
        name: compile
        code: echo compiling && false && echo never
    - script:
        name: never runs
        code: echo should not run
  after-steps:
    - script:
        name: notify
        code: echo "result=$WERCKER_RESULT failed-step=$WERCKER_FAILED_STEP_DISPLAY_NAME"
deploy:
  steps:
    - script:
        name: ship
        code: echo shipping
workflows:
  - name: main
    pipelines:
      - name: build
      - name: deploy
        requires: [build]
"#,
    );
    let app = server.create_app("failing", repo.path(), "public").await;
    let pipeline = server.pipeline_id("failing", "build").await;
    let run = server.trigger(&pipeline, serde_json::json!({})).await;
    let run_id = run["id"].as_str().unwrap();

    let run = server.finished(run_id).await;
    assert_eq!(run["result"], "failed", "{run}");
    assert!(run["progress"].as_i64().unwrap() < 100);

    let compile = server.step(run_id, "compile").await;
    assert_eq!(compile["result"], "failed");
    assert!(
        server
            .log(compile["id"].as_str().unwrap())
            .await
            .contains("compiling")
    );
    let never = server.step(run_id, "never runs").await;
    assert_eq!(never["status"], "notstarted");
    let notify = server.step(run_id, "notify").await;
    assert_eq!(notify["phase"], "finalSteps");
    let log = server.log(notify["id"].as_str().unwrap()).await;
    assert!(log.contains("result=failed failed-step=compile"), "{log}");

    let (_, children) = server
        .get(&format!("/api/v3/runs?sourceRun={run_id}"))
        .await;
    assert_eq!(
        children.as_array().unwrap().len(),
        0,
        "no child run was started"
    );
    let (_, workflows) = server
        .get(&format!(
            "/api/v3/workflows?applicationId={}",
            app["id"].as_str().unwrap()
        ))
        .await;
    let deploy_item = &workflows[0]["items"][1];
    assert_eq!(deploy_item["data"]["targetName"], "deploy");
    assert_eq!(deploy_item["status"], "notstarted");
    assert_eq!(deploy_item["result"], "unknown");
    assert!(deploy_item["data"]["runId"].is_null());
}

#[tokio::test]
async fn abort_kills_a_long_step_within_two_seconds() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    // A sleep whose command line is unique to this test, to find it among processes.
    let marker = format!("sleep 60.{}", std::process::id());
    let repo = Repo::with_yml(&format!(
        "build:\n  steps:\n    - script:\n        name: wait\n        code: |\n          echo started\n          {marker}\n          echo never\n"
    ));
    let app = server.create_app("aborting", repo.path(), "public").await;
    let app_id = app["id"].as_str().unwrap();
    let pipeline = server.pipeline_id("aborting", "build").await;
    let run = server.trigger(&pipeline, serde_json::json!({})).await;
    let run_id = run["id"].as_str().unwrap().to_string();

    // Wait until the sleep runs.
    let deadline = Instant::now() + common::RUN_TIMEOUT;
    loop {
        let steps = server.steps(&run_id).await;
        if steps
            .iter()
            .any(|s| s["displayName"] == "wait" && s["status"] == "running")
            && pgrep(&marker)
        {
            break;
        }
        assert!(Instant::now() < deadline, "the step never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // While it runs, the workflow item says where the run is, and its log can be read.
    let (_, workflows) = server
        .get(&format!("/api/v3/workflows?applicationId={app_id}"))
        .await;
    let item = &workflows[0]["items"][0];
    assert_eq!(item["status"], "running");
    assert_eq!(item["data"]["stepName"], "wait");
    assert_eq!(item["data"]["currentStep"], 4);
    assert_eq!(item["data"]["totalSteps"], 5);
    assert_eq!(item["progress"], 80);
    let wait_step = server.step(&run_id, "wait").await;
    assert!(
        server
            .log(wait_step["id"].as_str().unwrap())
            .await
            .starts_with("started")
    );

    let asked = Instant::now();
    let (status, aborted) = server.put(&format!("/api/v3/runs/{run_id}/abort")).await;
    assert_eq!(status, 200, "{aborted}");
    let run = server
        .wait_run(&run_id, "aborted", |r| r["result"] == "aborted")
        .await;
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "aborted after {:?}",
        asked.elapsed()
    );
    assert_eq!(run["status"], "finished");
    assert_eq!(
        aborted["result"], "aborted",
        "the abort answers with the stopped run"
    );
    assert!(!pgrep(&marker), "the sleep is gone");
    let step = server.step(&run_id, "wait").await;
    assert_eq!(step["result"], "aborted");
}

fn pgrep(pattern: &str) -> bool {
    std::process::Command::new("pgrep")
        .args(["-f", pattern])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}
