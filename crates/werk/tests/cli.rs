//! The CLI against a live server: `app create`, `trigger --wait`, `runs`, `logs`.

mod common;

use std::process::Output;

use common::{Repo, TestServer};

fn werk(server: &TestServer, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_werk"))
        .args(args)
        .env("WERK_URL", &server.url)
        .env("WERK_TOKEN", &server.token)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn trigger_wait_follows_the_chain_and_reports_through_the_exit_code() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(
        r#"build:
  steps:
    - script:
        name: greet
        code: echo "hello $WHO"
    - script:
        name: maybe fail
        code: test "$FAIL" != yes
deploy:
  steps:
    - script:
        name: ship
        code: echo shipped
workflows:
  - name: main
    pipelines:
      - name: build
      - name: deploy
        requires: [build]
"#,
    );
    let repo_path = repo.path().display().to_string();
    let out = werk(
        &server,
        &[
            "app",
            "create",
            "admin/cli-app",
            "--git",
            &repo_path,
            "--private",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout(&out).contains("created application admin/cli-app"));

    let out = werk(
        &server,
        &[
            "trigger",
            "admin/cli-app",
            "build",
            "--env",
            "WHO=world",
            "--env",
            "FAIL=no",
            "--wait",
        ],
    );
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "--> get code",
        "--> greet",
        "hello world",
        "==> build passed",
        "--> ship",
        "shipped",
        "==> deploy passed",
    ] {
        assert!(
            text.contains(expected),
            "output lacks {expected:?}:\n{text}"
        );
    }

    let out = werk(
        &server,
        &[
            "trigger",
            "admin/cli-app",
            "build",
            "--env",
            "FAIL=yes",
            "--wait",
        ],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("==> build failed"), "{text}");
    assert!(
        !text.contains("--> ship"),
        "the chain stops at the failure: {text}"
    );

    let out = werk(&server, &["runs", "admin/cli-app"]);
    let table = stdout(&out);
    assert!(out.status.success());
    assert_eq!(
        table.lines().count(),
        4,
        "a header and three runs:\n{table}"
    );
    assert!(
        table.lines().nth(1).unwrap().contains("failed"),
        "newest first:\n{table}"
    );

    let failed_id = table
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let out = werk(&server, &["logs", &failed_id]);
    assert_eq!(out.status.code(), Some(1), "logs of a failed run exit 1");
    assert!(stdout(&out).contains("--> maybe fail"));

    let out = werk(&server, &["trigger", "admin/cli-app", "nosuch"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no pipeline \"nosuch\"") && err.contains("build"),
        "{err}"
    );
}
