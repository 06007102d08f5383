//! Filters, sorting, the default workflow, and the shapes and wire conventions of every
//! resource a script reads.

mod common;

use common::{Repo, TestServer, assert_same_shape, assert_wire_conventions};
use serde_json::{Value, json};

const YML: &str = r#"build:
  steps:
    - script:
        name: check
        code: test "$FAIL" != yes
deploy:
  steps:
    - script: {name: ship, code: echo shipped}
"#;

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn run_filters_and_sorting_select_the_right_runs() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(YML);
    repo.git(&["branch", "feature"]);
    let app = server.create_app("filters", repo.path(), "public").await;
    let app_id = app["id"].as_str().unwrap();
    let build = server.pipeline_id("filters", "build").await;
    let deploy = server.pipeline_id("filters", "deploy").await;
    let passed = server.trigger(&build, json!({})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    server.finished(&passed).await;
    let failed = server
        .trigger(
            &build,
            json!({ "envVars": [{ "key": "FAIL", "value": "yes" }] }),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    server.finished(&failed).await;
    let feature = server
        .trigger(&build, json!({ "branch": "feature", "tag": "v1.0" }))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    server.finished(&feature).await;
    let shipped = server.trigger(&deploy, json!({})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    server.finished(&shipped).await;
    let commit = repo.git(&["rev-parse", "HEAD"]).trim().to_string();

    let query = |q: String| {
        let server = &server;
        async move {
            let (status, body) = server
                .get(&format!("/api/v3/runs?applicationId={app_id}{q}"))
                .await;
            assert_eq!(status, 200, "{q}: {body}");
            ids(&body)
        }
    };
    assert_eq!(
        query(String::new()).await,
        [
            shipped.as_str(),
            feature.as_str(),
            failed.as_str(),
            passed.as_str()
        ],
        "newest first"
    );
    assert_eq!(
        query("&sort=creationDateAsc".into()).await,
        [
            passed.as_str(),
            failed.as_str(),
            feature.as_str(),
            shipped.as_str()
        ]
    );
    assert_eq!(query("&result=failed".into()).await, [failed.as_str()]);
    assert_eq!(
        query("&result=passed&branch=master".into()).await,
        [shipped.as_str(), passed.as_str()]
    );
    assert_eq!(query("&branch=feature".into()).await, [feature.as_str()]);
    assert_eq!(
        query("&status=finished&limit=2".into()).await,
        [shipped.as_str(), feature.as_str()]
    );
    assert_eq!(query(format!("&commit={commit}")).await.len(), 4);
    assert!(
        query("&commit=0000000000000000000000000000000000000000".into())
            .await
            .is_empty()
    );
    assert!(query("&status=running".into()).await.is_empty());
    assert_eq!(query("&tag=v1.0".into()).await, [feature.as_str()]);
    assert_eq!(
        query("&author=ADMIN".into()).await.len(),
        4,
        "authors match in any case"
    );
    assert!(query("&author=nobody".into()).await.is_empty());
    let (_, by_pipeline) = server
        .get(&format!("/api/v3/runs?pipelineId={deploy}"))
        .await;
    assert_eq!(ids(&by_pipeline), [shipped.as_str()]);
    let (status, body) = server
        .get(&format!("/api/v3/runs?applicationId={app_id}&sort=newest"))
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = server.get("/api/v3/runs").await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn without_workflows_an_application_has_one_workflow_holding_build() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(YML);
    let app = server.create_app("plain", repo.path(), "public").await;
    let app_id = app["id"].as_str().unwrap();
    let (_, workflows) = server
        .get(&format!("/api/v3/workflows?applicationId={app_id}"))
        .await;
    let workflows = workflows.as_array().unwrap();
    assert_eq!(workflows.len(), 1, "{workflows:?}");
    let items = workflows[0]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["data"]["targetName"], "build");

    // deploy runs alone, and build chains nothing.
    let build = server.pipeline_id("plain", "build").await;
    let run = server.trigger(&build, json!({})).await;
    let run_id = run["id"].as_str().unwrap();
    server.finished(run_id).await;
    let (_, children) = server
        .get(&format!("/api/v3/runs?sourceRun={run_id}"))
        .await;
    assert!(children.as_array().unwrap().is_empty());
}

#[tokio::test]
async fn every_resource_has_the_reference_shape_ids_and_timestamps() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(&format!(
        "{YML}workflows:\n  - name: w\n    pipelines:\n      - name: build\n      - name: deploy\n        requires: [build]\n"
    ));
    let app = server.create_app("shapes", repo.path(), "public").await;
    let app_id = app["id"].as_str().unwrap();
    let build = server.pipeline_id("shapes", "build").await;
    let run = server.trigger(&build, json!({})).await;
    let run_id = run["id"].as_str().unwrap().to_string();
    server.finished(&run_id).await;
    let (_, children) = server
        .get(&format!("/api/v3/runs?sourceRun={run_id}"))
        .await;
    server.finished(children[0]["id"].as_str().unwrap()).await;

    // Reference §3.3: a pipeline.
    let pipeline_shape = json!({
        "id": "595aeb089a634a010023715e", "url": "u", "createdAt": "2017-07-04T01:10:32.728Z", "name": "deploy",
        "permissions": "read", "pipelineName": "deploy", "setScmProviderStatus": false, "manualApproval": false, "type": "pipeline"
    });
    // Reference §3.5: the two shapes of a run step.
    let builtin_step = json!({
        "id": "595aef023c2e150001977cc4", "url": "u", "artifactsUrl": null, "createdAt": "2017-07-04T01:27:30.635Z",
        "finishedAt": "2017-07-04T01:27:32.631Z", "logUrl": "u", "order": 1, "result": "passed",
        "startedAt": "2017-07-04T01:27:32.357Z", "status": "finished", "step": "get code"
    });
    let pipeline_step = json!({
        "id": "595aef19cfaef000015a1491", "url": "u", "artifactsUrl": null, "createdAt": "2017-07-04T01:27:53.921Z",
        "displayName": "store", "finishedAt": "2017-07-04T01:28:19.265Z", "logUrl": "u", "order": 11,
        "phase": "mainSteps", "result": "passed", "startedAt": "2017-07-04T01:28:15.490Z", "status": "finished"
    });

    let (_, pipeline) = server.get(&format!("/api/v3/pipelines/{build}")).await;
    assert_same_shape(&pipeline_shape, &pipeline, "pipeline");
    let (_, pipelines) = server
        .get("/api/v3/applications/admin/shapes/pipelines")
        .await;
    assert_same_shape(&json!([pipeline_shape]), &pipelines, "pipelines");
    let steps = server.steps(&run_id).await;
    assert_same_shape(&builtin_step, &steps[0], "steps[0]");
    assert!(steps[0].get("displayName").is_none() && steps[2].get("step").is_none());
    for step in &steps[2..] {
        assert_same_shape(&pipeline_step, step, "steps[]");
    }
    let (_, one_step) = server
        .get(&format!(
            "/api/v3/runsteps/{}",
            steps[3]["id"].as_str().unwrap()
        ))
        .await;
    assert_same_shape(&pipeline_step, &one_step, "runstep");
    let (_, workflows) = server
        .get(&format!("/api/v3/workflows?applicationId={app_id}"))
        .await;
    let workflow_id = workflows[0]["id"].as_str().unwrap();
    let (status, workflow) = server
        .get(&format!("/api/v3/workflows/{workflow_id}"))
        .await;
    assert_eq!(status, 200);
    assert_same_shape(
        &common::recorded("list-workflows.json")[0],
        &workflow,
        "workflow",
    );
    assert_eq!(
        workflow["application"]["id"], app_id,
        "the single workflow carries its application"
    );
    assert!(workflows[0].get("application").is_none(), "lists do not");

    for path in [
        "/api/v3/applications/admin".to_string(),
        "/api/v3/applications/admin/shapes".to_string(),
        "/api/v3/applications/admin/shapes/pipelines".to_string(),
        format!("/api/v3/runs/{run_id}"),
        format!("/api/v3/runs/{run_id}/steps"),
        format!("/api/v3/runs?applicationId={app_id}"),
        format!("/api/v3/workflows?applicationId={app_id}"),
        format!("/api/v3/workflows/{workflow_id}"),
        format!("/api/v3/pipelines/{build}"),
        "/api/v3/tokens".to_string(),
        "/api/v2/profile".to_string(),
    ] {
        let (status, body) = server.get(&path).await;
        assert_eq!(status, 200, "{path}");
        assert_wire_conventions(&body, &path);
    }
}
