//! What a trigger can say: a branch, a commit, a message, variables, and a source run to
//! chain from by hand; and who may trigger.

mod common;

use common::{Repo, TestServer};
use serde_json::json;

const YML: &str = r#"build:
  steps:
    - script:
        name: show
        code: |
          echo "branch=$WERCKER_GIT_BRANCH commit=$WERCKER_GIT_COMMIT tag=$WERCKER_GIT_TAG greeting=$GREETING second=$SECOND"
          cat version.txt > version.out
deploy:
  steps:
    - script:
        name: ship
        code: echo "shipping $(cat version.out) from $WERCKER_GIT_BRANCH"
"#;

#[tokio::test]
async fn branch_commit_message_env_vars_and_source_runs() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(YML);
    repo.commit("version.txt", "v1\n", "version 1");
    let v1 = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.git(&["tag", "v1.0"]);
    repo.commit("version.txt", "v2\n", "version 2");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.commit("version.txt", "v3-feature\n", "feature work");
    let feature_head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.git(&["checkout", "-q", "master"]);
    let app = server.create_app("options", repo.path(), "public").await;
    let app_id = app["id"].as_str().unwrap().to_string();
    let build = server.pipeline_id("options", "build").await;
    let deploy = server.pipeline_id("options", "deploy").await;

    // An older commit of master, a message, and variables that see each other in order.
    let run = server
        .trigger(
            &build,
            json!({
                "branch": "master",
                "commitHash": v1,
                "message": "rebuild v1",
                "envVars": [{ "key": "GREETING", "value": "hi there" }, { "key": "SECOND", "value": "$GREETING!" }],
            }),
        )
        .await;
    assert_eq!(run["envVars"][0]["key"], "GREETING");
    let id = run["id"].as_str().unwrap().to_string();
    let run = server.finished(&id).await;
    assert_eq!(run["result"], "passed", "{run}");
    assert_eq!(run["commitHash"], v1.as_str());
    assert_eq!(run["message"], "rebuild v1");
    let log = server
        .log(server.step(&id, "show").await["id"].as_str().unwrap())
        .await;
    assert!(
        log.contains(&format!(
            "branch=master commit={v1} tag=v1.0 greeting=hi there second=hi there!"
        )),
        "{log}"
    );

    // The head of another branch.
    let feature = server.trigger(&build, json!({ "branch": "feature" })).await;
    let feature_id = feature["id"].as_str().unwrap().to_string();
    let feature = server.finished(&feature_id).await;
    assert_eq!(feature["commitHash"], feature_head.as_str());
    assert_eq!(feature["message"], "feature work");

    // Chaining by hand: deploy from the feature build's artifact.
    let chained = server
        .trigger(&deploy, json!({ "sourceRunId": feature_id }))
        .await;
    let chained_id = chained["id"].as_str().unwrap().to_string();
    let chained = server.finished(&chained_id).await;
    assert_eq!(chained["result"], "passed", "{chained}");
    assert_eq!(chained["sourceRun"]["id"], feature_id.as_str());
    assert_eq!(chained["branch"], "feature");
    let log = server
        .log(
            server.step(&chained_id, "ship").await["id"]
                .as_str()
                .unwrap(),
        )
        .await;
    assert!(log.contains("shipping v3-feature from feature"), "{log}");
    let (_, workflows) = server
        .get(&format!("/api/v3/workflows?applicationId={app_id}"))
        .await;
    let manual = workflows
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["items"][0]["data"]["runId"] == chained_id.as_str())
        .expect("the chained run has its workflow");
    assert_eq!(manual["trigger"], "workflow");
    assert_eq!(manual["data"]["sourceRunId"], feature_id.as_str());

    // A source run that did not pass cannot be chained from.
    let failing = server.trigger(&build, json!({ "branch": "nosuch" })).await;
    let failing_id = failing["id"].as_str().unwrap().to_string();
    assert_eq!(server.finished(&failing_id).await["result"], "failed");
    let (status, body) = server
        .post(
            "/api/v3/runs",
            json!({ "pipelineId": deploy, "sourceRunId": failing_id }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("artifact"),
        "{body}"
    );
}

#[tokio::test]
async fn only_the_owner_triggers_and_others_are_told_so() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(YML);
    server.create_app("open", repo.path(), "public").await;
    let build = server.pipeline_id("open", "build").await;
    let carol = server.create_user("carol");
    let (status, body) = server
        .send(
            server
                .http
                .get(server.api("/api/v3/applications/admin/open"))
                .bearer_auth(&carol),
        )
        .await;
    assert_eq!(status, 200, "a public application is readable by others");
    assert!(
        !body["allowedActions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "create_run")
    );
    let (status, body) = server
        .send(
            server
                .http
                .post(server.api("/api/v3/runs"))
                .bearer_auth(&carol)
                .json(&json!({ "pipelineId": build })),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"], "Forbidden");
}
