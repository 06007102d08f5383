//! Workflows from wercker.yml: fan-out, fan-in, and aborts racing the dispatcher.

mod common;

use std::time::Duration;

use common::{Repo, TestServer};
use serde_json::json;

#[tokio::test]
async fn a_pipeline_requiring_two_others_starts_once_after_both_passed() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(
        r#"build:
  steps:
    - script: {name: make, code: "mkdir -p out && echo built > out/app"}
unit:
  steps:
    - script: {name: unit, code: "sleep 0.3; test -f out/app"}
lint:
  steps:
    - script: {name: lint, code: "test -f out/app"}
deploy:
  steps:
    - script: {name: ship, code: "cat out/app"}
workflows:
  - name: release
    pipelines:
      - name: build
      - name: unit
        requires: [build]
      - name: lint
        requires: [build]
      - name: deploy
        requires: [unit, lint]
"#,
    );
    let app = server.create_app("fanin", repo.path(), "public").await;
    let build = server.pipeline_id("fanin", "build").await;
    let run = server.trigger(&build, json!({})).await;
    let build_id = run["id"].as_str().unwrap();
    assert_eq!(server.finished(build_id).await["result"], "passed");

    // Wait for the whole workflow to settle.
    let app_id = app["id"].as_str().unwrap();
    let deadline = std::time::Instant::now() + common::RUN_TIMEOUT;
    let workflow = loop {
        let (_, workflows) = server
            .get(&format!("/api/v3/workflows?applicationId={app_id}"))
            .await;
        let workflow = workflows[0].clone();
        let items = workflow["items"].as_array().unwrap();
        if items.iter().all(|i| i["status"] == "finished") {
            break workflow;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the workflow never finished: {workflow}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let names: Vec<&str> = workflow["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["data"]["targetName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["build", "unit", "lint", "deploy"]);
    assert!(
        workflow["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["result"] == "passed"),
        "{workflow}"
    );
    let (_, runs) = server
        .get(&format!("/api/v3/runs?applicationId={app_id}"))
        .await;
    assert_eq!(
        runs.as_array().unwrap().len(),
        4,
        "deploy ran exactly once: {runs}"
    );
}

#[tokio::test]
async fn an_abort_right_after_the_trigger_wins_and_nothing_runs_after_it() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(
        "build:\n  steps:\n    - script: {name: slow, code: sleep 5}\ndeploy:\n  steps:\n    - script: {name: ship, code: echo shipped}\nworkflows:\n  - name: w\n    pipelines:\n      - name: build\n      - name: deploy\n        requires: [build]\n",
    );
    server.create_app("racing", repo.path(), "public").await;
    let build = server.pipeline_id("racing", "build").await;
    for _ in 0..5 {
        let run = server.trigger(&build, json!({})).await;
        let id = run["id"].as_str().unwrap();
        let (status, aborted) = server.put(&format!("/api/v3/runs/{id}/abort")).await;
        assert_eq!(status, 200, "{aborted}");
        let run = server.finished(id).await;
        assert_eq!(run["result"], "aborted", "{run}");
        let (_, children) = server.get(&format!("/api/v3/runs?sourceRun={id}")).await;
        assert!(children.as_array().unwrap().is_empty());
    }
}
