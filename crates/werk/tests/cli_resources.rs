//! The resource commands against a live server, logged in once: applications, pipelines,
//! workflows, runs and steps, as tables and as the API's own JSON.

mod common;
mod werk_cli;

use common::{Repo, TestServer};
use serde_json::{Value, json};
use werk_cli::{Werk, row_count, rows_with};

const YML: &str = r#"build:
  steps:
    - script:
        name: greet
        code: echo "hello from $WERCKER_GIT_BRANCH"
    - script:
        name: maybe fail
        code: test "$FAIL" != yes
deploy:
  steps:
    - script:
        name: ship
        code: echo shipped
slow:
  steps:
    - script:
        name: wait
        code: sleep 60
workflows:
  - name: main
    pipelines:
      - name: build
      - name: deploy
        requires: [build]
"#;

#[tokio::test]
async fn applications_and_pipelines() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(YML);
    let werk = Werk::logged_in(&server.url, &server.token);
    let repo_path = repo.path().display().to_string();
    let out = werk.ok(&["apps", "create", "admin/shop", "--git", &repo_path]);
    assert!(out.contains("created application admin/shop"), "{out}");
    let created = werk.json(&[
        "app",
        "create",
        "admin/shop-2",
        "--git",
        &repo_path,
        "--private",
    ]);
    assert_eq!(created["name"], "shop-2");

    let table = werk.ok(&["apps", "list"]);
    assert_eq!(
        rows_with(&table, &["admin/shop", "public"]).len(),
        1,
        "{table}"
    );
    assert_eq!(
        rows_with(&table, &["admin/shop-2", "private"]).len(),
        1,
        "{table}"
    );
    let (_, api) = server.get("/api/v3/applications/admin?limit=100").await;
    assert_eq!(werk.json(&["apps", "list"]), api);
    assert_eq!(werk.json(&["apps", "list", "admin"]), api);

    let (_, api) = server.get("/api/v3/applications/admin/shop").await;
    assert_eq!(werk.json(&["apps", "show", "admin/shop"]), api);
    let shown = werk.ok(&["apps", "show", "admin/shop"]);
    assert!(shown.contains("pipelines:"), "{shown}");
    for expected in ["admin/shop", "public", "build", "deploy", "slow"] {
        assert!(shown.contains(expected), "{expected}: {shown}");
    }

    let out = werk.ok(&["apps", "ignore-branches", "admin/shop", "wip", "scratch"]);
    assert!(out.contains("wip, scratch"), "{out}");
    let (_, app) = server.get("/api/v3/applications/admin/shop").await;
    assert_eq!(
        app["settings"]["ignoredBranches"],
        json!(["wip", "scratch"])
    );
    werk.ok(&["apps", "ignore-branches", "admin/shop"]);
    let (_, app) = server.get("/api/v3/applications/admin/shop").await;
    assert_eq!(app["settings"]["ignoredBranches"], json!([]));

    let table = werk.ok(&["pipelines", "list", "admin/shop"]);
    assert_eq!(row_count(&table), 3, "{table}");
    for name in ["build", "deploy", "slow"] {
        assert_eq!(rows_with(&table, &[name]).len(), 1, "{table}");
    }
    let out = werk.ok(&[
        "pipelines",
        "create",
        "admin/shop",
        "nightly",
        "--yml-pipeline",
        "build",
        "--type",
        "pipeline",
        "--permissions",
        "admin",
    ]);
    assert!(
        out.contains("created pipeline nightly of admin/shop"),
        "{out}"
    );
    let (_, api) = server
        .get("/api/v3/applications/admin/shop/pipelines?limit=100")
        .await;
    let listed = werk.json(&["pipelines", "list", "admin/shop"]);
    assert_eq!(listed, api);
    let nightly = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "nightly")
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(nightly["pipelineName"], "build");
    assert_eq!(nightly["type"], "pipeline");
    assert_eq!(nightly["permissions"], "admin");
    let id = nightly["id"].as_str().unwrap();
    let (_, api) = server.get(&format!("/api/v3/pipelines/{id}")).await;
    assert_eq!(werk.json(&["pipelines", "show", id]), api);
    let shown = werk.ok(&["pipelines", "show", id]);
    assert!(
        shown.contains("yml pipeline:") && shown.contains("build"),
        "{shown}"
    );

    let err = werk.fails(&["apps", "show", "admin/nope"]);
    assert_eq!(err.trim(), "werk: application admin/nope not found");
    let err = werk.fails(&["pipelines", "create", "admin/shop", "x", "--type", "cron"]);
    assert!(err.contains("cron"), "{err}");
}

#[tokio::test]
async fn runs_steps_and_workflows() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(YML);
    repo.git(&["checkout", "-q", "-b", "release"]);
    repo.commit("notes.txt", "notes\n", "release work");
    repo.git(&["checkout", "-q", "master"]);
    let app = server.create_app("runs", repo.path(), "private").await;
    let app_id = app["id"].as_str().unwrap().to_string();
    let werk = Werk::logged_in(&server.url, &server.token);

    let build = server.pipeline_id("runs", "build").await;
    let passed = server
        .trigger(
            &build,
            json!({ "envVars": [{ "key": "FAIL", "value": "no" }] }),
        )
        .await;
    let passed_id = passed["id"].as_str().unwrap().to_string();
    server.finished(&passed_id).await;
    let failed = server
        .trigger(
            &build,
            json!({ "branch": "release", "envVars": [{ "key": "FAIL", "value": "yes" }] }),
        )
        .await;
    let failed_id = failed["id"].as_str().unwrap().to_string();
    assert_eq!(server.finished(&failed_id).await["result"], "failed");
    let (_, chained) = server
        .get(&format!("/api/v3/runs?sourceRun={passed_id}"))
        .await;
    let deploy_id = chained[0]["id"].as_str().unwrap().to_string();
    assert_eq!(server.finished(&deploy_id).await["result"], "passed");

    // The older spelling lists everything; the filters narrow it down.
    let table = werk.ok(&["runs", "admin/runs"]);
    assert_eq!(row_count(&table), 3, "{table}");
    let table = werk.ok(&["runs", "list", "admin/runs", "--result", "failed"]);
    assert_eq!(row_count(&table), 1, "{table}");
    assert_eq!(
        rows_with(&table, &[&failed_id, "build", "release", "failed"]).len(),
        1
    );
    let table = werk.ok(&["runs", "list", "admin/runs", "--pipeline", "deploy"]);
    assert_eq!(
        rows_with(&table, &[&deploy_id, "deploy", "passed"]).len(),
        1,
        "{table}"
    );
    assert_eq!(row_count(&table), 1, "{table}");
    let table = werk.ok(&["runs", "list", "admin/runs", "--branch", "master"]);
    assert_eq!(row_count(&table), 2, "{table}");
    let table = werk.ok(&["runs", "list", "admin/runs", "--author", "admin"]);
    assert_eq!(
        row_count(&table),
        3,
        "every run here is the admin's: {table}"
    );
    let table = werk.ok(&["runs", "list", "admin/runs", "--author", "nobody"]);
    assert_eq!(row_count(&table), 0, "{table}");
    let table = werk.ok(&[
        "runs",
        "list",
        "admin/runs",
        "--status",
        "finished",
        "--limit",
        "1",
    ]);
    assert_eq!(row_count(&table), 1, "{table}");
    let (_, api) = server
        .get(&format!(
            "/api/v3/runs?applicationId={app_id}&limit=20&branch=release"
        ))
        .await;
    assert_eq!(
        werk.json(&["runs", "list", "admin/runs", "--branch", "release"]),
        api
    );
    let err = werk.fails(&["runs", "list", "admin/runs", "--status", "sleeping"]);
    assert!(err.starts_with("werk: status must be one of"), "{err}");

    let (_, api) = server.get(&format!("/api/v3/runs/{failed_id}")).await;
    assert_eq!(werk.json(&["runs", "show", &failed_id]), api);
    let shown = werk.ok(&["runs", "show", &failed_id]);
    for expected in ["result:", "failed", "release", "FAIL=yes", "admin"] {
        assert!(shown.contains(expected), "{expected}: {shown}");
    }

    let steps = werk.ok(&["steps", &failed_id]);
    assert_eq!(
        rows_with(&steps, &["greet", "finished", "passed"]).len(),
        1,
        "{steps}"
    );
    assert_eq!(rows_with(&steps, &["maybe", "failed"]).len(), 1, "{steps}");
    assert!(steps.contains("get code"), "{steps}");
    let (_, api) = server.get(&format!("/api/v3/runs/{failed_id}/steps")).await;
    assert_eq!(werk.json(&["steps", &failed_id]), api);

    let table = werk.ok(&["workflows", "list", "admin/runs"]);
    assert_eq!(
        rows_with(&table, &["build:passed", "deploy:passed"]).len(),
        1,
        "{table}"
    );
    assert_eq!(rows_with(&table, &["build:failed"]).len(), 1, "{table}");
    let (_, api) = server
        .get(&format!(
            "/api/v3/workflows?applicationId={app_id}&limit=10"
        ))
        .await;
    assert_eq!(werk.json(&["workflows", "list", "admin/runs"]), api);
    let chain = api
        .as_array()
        .unwrap()
        .iter()
        .find(|w| {
            let items = w["items"].as_array().unwrap();
            items
                .iter()
                .any(|i| i["data"]["runId"] == passed_id.as_str())
        })
        .unwrap_or_else(|| panic!("a workflow ran build then deploy: {api}"));
    let chain_id = chain["id"].as_str().unwrap();
    let tree = werk.ok(&["workflows", "show", chain_id]);
    let build_line = tree
        .lines()
        .find(|l| l.starts_with("build "))
        .unwrap_or_else(|| panic!("{tree}"));
    assert!(build_line.contains(&passed_id), "{tree}");
    let deploy_line = tree
        .lines()
        .find(|l| l.contains("└── deploy"))
        .unwrap_or_else(|| panic!("{tree}"));
    assert!(deploy_line.contains(&deploy_id), "{tree}");
    let (_, api) = server.get(&format!("/api/v3/workflows/{chain_id}")).await;
    assert_eq!(werk.json(&["workflows", "show", chain_id]), api);

    // Aborting a run that sleeps stops it.
    let slow = server.pipeline_id("runs", "slow").await;
    let slow_run = server.trigger(&slow, json!({})).await;
    let slow_id = slow_run["id"].as_str().unwrap().to_string();
    server
        .wait_run(&slow_id, "running", |r| r["status"] == "running")
        .await;
    let out = werk.ok(&["runs", "abort", &slow_id]);
    assert!(out.contains("aborted"), "{out}");
    let run: Value = server.finished(&slow_id).await;
    assert_eq!(run["result"], "aborted");
    let table = werk.ok(&["runs", "list", "admin/runs", "--result", "aborted"]);
    assert_eq!(rows_with(&table, &[&slow_id, "slow"]).len(), 1, "{table}");
}

#[tokio::test]
async fn runs_wait_for_an_approval() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(YML);
    server.create_app("gated", repo.path(), "private").await;
    let werk = Werk::logged_in(&server.url, &server.token);
    let deploy = server.pipeline_id("gated", "deploy").await;
    let out = werk.ok(&["pipelines", "approval", &deploy, "on"]);
    assert_eq!(out.trim(), "runs of deploy wait for an approval");
    assert_eq!(
        werk.json(&["pipelines", "show", &deploy])["manualApproval"],
        true
    );

    let build = server.pipeline_id("gated", "build").await;
    let run = server.trigger(&build, json!({})).await;
    let build_id = run["id"].as_str().unwrap().to_string();
    assert_eq!(server.finished(&build_id).await["result"], "passed");
    let (_, children) = server
        .get(&format!("/api/v3/runs?sourceRun={build_id}"))
        .await;
    let deploy_id = children[0]["id"].as_str().unwrap().to_string();
    server
        .wait_run(&deploy_id, "pendingapproval", |r| {
            r["status"] == "pendingapproval"
        })
        .await;
    let table = werk.ok(&["runs", "list", "admin/gated", "--status", "pendingapproval"]);
    assert_eq!(
        rows_with(&table, &[&deploy_id, "deploy"]).len(),
        1,
        "{table}"
    );
    assert_eq!(row_count(&table), 1, "{table}");
    werk.ok(&["runs", "approve", &deploy_id]);
    assert_eq!(server.finished(&deploy_id).await["result"], "passed");
    let err = werk.fails(&["runs", "approve", &deploy_id]);
    assert!(err.starts_with("werk: "), "{err}");

    werk.ok(&["pipelines", "approval", &deploy, "off"]);
    let (_, pipeline) = server.get(&format!("/api/v3/pipelines/{deploy}")).await;
    assert_eq!(pipeline["manualApproval"], false);
    let created = werk.json(&[
        "pipelines",
        "create",
        "admin/gated",
        "gate",
        "--yml-pipeline",
        "deploy",
        "--manual-approval",
    ]);
    assert_eq!(created["manualApproval"], true, "{created}");
}
