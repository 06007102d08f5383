//! `werk serve --database postgres://…`: a pipeline runs to `passed` on a PostgreSQL
//! database, a server started again on that database reads it back, and `werk admin`
//! adds users and tokens to it. Skipped (saying so)
//! without `WERK_TEST_POSTGRES`, except under `CI=true`.

mod common;

use common::{Repo, TestServer};
use serde_json::json;
use werk_store::testing::ScratchDatabase;

#[tokio::test]
async fn a_pipeline_runs_on_postgres_and_a_restarted_server_reads_it_back() {
    let Some(db) = ScratchDatabase::create().await else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let database = ["--database", db.url()];
    let server = TestServer::start_with(data.path(), None, &database).await;
    let repo = Repo::with_yml(
        "build:\n  steps:\n    - script:\n        name: greet\n        code: echo \"hello from $WERCKER_GIT_BRANCH\"\n",
    );
    server.create_app("pg-site", repo.path(), "private").await;
    let pipeline = server.pipeline_id("pg-site", "build").await;
    let run = server.trigger(&pipeline, json!({})).await;
    let run_id = run["id"].as_str().unwrap().to_string();
    let finished = server.finished(&run_id).await;
    assert_eq!(finished["result"], "passed", "{finished}");
    assert!(
        !data.path().join("werk.db").exists(),
        "nothing was written to an SQLite file"
    );

    let token = server.token.clone();
    drop(server);
    let server = TestServer::start_with(data.path(), Some(token), &database).await;
    assert!(
        !server.printed_token,
        "the admin and its token are in the database already"
    );
    let (status, again) = server.get(&format!("/api/v3/runs/{run_id}")).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        (&again["status"], &again["result"]),
        (&json!("finished"), &json!("passed"))
    );
    assert_eq!(again["commitHash"], finished["commitHash"]);
    let greet = server.step(&run_id, "greet").await;
    assert_eq!(greet["result"], "passed");
    let log = server.log(greet["id"].as_str().unwrap()).await;
    assert!(log.contains("hello from master"), "{log}");
    let (status, runs) = server
        .get(&format!("/api/v3/runs?pipelineId={pipeline}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(runs.as_array().map(Vec::len), Some(1), "{runs}");
}

#[tokio::test]
async fn werk_admin_creates_users_and_tokens_in_a_postgres_database() {
    let Some(db) = ScratchDatabase::create().await else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(data.path(), None, &["--database", db.url()]).await;
    let admin = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_werk"))
            .arg("admin")
            .args(args)
            .args(["--database", db.url()])
            .env_remove("WERK_DATA")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "werk admin {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    admin(&["user", "create", "alice"]);
    let printed = admin(&["token", "create", "alice", "--name", "laptop"]);
    let token = printed
        .split_whitespace()
        .find(|w| w.len() == 64 && w.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(|| panic!("a token in {printed:?}"));
    let profile = server
        .http
        .get(server.api("/api/v2/profile"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(profile.status(), 200);
    let profile: serde_json::Value = profile.json().await.unwrap();
    assert_eq!(profile["username"], "alice");
}

/// Runs `werk` with `args` to its end (it is expected to refuse to start).
fn werk_exits(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_werk"))
        .args(args)
        .env_remove("WERK_DATABASE")
        .output()
        .unwrap()
}

#[tokio::test]
async fn one_server_per_database_and_clear_refusals() {
    let Some(db) = ScratchDatabase::create().await else {
        return;
    };
    let first = tempfile::tempdir().unwrap();
    let server = TestServer::start_with(first.path(), None, &["--database", db.url()]).await;

    // A second server on the same database, even with a data dir of its own, is refused.
    let second = tempfile::tempdir().unwrap();
    let data = second.path().to_str().unwrap();
    let out = werk_exits(&[
        "serve",
        "--data",
        data,
        "--database",
        db.url(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("another werk server is running on this database"),
        "{stderr}"
    );
    drop(server);

    // werk admin leaves a database werk never set up alone.
    let Some(empty) = ScratchDatabase::create().await else {
        return;
    };
    let out = werk_exits(&["admin", "user", "create", "bob", "--database", empty.url()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("holds no werk data"), "{stderr}");

    // A server that is not there is named at once, and no data dir is made for nothing.
    let missing = second.path().join("never-made");
    let out = werk_exits(&[
        "serve",
        "--data",
        missing.to_str().unwrap(),
        "--database",
        "postgres://werk:werk@127.0.0.1:1/werk",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot open the database"), "{stderr}");
    assert!(stderr.to_lowercase().contains("refused"), "{stderr}");
    assert!(!missing.exists());
}

#[tokio::test]
async fn a_server_that_loses_its_database_to_another_stops() {
    let Some(db) = ScratchDatabase::create().await else {
        return;
    };
    let first = tempfile::tempdir().unwrap();
    let mut server = TestServer::start_with(first.path(), None, &["--database", db.url()]).await;
    // The database restarts, say: the connection holding the server's claim is cut...
    let cut = std::process::Command::new("psql")
        .arg(db.url())
        .args([
            "-qAtc",
            "SELECT pg_terminate_backend(pid) FROM pg_locks \
             WHERE locktype = 'advisory' AND objid = 2003137131 AND granted",
        ])
        .output()
        .expect("psql runs");
    assert!(cut.status.success(), "{cut:?}");
    // ...and a second server takes the database before the first notices.
    let second = tempfile::tempdir().unwrap();
    let token = Some(server.token.clone());
    let _other = TestServer::start_with(second.path(), token, &["--database", db.url()]).await;
    let deadline = std::time::Instant::now() + common::RUN_TIMEOUT;
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "it stops as on a signal: {status}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the first server kept running"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
