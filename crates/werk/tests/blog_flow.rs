//! The flow of the blog post "How To Trigger Builds With the Wercker API", against werk:
//! read the application, find the pipeline id in the workflows, trigger, and watch the
//! build pass and deploy-production follow it with the build's artifact.

mod common;

use common::{Repo, TestServer, assert_same_shape, recorded};
use serde_json::{Value, json};

const HUGO_LIKE_YML: &str = r#"box: debian
build:
  steps:
    - script:
        name: generate site
        code: |
          mkdir -p public
          echo "<h1>built from $WERCKER_GIT_COMMIT</h1>" > public/index.html
deploy:
  steps:
    - script:
        name: publish
        code: |
          test -f public/index.html
          cat public/index.html
          echo "DEPLOY=$DEPLOY CI=${CI:-unset}"
workflows:
  - name: site
    pipelines:
      - name: build
      - name: deploy-production
        pipelineName: deploy
        requires: [build]
"#;

/// The blog's `POST /api/v3/runs/` answer (2016), the shape its readers' scripts rely on.
fn blog_trigger_response() -> Value {
    json!({
      "id": "dc264945402b29a2e0a176081ac94459",
      "url": "https://app.wercker.com/api/v3/runs/dc264945402b29a2e0a176081ac94459",
      "branch": "master",
      "commitHash": "cac9c20b6af734e6ce3dbe6f1d6e87f6",
      "createdAt": "2016-09-24T14:19:24.786Z",
      "envVars": [],
      "message": "Merge branch 'hotfix/2.3.7'\n",
      "commits": [],
      "progress": 0,
      "result": "unknown",
      "status": "notstarted",
      "user": {
        "meta": { "username": "alrayyes", "type": "user", "werckerEmployee": false },
        "userId": "24779006937429bb5dbda1896edbeb98",
        "avatar": { "gravatar": "0cc175b9c0f1b6a831c399e269772661" },
        "name": "alrayyes",
        "type": "wercker"
      },
      "pipeline": {
        "id": "01f995498924d4e3024b52e3941c8468",
        "url": "https://app.wercker.com/api/v3/pipelines/01f995498924d4e3024b52e3941c8468",
        "createdAt": "2016-09-20T22:28:31.862Z",
        "name": "build",
        "permissions": "public",
        "pipelineName": "build",
        "setScmProviderStatus": true,
        "type": "git"
      }
    })
}

#[tokio::test]
async fn the_blog_flow_builds_and_deploys() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(HUGO_LIKE_YML);
    server
        .create_app("ryankes.eu", repo.path(), "private")
        .await;
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();

    // 1. The application, by owner and name, as the blog reads it.
    let (status, app) = server.get("/api/v3/applications/admin/ryankes.eu").await;
    assert_eq!(status, 200);
    assert_same_shape(&recorded("get-application.json"), &app, "application");
    assert_eq!(
        app["url"],
        server.api("/api/v3/applications/admin/ryankes.eu")
    );
    assert!(
        app["allowedActions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "create_run")
    );
    let app_id = app["id"].as_str().unwrap();

    // 2. The pipeline id, from the first item of the first workflow.
    let (status, workflows) = server
        .get(&format!("/api/v3/workflows?applicationId={app_id}"))
        .await;
    assert_eq!(status, 200);
    let pipeline_id = workflows[0]["items"][0]["data"]["pipelineId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(workflows[0]["items"][0]["data"]["targetName"], "build");

    // 3. The trigger, with the blog's trailing slash; the answer has the blog's shape.
    let (status, run) = server
        .send(
            server
                .http
                .post(server.api("/api/v3/runs/"))
                .header("Authorization", format!("Bearer {}", server.token))
                .header("Content-Type", "application/json")
                .body(format!(r#"{{"pipelineId": "{pipeline_id}"}}"#)),
        )
        .await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["status"], "notstarted");
    assert_eq!(run["result"], "unknown");
    assert_same_shape(&blog_trigger_response(), &run, "trigger");
    assert_same_shape(&recorded("trigger-run.json"), &run, "trigger");
    let build_id = run["id"].as_str().unwrap().to_string();

    // The build passes, with its commit and message taken from the repository.
    let build = server.finished(&build_id).await;
    assert_eq!(build["result"], "passed", "{build}");
    assert_eq!(build["progress"], 100);
    assert_eq!(build["commitHash"], head.as_str());
    assert_eq!(build["message"], "first commit");

    // deploy-production was started by the build, from its artifact, and passes.
    let (_, children) = server
        .get(&format!("/api/v3/runs?sourceRun={build_id}"))
        .await;
    let children = children.as_array().unwrap();
    assert_eq!(children.len(), 1, "{children:?}");
    let deploy_id = children[0]["id"].as_str().unwrap().to_string();
    let deploy = server.finished(&deploy_id).await;
    assert_eq!(deploy["result"], "passed", "{deploy}");
    assert_eq!(
        deploy["message"],
        "Auto trigger from Pipeline \"build\" to Pipeline \"deploy-production\""
    );
    assert_eq!(deploy["sourceRun"]["id"], build_id.as_str());
    assert_eq!(deploy["pipeline"]["type"], "pipeline");
    assert_same_shape(&recorded("get-run.json"), &deploy, "run");
    let publish = server.step(&deploy_id, "publish").await;
    let log = server.log(publish["id"].as_str().unwrap()).await;
    assert!(
        log.contains(&format!("built from {head}")),
        "the deploy saw the build's output: {log}"
    );
    assert!(log.contains("DEPLOY=true CI=unset"), "{log}");

    // The steps have Wercker's two shapes and order.
    let steps = server.steps(&build_id).await;
    let names: Vec<&str> = steps
        .iter()
        .map(|s| s["step"].as_str().or(s["displayName"].as_str()).unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "get code",
            "setup environment",
            "wercker-init",
            "generate site",
            "store"
        ]
    );
    assert_eq!(steps[0]["step"], "get code");
    assert!(steps[0].get("phase").is_none());
    assert_eq!(steps[3]["phase"], "mainSteps");
    assert!(steps.iter().all(|s| s["result"] == "passed"), "{steps:?}");

    // The workflow shows the whole chain, finished, with the runs in their items.
    let (_, workflows) = server
        .get(&format!("/api/v3/workflows?applicationId={app_id}"))
        .await;
    let workflows = workflows.as_array().unwrap();
    assert_eq!(
        workflows.len(),
        1,
        "the trigger replaced the placeholder workflow"
    );
    let workflow = &workflows[0];
    assert_same_shape(&recorded("list-workflows.json")[0], workflow, "workflow");
    assert_eq!(workflow["trigger"], "git");
    assert_eq!(workflow["items"][0]["data"]["runId"], build_id.as_str());
    assert_eq!(workflow["items"][1]["data"]["runId"], deploy_id.as_str());
    assert_eq!(
        workflow["items"][1]["parentItem"],
        workflow["items"][0]["id"]
    );
    assert_eq!(workflow["items"][1]["result"], "passed");
    assert_eq!(workflow["items"][0]["data"]["stepName"], "store");
    assert_eq!(workflow["items"][0]["data"]["totalSteps"], 5);

    // Lists carry Wercker's summary shape.
    let (_, runs) = server
        .get(&format!("/api/v3/runs?applicationId={app_id}"))
        .await;
    assert_eq!(runs.as_array().unwrap().len(), 2);
    assert_same_shape(&recorded("list-runs.json")[0], &runs[0], "runs[0]");
    let (_, apps) = server.get("/api/v3/applications/admin").await;
    assert_same_shape(
        &recorded("list-applications.json")[0],
        &apps[0],
        "applications[0]",
    );
}
