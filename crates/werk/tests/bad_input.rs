//! Bad input gets the documented status, a message a user can act on, and changes nothing.

mod common;

use common::{Repo, TestServer};
use serde_json::{Value, json};

const YML: &str =
    "build:\n  steps:\n    - script:\n        name: hello\n        code: echo hello\n";

async fn run_count(server: &TestServer, app_id: &str) -> usize {
    let (status, runs) = server
        .get(&format!("/api/v3/runs?applicationId={app_id}"))
        .await;
    assert_eq!(status, 200);
    runs.as_array().unwrap().len()
}

fn assert_error(status: u16, body: &Value, expected: u16, needle: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["statusCode"], expected);
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
    let message = body["message"].as_str().unwrap_or("");
    assert!(
        message.to_lowercase().contains(needle),
        "message {message:?} should mention {needle:?}"
    );
}

#[tokio::test]
async fn refused_requests_say_why_and_store_nothing() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(YML);
    let app = server.create_app("secret", repo.path(), "private").await;
    let app_id = app["id"].as_str().unwrap().to_string();
    let pipeline = server.pipeline_id("secret", "build").await;
    let trigger_url = server.api("/api/v3/runs");

    // Malformed JSON.
    let (status, body) = server
        .send(
            server
                .http
                .post(&trigger_url)
                .bearer_auth(&server.token)
                .body("{\"pipelineId\": "),
        )
        .await;
    assert_error(status, &body, 400, "json");

    // A body without pipelineId, and one with the wrong type.
    let (status, body) = server
        .post("/api/v3/runs", json!({ "branch": "master" }))
        .await;
    assert_error(status, &body, 400, "pipelineid is required");
    assert_eq!(body["details"][0]["path"], "pipelineId");
    let (status, body) = server
        .post("/api/v3/runs", json!({ "pipelineId": 42 }))
        .await;
    assert_error(status, &body, 400, "pipelineid must be a string");

    // An unknown pipeline.
    let (status, body) = server
        .post(
            "/api/v3/runs",
            json!({ "pipelineId": "0123456789abcdef01234567" }),
        )
        .await;
    assert_error(status, &body, 404, "0123456789abcdef01234567");

    // Bad envVars.
    let (status, body) = server
        .post(
            "/api/v3/runs",
            json!({ "pipelineId": pipeline, "envVars": [{ "key": "1BAD", "value": "x" }] }),
        )
        .await;
    assert_error(status, &body, 400, "envvars[0]");

    // No token, and a wrong token.
    let (status, body) = server
        .send(
            server
                .http
                .post(&trigger_url)
                .json(&json!({ "pipelineId": pipeline })),
        )
        .await;
    assert_error(status, &body, 401, "token");
    let (status, body) = server
        .send(
            server
                .http
                .post(&trigger_url)
                .bearer_auth("not-a-token")
                .json(&json!({ "pipelineId": pipeline })),
        )
        .await;
    assert_error(status, &body, 401, "token");
    let (status, body) = server
        .send(
            server
                .http
                .get(server.api("/api/v3/applications/admin/secret")),
        )
        .await;
    assert_error(status, &body, 401, "private");

    // Another user sees nothing of a private application.
    let bob = server.create_user("bob");
    let (status, body) = server
        .send(
            server
                .http
                .get(server.api("/api/v3/applications/admin/secret"))
                .bearer_auth(&bob),
        )
        .await;
    assert_error(status, &body, 404, "not found");
    let (status, body) = server
        .send(
            server
                .http
                .post(&trigger_url)
                .bearer_auth(&bob)
                .json(&json!({ "pipelineId": pipeline })),
        )
        .await;
    assert_error(status, &body, 404, "not found");
    let (status, body) = server
        .send(
            server
                .http
                .get(server.api(&format!("/api/v3/runs?applicationId={app_id}")))
                .bearer_auth(&bob),
        )
        .await;
    assert_error(status, &body, 404, "not found");

    let (status, body) = server
        .send(
            server
                .http
                .get(server.api(&format!("/api/v3/runs?pipelineId={pipeline}")))
                .bearer_auth(&bob),
        )
        .await;
    assert_error(status, &body, 404, "not found");

    // A scheme other than Bearer, and a commit without its branch.
    let (status, body) = server
        .send(
            server
                .http
                .get(server.api("/api/v3/applications/admin/secret"))
                .header("Authorization", "Basic YTpi"),
        )
        .await;
    assert_error(status, &body, 401, "bearer");
    let (status, body) = server
        .post(
            "/api/v3/runs",
            json!({ "pipelineId": pipeline, "commitHash": "abc" }),
        )
        .await;
    assert_error(status, &body, 400, "branch");

    // A method the endpoint does not have.
    let (status, body) = server
        .send(
            server
                .http
                .delete(server.api("/api/v3/runs"))
                .bearer_auth(&server.token),
        )
        .await;
    assert_error(status, &body, 405, "not allowed");

    // An unknown filter value.
    let (status, body) = server
        .get(&format!("/api/v3/runs?applicationId={app_id}&status=done"))
        .await;
    assert_error(status, &body, 400, "status must be one of");

    assert_eq!(
        run_count(&server, &app_id).await,
        0,
        "no refused request created a run"
    );
    let (_, workflows) = server
        .get(&format!("/api/v3/workflows?applicationId={app_id}"))
        .await;
    assert!(workflows[0]["items"][0]["data"]["runId"].is_null());
}

#[tokio::test]
async fn a_yaml_error_fails_setup_environment_naming_line_and_column() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(YML);
    server.create_app("broken", repo.path(), "public").await;
    let pipeline = server.pipeline_id("broken", "build").await;
    repo.commit("wercker.yml", "build:\n  steps:\n    - script:\n        name: hello\n        code: echo hi\n   bad: indent\nafter: 1\n", "break the yml");

    let run = server.trigger(&pipeline, json!({})).await;
    let run_id = run["id"].as_str().unwrap();
    let run = server.finished(run_id).await;
    assert_eq!(run["result"], "failed");
    assert_eq!(run["message"], "break the yml");
    let setup = server.step(run_id, "setup environment").await;
    assert_eq!(setup["result"], "failed");
    let log = server.log(setup["id"].as_str().unwrap()).await;
    assert!(
        log.contains("wercker.yml:6:"),
        "the log names line 6 and a column: {log}"
    );
    assert!(
        log.contains("   bad: indent"),
        "the log shows the offending line: {log}"
    );
    assert_eq!(
        server.steps(run_id).await.len(),
        2,
        "no step after setup environment was planned"
    );

    // The pipelines read from the valid file are still there.
    assert_eq!(server.pipeline_id("broken", "build").await, pipeline);
}
