//! Manual approval: runs of a pipeline that asks for one wait in `pendingapproval` until
//! `POST /api/v3/trigger/runs/approve`, and can be aborted while they wait.

mod common;

use common::{Repo, TestServer};
use serde_json::json;

#[tokio::test]
async fn runs_wait_for_an_approval_then_run() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(
        "build:\n  steps:\n    - script: {name: make, code: echo built}\ndeploy:\n  steps:\n    - script: {name: ship, code: echo shipped}\nworkflows:\n  - name: w\n    pipelines:\n      - name: build\n      - name: deploy\n        requires: [build]\n",
    );
    let app = server.create_app("gated", repo.path(), "public").await;
    let app_id = app["id"].as_str().unwrap().to_string();
    let deploy = server.pipeline_id("gated", "deploy").await;
    let (status, pipeline) = server
        .send(
            server
                .http
                .patch(server.api(&format!("/api/v3/pipelines/{deploy}")))
                .bearer_auth(&server.token)
                .json(&json!({ "manualApproval": true })),
        )
        .await;
    assert_eq!(status, 200, "{pipeline}");
    assert_eq!(pipeline["manualApproval"], true);

    let build = server.pipeline_id("gated", "build").await;
    let run = server.trigger(&build, json!({})).await;
    let build_id = run["id"].as_str().unwrap().to_string();
    assert_eq!(server.finished(&build_id).await["result"], "passed");
    let (_, children) = server
        .get(&format!("/api/v3/runs?sourceRun={build_id}"))
        .await;
    let deploy_id = children[0]["id"].as_str().unwrap().to_string();
    let waiting = server
        .wait_run(&deploy_id, "pendingapproval", |r| {
            r["status"] == "pendingapproval"
        })
        .await;
    assert_eq!(waiting["result"], "unknown");
    let (_, pending) = server
        .get(&format!(
            "/api/v3/runs?applicationId={app_id}&status=pendingapproval"
        ))
        .await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    let (_, workflows) = server
        .get(&format!("/api/v3/workflows?applicationId={app_id}"))
        .await;
    assert_eq!(workflows[0]["items"][1]["status"], "pendingapproval");

    let (status, approved) = server
        .post(
            "/api/v3/trigger/runs/approve",
            json!({ "runId": deploy_id }),
        )
        .await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(server.finished(&deploy_id).await["result"], "passed");
    let (status, body) = server
        .post(
            "/api/v3/trigger/runs/approve",
            json!({ "runId": deploy_id }),
        )
        .await;
    assert_eq!(status, 422, "only a waiting run can be approved: {body}");

    // A waiting run can be aborted instead.
    let direct = server
        .trigger(&deploy, json!({ "sourceRunId": build_id }))
        .await;
    let direct_id = direct["id"].as_str().unwrap().to_string();
    assert_eq!(direct["status"], "pendingapproval");
    let (status, aborted) = server.put(&format!("/api/v3/runs/{direct_id}/abort")).await;
    assert_eq!(status, 200);
    assert_eq!(aborted["result"], "aborted");
    assert!(
        server.steps(&direct_id).await.is_empty(),
        "an aborted waiting run never ran a step"
    );
}
