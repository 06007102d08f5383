//! Schedules: a pipeline scheduled every second runs as the scheduling user with a
//! message naming the pattern, stops once the schedule is deleted, and schedules outlive a
//! restart; bad patterns and callers without the right to run pipelines are refused. The
//! CLI adds, lists and removes them.

mod common;

use std::time::{Duration, Instant};

use common::{Repo, TestServer};
use serde_json::{Value, json};

async fn scheduled_runs(server: &TestServer, pipeline: &str) -> Vec<Value> {
    let (_, runs) = server
        .get(&format!("/api/v3/runs?pipelineId={pipeline}&limit=100"))
        .await;
    runs.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["message"] == "Scheduled run (* * * * * *)")
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_schedule_runs_its_pipeline_until_deleted() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml("build:\n  steps:\n    - script: {name: tick, code: echo tick}\n");
    server.create_app("ticking", repo.path(), "private").await;
    let pipeline = server.pipeline_id("ticking", "build").await;
    let path = format!("/api/v3/pipelines/{pipeline}/schedules");

    let (status, schedule) = server.post(&path, json!({ "cron": "* * * * * *" })).await;
    assert_eq!(status, 200, "{schedule}");
    assert_eq!(schedule["branch"], "master");
    assert_eq!(schedule["createdBy"], "admin");
    let id = schedule["id"].as_str().unwrap().to_string();

    let deadline = Instant::now() + common::RUN_TIMEOUT;
    let runs = loop {
        let runs = scheduled_runs(&server, &pipeline).await;
        if runs.iter().filter(|r| r["result"] == "passed").count() >= 2 {
            break runs;
        }
        assert!(
            Instant::now() < deadline,
            "the schedule never ran twice: {runs:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        runs.iter()
            .all(|r| r["user"]["name"] == "admin" && r["branch"] == "master")
    );

    let (status, _) = server
        .send(
            server
                .http
                .delete(server.api(&format!("/api/v3/schedules/{id}")))
                .bearer_auth(&server.token),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = server.get(&format!("/api/v3/schedules/{id}")).await;
    assert_eq!(status, 404);
    // A run started in the second of the delete may still appear; then no more do.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let settled = scheduled_runs(&server, &pipeline).await.len();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(scheduled_runs(&server, &pipeline).await.len(), settled);
}

#[tokio::test]
async fn schedules_are_checked_kept_and_managed_from_the_cli() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml("build:\n  steps:\n    - script: {name: hi, code: echo hi}\n");
    server.create_app("nightly", repo.path(), "private").await;
    let pipeline = server.pipeline_id("nightly", "build").await;
    let path = format!("/api/v3/pipelines/{pipeline}/schedules");

    let (status, body) = server.post(&path, json!({ "cron": "every night" })).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["details"][0]["path"], "cron", "{body}");
    let (status, body) = server.post(&path, json!({})).await;
    assert_eq!(status, 400, "{body}");
    let reader = server.create_user("rita");
    let (status, _) = server
        .send(
            server
                .http
                .put(server.api("/api/v3/applications/admin/nightly/collaborators/rita"))
                .bearer_auth(&server.token)
                .json(&json!({ "level": "read" })),
        )
        .await;
    assert_eq!(status, 200);
    let as_reader = |request: reqwest::RequestBuilder| request.bearer_auth(&reader);
    let (status, _) = server
        .send(as_reader(
            server
                .http
                .post(server.api(&path))
                .json(&json!({ "cron": "0 3 * * *" })),
        ))
        .await;
    assert_eq!(status, 403, "readers do not schedule runs");
    let (_, listed) = server
        .send(as_reader(server.http.get(server.api(&path))))
        .await;
    assert_eq!(listed, json!([]), "nothing was stored");

    let werk = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_werk"))
            .args(args)
            .env("WERK_URL", &server.url)
            .env("WERK_TOKEN", &server.token)
            .output()
            .unwrap()
    };
    let added = werk(&[
        "schedules",
        "add",
        "admin/nightly",
        "build",
        "0 3 * * *",
        "--branch",
        "release",
    ]);
    assert!(added.status.success(), "{added:?}");
    let stdout = String::from_utf8_lossy(&added.stdout);
    assert!(
        stdout.contains("runs build on release at \"0 3 * * *\""),
        "{stdout}"
    );
    let id = stdout.split_whitespace().nth(1).unwrap().to_string();
    let listed = werk(&["schedules", "list", "admin/nightly", "build"]);
    let table = String::from_utf8_lossy(&listed.stdout);
    assert!(
        table.contains(&id) && table.contains("0 3 * * *"),
        "{table}"
    );

    // Kept across a restart, with its next time at 03:00 UTC.
    let token = server.token.clone();
    drop(server);
    let server = TestServer::start_with(data.path(), Some(token), &[]).await;
    let (status, schedule) = server.get(&format!("/api/v3/schedules/{id}")).await;
    assert_eq!(status, 200, "{schedule}");
    assert!(
        schedule["nextAt"]
            .as_str()
            .unwrap()
            .ends_with("T03:00:00.000Z"),
        "{schedule}"
    );
    let removed = std::process::Command::new(env!("CARGO_BIN_EXE_werk"))
        .args(["schedules", "rm", &id])
        .env("WERK_URL", &server.url)
        .env("WERK_TOKEN", &server.token)
        .output()
        .unwrap();
    assert!(removed.status.success(), "{removed:?}");
    let (status, _) = server.get(&format!("/api/v3/schedules/{id}")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_schedule_ends_when_its_user_may_no_longer_run_the_pipeline() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml("build:\n  steps:\n    - script: {name: hi, code: echo hi}\n");
    server.create_app("shared", repo.path(), "private").await;
    let pipeline = server.pipeline_id("shared", "build").await;
    let olga = server.create_user("olga");
    let collaborator = |level: &str| {
        server
            .http
            .put(server.api("/api/v3/applications/admin/shared/collaborators/olga"))
            .bearer_auth(&server.token)
            .json(&json!({ "level": level }))
    };
    assert_eq!(server.send(collaborator("execute")).await.0, 200);
    let (status, schedule) = server
        .send(
            server
                .http
                .post(server.api(&format!("/api/v3/pipelines/{pipeline}/schedules")))
                .bearer_auth(&olga)
                .json(&json!({ "cron": "* * * * * *" })),
        )
        .await;
    assert_eq!(status, 200, "{schedule}");
    let id = schedule["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + common::RUN_TIMEOUT;
    while scheduled_runs(&server, &pipeline).await.is_empty() {
        assert!(Instant::now() < deadline, "olga's schedule never ran");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Read access only: the schedule goes at its next time, and runs no more.
    assert_eq!(server.send(collaborator("read")).await.0, 200);
    let deadline = Instant::now() + common::RUN_TIMEOUT;
    loop {
        let (status, _) = server.get(&format!("/api/v3/schedules/{id}")).await;
        if status == 404 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the schedule outlived olga's right to run"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let settled = scheduled_runs(&server, &pipeline).await.len();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(scheduled_runs(&server, &pipeline).await.len(), settled);
}
