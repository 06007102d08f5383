//! The rest of the reference's resources: application updates, tokens with Basic auth, the
//! profile, legacy builds and deploys, and pipelines created through the API.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{Repo, TestServer, assert_same_shape, recorded};
use serde_json::json;

const YML: &str = r#"build:
  steps:
    - script: {name: make, code: "echo made > made.txt"}
deploy:
  steps:
    - script: {name: ship, code: "cat made.txt; echo to $WERCKER_DEPLOYTARGET_NAME"}
workflows:
  - name: main
    pipelines:
      - name: build
      - name: deploy
        requires: [build]
"#;

#[tokio::test]
async fn update_application_ignored_branches() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(YML);
    server.create_app("patchy", repo.path(), "public").await;
    let url = server.api("/api/v3/applications/admin/patchy");
    let (status, body) = server
        .send(
            server
                .http
                .patch(&url)
                .bearer_auth(&server.token)
                .json(&json!({ "ignoredBranches": ["a-dummy-branch"] })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_same_shape(&recorded("update-application.json"), &body, "patch");
    assert!(
        body.get("allowedActions").is_none(),
        "Wercker's PATCH answer has no allowedActions"
    );
    let (_, app) = server.get("/api/v3/applications/admin/patchy").await;
    assert_eq!(
        app["settings"]["ignoredBranches"],
        json!(["a-dummy-branch"])
    );

    let eleven: Vec<String> = (0..11).map(|i| format!("b{i}")).collect();
    let (status, body) = server
        .send(
            server
                .http
                .patch(&url)
                .bearer_auth(&server.token)
                .json(&json!({ "ignoredBranches": eleven })),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["details"][0]["path"], "ignoredBranches");
    let (_, app) = server.get("/api/v3/applications/admin/patchy").await;
    assert_eq!(
        app["settings"]["ignoredBranches"],
        json!(["a-dummy-branch"]),
        "a refused update changes nothing"
    );
}

#[tokio::test]
async fn tokens_are_created_with_basic_auth_listed_renamed_and_revoked() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_werk"))
        .args([
            "admin",
            "user",
            "create",
            "dave",
            "--password-stdin",
            "--data",
        ])
        .arg(&server.data)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery\n")
        .unwrap();
    assert!(child.wait().unwrap().success());

    let tokens = server.api("/api/v3/tokens");
    let (status, body) = server
        .send(
            server
                .http
                .post(&tokens)
                .basic_auth("dave", Some("wrong password"))
                .json(&json!({ "name": "laptop" })),
        )
        .await;
    assert_eq!(status, 401, "{body}");
    let (status, created) = server
        .send(
            server
                .http
                .post(&tokens)
                .basic_auth("dave", Some("correct horse battery"))
                .json(&json!({ "name": "werckercli-laptop" })),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let plaintext = created["token"].as_str().unwrap().to_string();
    assert_eq!(created["name"], "werckercli-laptop");
    assert_eq!(
        created["lastCharacters"].as_str().unwrap(),
        &plaintext[plaintext.len() - 8..]
    );
    assert!(created["lastUsedAt"].is_null());
    let id = created["id"].as_str().unwrap().to_string();

    let (status, profile) = server
        .send(
            server
                .http
                .get(server.api("/api/v2/profile"))
                .bearer_auth(&plaintext),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(profile["username"], "dave");

    let (_, listed) = server
        .send(server.http.get(&tokens).bearer_auth(&plaintext))
        .await;
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "only dave's tokens: {listed:?}");
    assert!(listed[0]["token"].is_null(), "the plaintext is shown once");
    assert!(listed[0]["lastUsedAt"].is_string(), "use is recorded");

    let one = server.api(&format!("/api/v3/tokens/{id}"));
    let (status, renamed) = server
        .send(
            server
                .http
                .patch(&one)
                .bearer_auth(&plaintext)
                .json(&json!({ "name": "old laptop" })),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(renamed["name"], "old laptop");
    let (status, body) = server
        .send(
            server
                .http
                .patch(&one)
                .bearer_auth(&plaintext)
                .json(&json!({ "name": "x".repeat(31) })),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = server
        .send(server.http.get(&one).bearer_auth(&server.token))
        .await;
    assert_eq!(status, 404, "another user's token is not found");

    let (status, _) = server
        .send(server.http.delete(&one).bearer_auth(&plaintext))
        .await;
    assert_eq!(status, 200);
    let (status, _) = server
        .send(
            server
                .http
                .get(server.api("/api/v2/profile"))
                .bearer_auth(&plaintext),
        )
        .await;
    assert_eq!(status, 401, "a deleted token stops working");
}

#[tokio::test]
async fn builds_and_deploys_are_runs_seen_the_old_way_and_pipelines_can_be_added() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(YML);
    let app = server.create_app("legacy", repo.path(), "public").await;
    let app_id = app["id"].as_str().unwrap().to_string();

    let (status, build) = server
        .post(
            "/api/v3/builds",
            json!({ "applicationId": app_id, "message": "old style" }),
        )
        .await;
    assert_eq!(status, 200, "{build}");
    assert_eq!(build["status"], "notstarted");
    let build_id = build["id"].as_str().unwrap().to_string();
    assert_eq!(
        build["url"],
        server.api(&format!("/api/v3/builds/{build_id}"))
    );
    server.finished(&build_id).await;
    let (_, children) = server
        .get(&format!("/api/v3/runs?sourceRun={build_id}"))
        .await;
    let deploy_id = children[0]["id"].as_str().unwrap().to_string();
    server.finished(&deploy_id).await;

    let (_, builds) = server.get("/api/v3/applications/admin/legacy/builds").await;
    assert_eq!(builds.as_array().unwrap().len(), 1, "{builds}");
    assert_eq!(builds[0]["id"], build_id.as_str());
    assert_eq!(builds[0]["result"], "passed");
    let (_, deploys) = server
        .get("/api/v3/applications/admin/legacy/deploys")
        .await;
    assert_eq!(deploys[0]["id"], deploy_id.as_str());
    let (status, deploy) = server.get(&format!("/api/v3/deploys/{deploy_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(deploy["build"]["id"], build_id.as_str());
    assert_eq!(deploy["application"]["id"], app_id.as_str());
    let (status, _) = server.get(&format!("/api/v3/builds/{deploy_id}")).await;
    assert_eq!(status, 404, "a deploy is not a build");
    let (_, passed) = server
        .get("/api/v3/applications/admin/legacy/builds?result=failed")
        .await;
    assert!(passed.as_array().unwrap().is_empty());

    // A pipeline of its own name, running the yml's deploy.
    let (status, pipeline) = server
        .post(
            "/api/v3/pipelines",
            json!({ "application": app_id, "name": "deploy-staging", "pipelineName": "deploy-staging", "ymlPipeline": "deploy", "type": "pipeline", "permissions": "read" }),
        )
        .await;
    assert_eq!(status, 200, "{pipeline}");
    assert_eq!(pipeline["pipelineName"], "deploy");
    let (status, body) = server
        .post(
            "/api/v3/pipelines",
            json!({ "application": app_id, "pipelineName": "x", "type": "nightly" }),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let run = server
        .trigger(
            pipeline["id"].as_str().unwrap(),
            json!({ "sourceRunId": build_id }),
        )
        .await;
    let run = server.finished(run["id"].as_str().unwrap()).await;
    assert_eq!(run["result"], "passed", "{run}");
    let ship = server.step(run["id"].as_str().unwrap(), "ship").await;
    let log = server.log(ship["id"].as_str().unwrap()).await;
    assert!(
        log.contains("made") && log.contains("to deploy-staging"),
        "{log}"
    );

    // It stays when wercker.yml changes.
    repo.commit("README", "changed\n", "touch");
    let again = server
        .trigger(&server.pipeline_id("legacy", "build").await, json!({}))
        .await;
    server.finished(again["id"].as_str().unwrap()).await;
    assert_eq!(
        server.pipeline_id("legacy", "deploy-staging").await,
        pipeline["id"].as_str().unwrap()
    );
}
