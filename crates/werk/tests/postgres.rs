//! `werk serve --database postgres://…`: a pipeline runs to `passed` on a PostgreSQL
//! database, and a server started again on that database reads it back. Skipped (saying so)
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
