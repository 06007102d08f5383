//! Details of the API a script relies on: the public URL in every `url`, `?token=`, one
//! trailing slash, paging, a run step by id, pipelines refreshed from a changed
//! wercker.yml, and the list of every application a caller may read.

mod common;

use common::{Repo, TestServer};
use serde_json::{Value, json};

/// Every `url`-like field of a JSON document.
fn urls(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match v {
                    Value::String(s)
                        if key == "url"
                            || key.ends_with("Url")
                            || key == "builds"
                            || key == "deploys" =>
                    {
                        out.push(s.clone())
                    }
                    _ => urls(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| urls(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn urls_use_the_public_url_and_requests_take_the_forms_scripts_send() {
    let data = tempfile::tempdir().unwrap();
    let public = "https://ci.example.org/werk";
    let server = TestServer::start_with(data.path(), None, &["--public-url", public]).await;
    let repo = Repo::with_yml(
        "build:\n  steps:\n    - script:\n        name: hi\n        code: echo hi\n",
    );
    let app = server.create_app("urls", repo.path(), "private").await;
    let app_id = app["id"].as_str().unwrap();
    let pipeline = server.pipeline_id("urls", "build").await;
    let run = server.trigger(&pipeline, json!({})).await;
    let run_id = run["id"].as_str().unwrap();
    server.finished(run_id).await;

    let mut found = Vec::new();
    for path in [
        "/api/v3/applications/admin/urls".to_string(),
        format!("/api/v3/runs/{run_id}"),
        format!("/api/v3/runs/{run_id}/steps"),
        format!("/api/v3/workflows?applicationId={app_id}"),
        format!("/api/v3/runs?applicationId={app_id}"),
    ] {
        let (status, body) = server.get(&path).await;
        assert_eq!(status, 200, "{path}: {body}");
        urls(&body, &mut found);
    }
    assert!(found.len() > 8, "{found:?}");
    for url in &found {
        assert!(
            url.starts_with(&format!("{public}/api/v3/")),
            "{url} is on the public URL"
        );
    }

    // `?token=` works like the header, and one trailing slash is ignored.
    let (status, body) = server
        .send(server.http.get(server.api(&format!(
            "/api/v3/applications/admin/urls/?token={}",
            server.token
        ))))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], app_id);

    // A run step by id, and paging with limit and skip.
    let steps = server.steps(run_id).await;
    let (status, step) = server
        .get(&format!(
            "/api/v3/runsteps/{}",
            steps[3]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(step["displayName"], "hi");
    server.trigger(&pipeline, json!({})).await;
    let (_, page) = server
        .get(&format!(
            "/api/v3/runs?applicationId={app_id}&limit=1&skip=1"
        ))
        .await;
    assert_eq!(page.as_array().unwrap().len(), 1);
    assert_eq!(
        page[0]["id"], run_id,
        "the older run is the second, newest first"
    );
    let (status, body) = server
        .get(&format!("/api/v3/runs?applicationId={app_id}&limit=0"))
        .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn a_changed_wercker_yml_refreshes_pipelines_and_workflows() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(
        "build:\n  steps:\n    - script:\n        name: hi\n        code: echo hi\n",
    );
    server.create_app("growing", repo.path(), "public").await;
    let build = server.pipeline_id("growing", "build").await;
    repo.commit(
        "wercker.yml",
        "build:\n  steps:\n    - script:\n        name: hi\n        code: echo hi\ntest:\n  steps:\n    - script:\n        name: check\n        code: echo checked\nworkflows:\n  - name: main\n    pipelines:\n      - name: build\n      - name: test\n        requires: [build]\n",
        "add a test pipeline",
    );
    let run = server.trigger(&build, json!({})).await;
    server.finished(run["id"].as_str().unwrap()).await;

    let test = server.pipeline_id("growing", "test").await;
    let (_, pipeline) = server.get(&format!("/api/v3/pipelines/{test}")).await;
    assert_eq!(pipeline["type"], "pipeline", "a chained pipeline");
    assert_eq!(
        server.pipeline_id("growing", "build").await,
        build,
        "known pipelines keep their ids"
    );

    // The next build runs the new chain.
    let run = server.trigger(&build, json!({})).await;
    let run_id = run["id"].as_str().unwrap();
    server.finished(run_id).await;
    let (_, children) = server
        .get(&format!("/api/v3/runs?sourceRun={run_id}"))
        .await;
    assert_eq!(children[0]["pipeline"]["name"], "test", "{children}");
    let child = server.finished(children[0]["id"].as_str().unwrap()).await;
    assert_eq!(child["result"], "passed");
}

#[tokio::test]
async fn every_readable_application_is_listed_without_an_owner() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml("build:\n  steps:\n    - script: {name: hi, code: echo hi}\n");
    server.create_app("alpha", repo.path(), "private").await;
    server.create_app("beta", repo.path(), "public").await;
    let names = |list: &serde_json::Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    };

    // The limit scripts sent to Wercker.
    let (status, mine) = server
        .get("/api/v3/applications?limit=300&sort=nameDesc")
        .await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(names(&mine), ["beta", "alpha"]);
    let anonymous = server
        .http
        .get(server.api("/api/v3/applications"))
        .send()
        .await
        .unwrap();
    let anonymous: serde_json::Value = anonymous.json().await.unwrap();
    assert_eq!(names(&anonymous), ["beta"]);

    let (status, error) = server.get("/api/v3/applications?limit=1001").await;
    assert_eq!(status, 400);
    assert_eq!(error["details"][0]["path"], "limit", "{error}");
    let (_, stack1) = server.get("/api/v3/applications?stack=1").await;
    assert_eq!(names(&stack1), Vec::<String>::new());
}
