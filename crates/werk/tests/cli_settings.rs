//! `werk envvars` and `werk tokens` against a live server: variables set by key at each
//! level, protected values that are never printed, and tokens created, renamed and deleted.

mod common;
mod werk_cli;

use common::{Repo, TestServer};
use werk_cli::{Werk, row_count, rows_with, stdout};

const SECRET: &str = "s3cr3t-never-printed";
const OTHER_SECRET: &str = "an0ther-s3cr3t";

#[tokio::test]
async fn envvars_are_set_listed_and_removed_by_key() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(
        "build:\n  steps:\n    - script:\n        name: hi\n        code: echo hi\n",
    );
    let app = server.create_app("vars", repo.path(), "private").await;
    let app_id = app["id"].as_str().unwrap();
    let werk = Werk::logged_in(&server.url, &server.token);

    let out = werk.ok(&["envvars", "set", "--app", "admin/vars", "GREETING", "hello"]);
    assert_eq!(out.trim(), "created GREETING of application admin/vars");
    let listed = werk.json(&["envvars", "list", "--app", "admin/vars"]);
    let first_id = listed["results"][0]["id"].as_str().unwrap().to_string();
    let out = werk.ok(&[
        "envvars",
        "set",
        "--app",
        "admin/vars",
        "GREETING",
        "bonjour",
    ]);
    assert_eq!(out.trim(), "updated GREETING of application admin/vars");
    let listed = werk.json(&["envvars", "list", "--app", "admin/vars"]);
    let (_, api) = server
        .get(&format!(
            "/api/v3/envvars?scope=application&target={app_id}"
        ))
        .await;
    assert_eq!(listed, api);
    let results = listed["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        1,
        "set changed the variable in place: {listed}"
    );
    assert_eq!(results[0]["id"], first_id.as_str());
    assert_eq!(results[0]["value"], "bonjour");
    let table = werk.ok(&["envvars", "list", "--app", "admin/vars"]);
    assert_eq!(
        rows_with(&table, &["GREETING", "no", "bonjour"]).len(),
        1,
        "{table}"
    );

    // A protected value goes in and never comes out, whichever way it is read.
    let mut printed = String::new();
    printed += &werk.ok(&[
        "envvars",
        "set",
        "--app",
        "admin/vars",
        "TOKEN",
        SECRET,
        "--protected",
    ]);
    let out = werk.run_with_input(
        &[
            "envvars",
            "set",
            "--app",
            "admin/vars",
            "TOKEN",
            "--value-stdin",
        ],
        &format!("{OTHER_SECRET}\n"),
    );
    printed += &stdout(&out);
    assert!(stdout(&out).contains("updated TOKEN of application admin/vars (protected)"));
    let table = werk.ok(&["envvars", "list", "--app", "admin/vars"]);
    assert_eq!(rows_with(&table, &["TOKEN", "yes"]).len(), 1, "{table}");
    printed += &table;
    printed += &werk.ok(&["envvars", "list", "--app", "admin/vars", "--json"]);
    printed += &werk.ok(&[
        "envvars",
        "set",
        "--app",
        "admin/vars",
        "TOKEN",
        SECRET,
        "--json",
    ]);
    for secret in [SECRET, OTHER_SECRET] {
        assert!(
            !printed.contains(secret),
            "{secret} was printed:\n{printed}"
        );
    }

    // Pipelines and the owner account have variables of their own.
    werk.ok(&[
        "envvars",
        "set",
        "--pipeline",
        "admin/vars/build",
        "LEVEL",
        "pipeline",
    ]);
    werk.ok(&["envvars", "set", "--org", "admin", "LEVEL", "org"]);
    let table = werk.ok(&["envvars", "list", "--pipeline", "admin/vars/build"]);
    assert_eq!(
        rows_with(&table, &["LEVEL", "pipeline"]).len(),
        1,
        "{table}"
    );
    let table = werk.ok(&["envvars", "list", "--org", "admin"]);
    assert_eq!(rows_with(&table, &["LEVEL", "org"]).len(), 1, "{table}");
    let table = werk.ok(&["envvars", "list", "--app", "admin/vars"]);
    assert_eq!(row_count(&table), 2, "{table}");
    let err = werk.fails(&["envvars", "list", "--pipeline", "admin/vars/nope"]);
    assert!(err.contains("no pipeline \"nope\""), "{err}");

    let out = werk.ok(&["envvars", "rm", "--app", "admin/vars", "GREETING"]);
    assert_eq!(out.trim(), "removed GREETING from application admin/vars");
    let table = werk.ok(&["envvars", "list", "--app", "admin/vars"]);
    assert!(rows_with(&table, &["GREETING"]).is_empty(), "{table}");
    let err = werk.fails(&["envvars", "rm", "--app", "admin/vars", "GREETING"]);
    assert!(err.contains("has no variable \"GREETING\""), "{err}");

    // The server's own message comes through as it is.
    let err = werk.fails(&["envvars", "set", "--app", "admin/vars", "1BAD", "x"]);
    assert!(
        err.starts_with("werk: key \"1BAD\" must start with"),
        "{err}"
    );
    werk.fails(&["envvars", "list"]);
    werk.fails(&["envvars", "list", "--app", "admin/vars", "--org", "admin"]);
}

#[tokio::test]
async fn tokens_are_created_renamed_and_deleted() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let werk = Werk::logged_in(&server.url, &server.token);

    let out = werk.run(&["tokens", "create", "ci-bot"]);
    assert!(out.status.success());
    let token = stdout(&out).trim().to_string();
    assert!(
        token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "the token alone on stdout: {token:?}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("shown only this once"));
    let mine = werk.ok(&["tokens", "list", "--token", &token]);
    let row = rows_with(&mine, &["ci-bot", &token[token.len() - 8..]]);
    assert_eq!(row.len(), 1, "{mine}");
    let id = row[0].split_whitespace().next().unwrap().to_string();

    let listed = werk.json(&["tokens", "list"]);
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"ci-bot"), "{listed}");
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["token"].is_null())
    );

    let out = werk.ok(&["tokens", "rename", &id, "deploy-bot"]);
    assert!(out.contains("deploy-bot"), "{out}");
    let (_, shown) = server.get(&format!("/api/v3/tokens/{id}")).await;
    assert_eq!(shown["name"], "deploy-bot");
    let renamed = werk.json(&["tokens", "rename", &id, "deploy-bot-2"]);
    assert_eq!(renamed["name"], "deploy-bot-2");

    let out = werk.ok(&["tokens", "rm", &id]);
    assert!(out.contains(&id), "{out}");
    let err = werk.fails(&["tokens", "list", "--token", &token]);
    assert!(err.starts_with("werk: "), "{err}");
    let err = werk.fails(&["tokens", "rm", &id]);
    assert!(err.contains("not found"), "{err}");

    let created = werk.json(&["tokens", "create", "json-bot"]);
    assert_eq!(created["name"], "json-bot");
    assert_eq!(created["token"].as_str().unwrap().len(), 64);
}
