//! Every recorded Wercker response in the shared fixtures against werk's answer for the same
//! kind of resource: every field of the recording, with the same JSON type, recursively.

mod common;

use std::time::Duration;

use common::{Repo, TestServer, assert_same_shape, recorded};
use serde_json::{Value, json};

#[tokio::test]
async fn every_recorded_response_has_its_counterpart() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(
        "build:\n  steps:\n    - script:\n        name: work\n        code: |\n          sleep \"${PAUSE:-0}\"\n          test \"$FAIL\" != yes\ndeploy:\n  steps:\n    - script: {name: ship, code: echo shipped}\nworkflows:\n  - name: w\n    pipelines:\n      - name: build\n      - name: deploy\n        requires: [build]\n",
    );
    repo.git(&["branch", "pipeline-runner"]);
    let app = server
        .create_app("wercker_api", repo.path(), "public")
        .await;
    let app_id = app["id"].as_str().unwrap().to_string();
    let build = server.pipeline_id("wercker_api", "build").await;

    let mut answers: Vec<(&str, Value)> = Vec::new();
    let (_, got) = server.get("/api/v3/applications/admin/wercker_api").await;
    answers.push(("get-application.json", got.clone()));
    answers.push(("get-application-before-update.json", got));
    let (_, got) = server
        .send(
            server
                .http
                .patch(server.api("/api/v3/applications/admin/wercker_api"))
                .bearer_auth(&server.token)
                .json(&json!({ "ignoredBranches": ["a-dummy-branch"] })),
        )
        .await;
    answers.push(("update-application.json", got));
    let (_, got) = server.get("/api/v3/applications/admin/wercker_api").await;
    answers.push(("get-application-after-update.json", got));
    let (_, got) = server.get("/api/v3/applications/admin").await;
    answers.push(("list-applications.json", got));

    let triggered = server.trigger(&build, json!({})).await;
    answers.push(("trigger-run.json", triggered.clone()));
    let passed_id = triggered["id"].as_str().unwrap().to_string();
    server.finished(&passed_id).await;
    let (_, children) = server
        .get(&format!("/api/v3/runs?sourceRun={passed_id}"))
        .await;
    let chained = server.finished(children[0]["id"].as_str().unwrap()).await;
    answers.push(("get-run.json", chained));

    let slow = server.trigger(&build, json!({ "branch": "pipeline-runner", "envVars": [{ "key": "PAUSE", "value": "2" }, { "key": "FAIL", "value": "yes" }] })).await;
    answers.push(("trigger-run-with-branch.json", slow.clone()));
    let slow_id = slow["id"].as_str().unwrap().to_string();
    let running = server
        .wait_run(&slow_id, "running", |r| r["status"] == "running")
        .await;
    assert!(
        running.get("finishedAt").is_none(),
        "a running run has no finishedAt: {running}"
    );
    answers.push(("get-run-running.json", running.clone()));
    answers.push(("get-run-running-later.json", running));
    tokio::time::sleep(Duration::from_millis(10)).await;
    let failed = server.finished(&slow_id).await;
    assert_eq!(failed["result"], "failed");
    answers.push(("get-run-failed.json", failed));

    let (_, got) = server
        .get(&format!("/api/v3/runs?applicationId={app_id}"))
        .await;
    answers.push(("list-runs.json", got));
    let (_, got) = server
        .get(&format!("/api/v3/runs?pipelineId={build}"))
        .await;
    answers.push(("list-runs-by-pipeline.json", got));
    let (_, got) = server
        .get(&format!("/api/v3/workflows?applicationId={app_id}"))
        .await;
    // An item that never ran has no step fields, as Wercker showed it (reference §3.6):
    // those are checked against that shape, and the recording against the workflows that ran.
    let never_ran = json!({
        "data": { "targetName": "deploy", "pipelineId": "595aeb089a634a010023715e", "restricted": false, "runId": null },
        "id": "595aeee73c2e150001977caf", "parentItem": "595aeee73c2e150001977cae",
        "progress": 0, "result": "unknown", "status": "notstarted", "type": "run", "updatedAt": "2017-07-04T01:28:31.449Z"
    });
    let (ran, waiting): (Vec<Value>, Vec<Value>) =
        got.as_array().unwrap().iter().cloned().partition(|w| {
            w["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["status"] != "notstarted")
        });
    assert_eq!(
        waiting.len(),
        1,
        "the failed build left its deploy waiting: {got}"
    );
    assert_same_shape(&never_ran, &waiting[0]["items"][1], "never-ran item");
    assert!(waiting[0]["items"][1]["data"]["runId"].is_null());
    answers.push(("list-workflows.json", Value::Array(ran)));
    let (_, got) = server
        .get("/api/v3/applications/admin/wercker_api/builds")
        .await;
    answers.push(("application-builds.json", got));
    let (_, got) = server
        .get("/api/v3/applications/admin/wercker_api/deploys")
        .await;
    answers.push(("application-deploys.json", got));

    // Every fixture is covered.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/api-recorded");
    let mut fixtures: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".json"))
        .collect();
    fixtures.sort();
    let mut covered: Vec<String> = answers.iter().map(|(n, _)| n.to_string()).collect();
    covered.sort();
    assert_eq!(fixtures, covered);
    for (name, answer) in &answers {
        assert_same_shape(&recorded(name), answer, name);
    }
}
