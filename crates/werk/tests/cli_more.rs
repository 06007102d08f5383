//! More of the command line: following a log live, reading from an offset, explicit
//! `--url`/`--token`, `trigger --branch`, labelled tokens, and `werk serve` itself.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Repo, TestServer};
use serde_json::json;

#[tokio::test]
async fn logs_follow_prints_lines_while_the_step_runs() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(
        "build:\n  steps:\n    - script:\n        name: slow\n        code: |\n          echo first line\n          sleep 2\n          echo second line\n",
    );
    server.create_app("follow", repo.path(), "public").await;
    let pipeline = server.pipeline_id("follow", "build").await;
    let run = server.trigger(&pipeline, json!({})).await;
    let run_id = run["id"].as_str().unwrap().to_string();

    let mut child = Command::new(env!("CARGO_BIN_EXE_werk"))
        .args([
            "logs",
            &run_id,
            "--follow",
            "--url",
            &server.url,
            "--token",
            &server.token,
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    let mut status_at_first_line = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if line == "first line" {
            let (_, now) = server.get(&format!("/api/v3/runs/{run_id}")).await;
            status_at_first_line = Some(now["status"].as_str().unwrap().to_string());
        }
        seen.push(line);
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(
        status_at_first_line.as_deref(),
        Some("running"),
        "the first line arrived while the step ran: {seen:?}"
    );
    let first = seen.iter().position(|l| l == "first line").unwrap();
    let second = seen.iter().position(|l| l == "second line").unwrap();
    assert!(first < second, "{seen:?}");

    // A log read from an offset is the rest of it.
    let step = server.step(&run_id, "slow").await;
    let step_id = step["id"].as_str().unwrap();
    let whole = server.log(step_id).await;
    let tail = server
        .http
        .get(server.api(&format!("/api/v3/runsteps/{step_id}/log?offset=6")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(tail, whole[6..]);
}

#[tokio::test]
async fn explicit_server_flags_branches_and_labelled_tokens() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(
        "build:\n  steps:\n    - script:\n        name: where\n        code: echo \"on $WERCKER_GIT_BRANCH\"\n",
    );
    repo.git(&["checkout", "-q", "-b", "release"]);
    repo.commit("notes.txt", "release notes\n", "release work");
    repo.git(&["checkout", "-q", "master"]);
    let werk = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_werk"))
            .args(args)
            .env_remove("WERK_URL")
            .env_remove("WERK_TOKEN")
            .output()
            .unwrap()
    };
    let repo_path = repo.path().display().to_string();
    let out = werk(&[
        "app",
        "create",
        "admin/flags",
        "--git",
        &repo_path,
        "--branch",
        "master",
        "--public",
        "--url",
        &server.url,
        "--token",
        &server.token,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, app) = server.get("/api/v3/applications/admin/flags").await;
    assert_eq!(app["settings"]["privacy"], "public");

    let out = werk(&[
        "trigger",
        "admin/flags",
        "build",
        "--branch",
        "release",
        "--wait",
        "--url",
        &server.url,
        "--token",
        &server.token,
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("on release"), "{text}");

    let out = werk(&["runs", "admin/flags", "--url", &server.url]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a public application's runs need no token"
    );
    let out = werk(&["trigger", "admin/flags", "build", "--url", &server.url]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("WERK_TOKEN"),
        "the error says how to give a token"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_werk"))
        .args([
            "admin",
            "token",
            "create",
            "admin",
            "--name",
            "ci-runner",
            "--data",
        ])
        .arg(&server.data)
        .output()
        .unwrap();
    assert!(out.status.success());
    let (_, tokens) = server.get("/api/v3/tokens").await;
    assert!(
        tokens
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == "ci-runner"),
        "{tokens}"
    );
}

#[tokio::test]
async fn serve_defaults_restarts_without_a_new_token_and_stops_on_sigint() {
    let cwd = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_werk"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(cwd.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let banner: Vec<String> = lines
        .by_ref()
        .map(|l| l.unwrap())
        .take_while(|l| !l.starts_with("werk listening on"))
        .collect();
    assert!(
        banner.iter().any(|l| l.contains("Created the user admin")),
        "{banner:?}"
    );
    assert!(
        cwd.path().join("werk-data/werk.db").exists(),
        "the data dir defaults to ./werk-data"
    );

    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "werk serve did not stop on SIGINT"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");

    let data = cwd.path().join("werk-data");
    let server = TestServer::start_with(&data, Some("unused".into()), &[]).await;
    assert!(!server.printed_token, "only the first start prints a token");
}
