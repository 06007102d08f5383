//! `werk serve --docker`: pipelines run in their box, a passed build's container can be
//! downloaded from `/api/v2/builds/:id/docker` and loaded with `docker load`, and a crash
//! leaves no container behind once the server is back.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Repo, TEST_BOX, TestServer, containers_of_run, docker_with_test_box};
use serde_json::json;

#[tokio::test]
async fn a_passed_build_in_a_box_can_be_downloaded_and_loaded() {
    if !docker_with_test_box() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(data.path(), None, &["--docker"]).await;
    let yml = format!(
        "box: {TEST_BOX}\nbuild:\n  steps:\n    - script:\n        name: mark\n        code: |\n          echo \"in $(pwd)\"\n          echo baked > /etc/baked\n"
    );
    let repo = Repo::with_yml(&yml);
    server.create_app("boxed", repo.path(), "private").await;
    let pipeline = server.pipeline_id("boxed", "build").await;
    let run = server.trigger(&pipeline, json!({})).await;
    let id = run["id"].as_str().unwrap().to_string();
    let run = server.finished(&id).await;
    assert_eq!(run["result"], "passed", "{run}");
    let mark = server.step(&id, "mark").await;
    let log = server.log(mark["id"].as_str().unwrap()).await;
    assert!(log.contains("in /pipeline/source"), "{log}");

    let url = server.api(&format!("/api/v2/builds/{id}/docker"));
    let response = server
        .http
        .get(&url)
        .bearer_auth(&server.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/x-tar");
    let tar = response.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.tar"), &tar).unwrap();
    let listing = Command::new("tar")
        .arg("-tf")
        .arg(dir.path().join("api.tar"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&listing.stdout).contains("manifest.json"));

    // What a user does: `werk runs container` loads it into Docker (the server's engine is
    // the test's, so the image is there already; loading must still succeed), or keeps the
    // tarball.
    let image = format!("werk-runs:{id}");
    let werk = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_werk"))
            .args(args)
            .env("WERK_URL", &server.url)
            .env("WERK_TOKEN", &server.token)
            .output()
            .unwrap()
    };
    let loaded = werk(&["runs", "container", &id]);
    assert!(loaded.status.success(), "{loaded:?}");
    assert!(String::from_utf8_lossy(&loaded.stdout).contains(&image));
    let baked = Command::new("docker")
        .args(["run", "--rm", &image, "cat", "/etc/baked"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&baked.stdout), "baked\n");
    let file = dir.path().join("box.tar");
    let kept = werk(&["runs", "container", &id, "-o", file.to_str().unwrap()]);
    assert!(kept.status.success(), "{kept:?}");
    assert_eq!(std::fs::read(&file).unwrap(), tar.to_vec());
    let _ = Command::new("docker").args(["rmi", &image]).output();

    // Without a token the private build is not there for the caller.
    let anonymous = server.http.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(containers_of_run(&id), "");
}

#[tokio::test]
async fn a_run_without_a_box_has_no_container_to_download() {
    if !docker_with_test_box() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(data.path(), None, &["--docker"]).await;
    let repo = Repo::with_yml("build:\n  steps:\n    - script:\n        code: echo on the host\n");
    server.create_app("unboxed", repo.path(), "public").await;
    let pipeline = server.pipeline_id("unboxed", "build").await;
    let run = server.trigger(&pipeline, json!({})).await;
    let id = run["id"].as_str().unwrap().to_string();
    assert_eq!(server.finished(&id).await["result"], "passed");
    let (status, body) = server.get(&format!("/api/v2/builds/{id}/docker")).await;
    assert_eq!(status, 404);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("saved no container"),
        "{body}"
    );
    let (status, _) = server
        .get("/api/v2/builds/0123456789abcdef01234567/docker")
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_crash_mid_run_leaves_no_container_once_the_server_is_back() {
    if !docker_with_test_box() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(data.path(), None, &["--docker"]).await;
    let yml = format!(
        "box: {TEST_BOX}\nbuild:\n  steps:\n    - script:\n        name: long\n        code: echo started; sleep 120\n"
    );
    let repo = Repo::with_yml(&yml);
    server.create_app("crash", repo.path(), "public").await;
    let pipeline = server.pipeline_id("crash", "build").await;
    let run = server.trigger(&pipeline, json!({})).await;
    let id = run["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + common::RUN_TIMEOUT;
    loop {
        let steps = server.steps(&id).await;
        if steps
            .iter()
            .any(|s| s["displayName"] == "long" && s["status"] == "running")
        {
            break;
        }
        assert!(Instant::now() < deadline, "the long step never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_ne!(containers_of_run(&id), "", "the box runs");

    let token = server.token.clone();
    drop(server); // SIGKILL
    let server = TestServer::start_with(data.path(), Some(token), &["--docker"]).await;
    let run = server.finished(&id).await;
    assert_eq!(run["result"], "failed", "{run}");
    assert_eq!(containers_of_run(&id), "", "the box was removed");
}

#[tokio::test]
async fn a_pipeline_keeps_the_boxes_of_its_newest_passed_runs() {
    if !docker_with_test_box() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(data.path(), None, &["--docker"]).await;
    let yml = format!("box: {TEST_BOX}\nbuild:\n  steps:\n    - script:\n        code: true\n");
    let repo = Repo::with_yml(&yml);
    server.create_app("kept", repo.path(), "public").await;
    let pipeline = server.pipeline_id("kept", "build").await;
    let mut ids = Vec::new();
    for _ in 0..7 {
        let run = server.trigger(&pipeline, json!({})).await;
        let id = run["id"].as_str().unwrap().to_string();
        assert_eq!(server.finished(&id).await["result"], "passed");
        ids.push(id);
    }
    let saved = |id: &str| {
        Command::new("docker")
            .args(["image", "inspect", &format!("werk-runs:{id}")])
            .output()
            .unwrap()
            .status
            .success()
    };
    // The last run's clean-up happens just after it is reported finished.
    let deadline = Instant::now() + common::RUN_TIMEOUT;
    while saved(&ids[1]) {
        assert!(
            Instant::now() < deadline,
            "the second run's box was never removed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let kept: Vec<bool> = ids.iter().map(|id| saved(id)).collect();
    assert_eq!(kept, [false, false, true, true, true, true, true]);
    let (status, _) = server
        .get(&format!("/api/v2/builds/{}/docker", ids[0]))
        .await;
    assert_eq!(status, 404);
    for id in &ids {
        let _ = Command::new("docker")
            .args(["rmi", &format!("werk-runs:{id}")])
            .output();
    }
}
