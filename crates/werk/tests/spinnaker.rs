//! The endpoints Wercker served for Spinnaker's igor: `GET /api/spinnaker/v1/applications`
//! and `GET /api/spinnaker/v1/runs`, compared with igor's fixtures (`tests/fixtures/
//! spinnaker/`), limited to what the caller may read, with 400 for bad query values.

mod common;

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{Repo, TestServer, assert_same_shape, assert_wire_conventions};
use serde_json::{Value, json};

/// A fixture of igor's Wercker client tests.
fn igor(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/spinnaker")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap_or_else(|| panic!("a list: {list}"))
        .iter()
        .map(|item| item["id"].as_str().unwrap())
        .collect()
}

/// GET with another user's token, or none.
async fn get_as(server: &TestServer, token: Option<&str>, path: &str) -> (u16, Value) {
    let request = server.http.get(server.api(path));
    let request = match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    server.send(request).await
}

const YML: &str = "build:\n  steps:\n    - script:\n        name: work\n        code: sleep \"${PAUSE:-0}\"\n\
deploy:\n  steps:\n    - script: {name: ship, code: echo shipped}\n\
workflows:\n  - name: release\n    pipelines:\n      - name: build\n      - name: deploy\n        requires: [build]\n";

#[tokio::test]
async fn applications_and_runs_in_igors_shapes_for_what_the_caller_may_read() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let bob = server.create_user("bob");
    let repo = Repo::with_yml(YML);
    let site = server.create_app("site", repo.path(), "public").await;
    let secret = server.create_app("secret", repo.path(), "private").await;
    let build = server.pipeline_id("site", "build").await;
    let deploy = server.pipeline_id("site", "deploy").await;
    let secret_build = server.pipeline_id("secret", "build").await;

    let before = now_ms() - 1000;
    let built = server.trigger(&build, json!({})).await;
    let built_id = built["id"].as_str().unwrap().to_string();
    server.finished(&built_id).await;
    let (_, chained) = server
        .get(&format!("/api/v3/runs?sourceRun={built_id}"))
        .await;
    let deployed_id = ids(&chained)[0].to_string();
    server.finished(&deployed_id).await;
    let hidden = server.trigger(&secret_build, json!({})).await;
    let hidden_id = hidden["id"].as_str().unwrap().to_string();
    server.finished(&hidden_id).await;
    let (_, chained) = server
        .get(&format!("/api/v3/runs?sourceRun={hidden_id}"))
        .await;
    let hidden_deploy_id = ids(&chained)[0].to_string();
    server.finished(&hidden_deploy_id).await;

    // Applications: every one the caller may read, by name, each with its pipelines.
    let (status, apps) = server.get("/api/spinnaker/v1/applications?limit=300").await;
    assert_eq!(status, 200, "{apps}");
    assert_same_shape(&igor("getApplications.json"), &apps, "applications");
    assert_wire_conventions(&apps, "applications");
    assert_eq!(
        ids(&apps),
        [secret["id"].as_str().unwrap(), site["id"].as_str().unwrap()]
    );
    let (_, pipelines) = server
        .get("/api/v3/applications/admin/site/pipelines")
        .await;
    assert_eq!(apps[1]["pipelines"], pipelines);
    let (status, few) = server.get("/api/spinnaker/v1/applications?limit=1").await;
    assert_eq!((status, ids(&few).len()), (200, 1), "{few}");
    for token in [Some(bob.as_str()), None] {
        let (status, apps) = get_as(&server, token, "/api/spinnaker/v1/applications").await;
        assert_eq!(status, 200, "{apps}");
        assert_eq!(ids(&apps), [site["id"].as_str().unwrap()], "{token:?}");
    }

    // Runs: newest first, each with its application, as igor polls them.
    let path = format!(
        "/api/spinnaker/v1/runs?branch=master&pipelineIds={build}&pipelineIds={deploy}&limit=300&since={before}"
    );
    let (status, runs) = server.get(&path).await;
    assert_eq!(status, 200, "{runs}");
    assert_same_shape(&igor("getRuns.json"), &runs, "runs");
    assert_wire_conventions(&runs, "runs");
    assert_eq!(ids(&runs), [deployed_id.as_str(), built_id.as_str()]);
    assert_eq!(runs[0]["application"]["id"], site["id"]);
    assert_eq!(runs[0]["pipeline"]["id"], deploy.as_str());
    assert_eq!(runs[1]["user"]["meta"]["username"], "admin");
    let (_, summary) = server
        .get(&format!("/api/v3/runs?pipelineId={build}"))
        .await;
    let mut from_spinnaker = runs[1].clone();
    from_spinnaker
        .as_object_mut()
        .unwrap()
        .remove("application");
    assert_eq!(
        from_spinnaker, summary[0],
        "a run summary plus its application"
    );

    // Comma-separated ids are read like repeated ones; one pipeline, one run.
    let (_, same) = server
        .get(&format!(
            "/api/spinnaker/v1/runs?pipelineIds={build},{deploy}&since={before}"
        ))
        .await;
    assert_eq!(ids(&same), ids(&runs));
    let (_, only) = server
        .get(&format!("/api/spinnaker/v1/runs?pipelineIds={build}"))
        .await;
    assert_eq!(ids(&only), [built_id.as_str()]);
    // Without pipelineIds: every run the caller may read.
    let (_, all) = server.get("/api/spinnaker/v1/runs?limit=300").await;
    assert_eq!(
        ids(&all),
        [
            hidden_deploy_id.as_str(),
            hidden_id.as_str(),
            deployed_id.as_str(),
            built_id.as_str()
        ]
    );
    let (_, one) = server.get("/api/spinnaker/v1/runs?limit=1").await;
    assert_eq!(ids(&one), [hidden_deploy_id.as_str()]);
    for (path, why) in [
        (
            format!("/api/spinnaker/v1/runs?since={}", now_ms() + 60_000),
            "nothing happened since",
        ),
        (
            "/api/spinnaker/v1/runs?branch=gh-pages".to_string(),
            "another branch",
        ),
        (
            "/api/spinnaker/v1/runs?pipelineIds=0123456789abcdef01234567".to_string(),
            "an unknown pipeline",
        ),
    ] {
        let (status, none) = server.get(&path).await;
        assert_eq!((status, none.clone()), (200, json!([])), "{why}");
    }

    // Others see the runs of public applications only; naming a private pipeline is no error.
    for token in [Some(bob.as_str()), None] {
        let (status, seen) = get_as(&server, token, "/api/spinnaker/v1/runs").await;
        assert_eq!(status, 200, "{seen}");
        assert_eq!(
            ids(&seen),
            [deployed_id.as_str(), built_id.as_str()],
            "{token:?}"
        );
        let (status, seen) = get_as(
            &server,
            token,
            &format!("/api/spinnaker/v1/runs?pipelineIds={secret_build}"),
        )
        .await;
        assert_eq!((status, seen), (200, json!([])), "{token:?}");
    }
}

#[tokio::test]
async fn since_keeps_runs_still_running() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(YML);
    server.create_app("slow", repo.path(), "public").await;
    let build = server.pipeline_id("slow", "build").await;
    let run = server
        .trigger(
            &build,
            json!({ "envVars": [{ "key": "PAUSE", "value": "3" }] }),
        )
        .await;
    let run_id = run["id"].as_str().unwrap().to_string();
    server
        .wait_run(&run_id, "running", |r| r["status"] == "running")
        .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let after_start = now_ms();
    let path = format!("/api/spinnaker/v1/runs?pipelineIds={build}&since={after_start}");
    let (_, running) = server.get(&path).await;
    assert_eq!(ids(&running), [run_id.as_str()], "a running run is active");
    assert!(running[0].get("finishedAt").is_none(), "{running}");

    let finished = server.finished(&run_id).await;
    let (_, still) = server.get(&path).await;
    assert_eq!(
        ids(&still),
        [run_id.as_str()],
        "it finished after {after_start}"
    );
    let after_finish = now_ms() + 10;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let (_, later) = server
        .get(&format!(
            "/api/spinnaker/v1/runs?pipelineIds={build}&since={after_finish}"
        ))
        .await;
    assert_eq!(later, json!([]), "finished at {}", finished["finishedAt"]);
}

#[tokio::test]
async fn bad_query_values_are_400_in_the_error_shape() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    for (path, field) in [
        ("/api/spinnaker/v1/applications?limit=many", "limit"),
        ("/api/spinnaker/v1/applications?limit=0", "limit"),
        ("/api/spinnaker/v1/applications?limit=1001", "limit"),
        ("/api/spinnaker/v1/runs?limit=ten", "limit"),
        ("/api/spinnaker/v1/runs?limit=-5", "limit"),
        ("/api/spinnaker/v1/runs?since=yesterday", "since"),
        ("/api/spinnaker/v1/runs?since=-1", "since"),
        ("/api/spinnaker/v1/runs?since=1e12", "since"),
        ("/api/spinnaker/v1/runs?since=99999999999999999999", "since"),
        ("/api/spinnaker/v1/runs?pipelineIds=build", "pipelineIds"),
        (
            "/api/spinnaker/v1/runs?pipelineIds=0123456789abcdef01234567,xyz",
            "pipelineIds",
        ),
    ] {
        let (status, body) = server.get(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["statusCode"], 400, "{path}: {body}");
        assert_eq!(body["error"], "Bad Request", "{path}: {body}");
        assert_eq!(body["details"][0]["path"], field, "{path}: {body}");
        assert!(
            body["message"].as_str().unwrap().starts_with(field),
            "{path}: {body}"
        );
    }
    let (status, body) = server
        .send(
            server
                .http
                .get(server.api("/api/spinnaker/v1/runs"))
                .bearer_auth("not-a-token"),
        )
        .await;
    assert_eq!((status, body["statusCode"].clone()), (401, json!(401)));
}
