//! `werk orgs` and `werk collaborators` against a live server: an organization with members
//! and roles, and an application shared with another user at a chosen level.

mod common;
mod werk_cli;

use std::process::Command;

use common::{Repo, TestServer};
use werk_cli::{Werk, row_count, rows_with, stdout};

/// Creates the user `name` and returns a token of theirs.
fn user_with_token(server: &TestServer, name: &str) -> String {
    let admin = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_werk"))
            .args(args)
            .arg("--data")
            .arg(&server.data)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
        stdout(&out)
    };
    admin(&["admin", "user", "create", name]);
    admin(&["admin", "token", "create", name])
        .trim()
        .to_string()
}

#[tokio::test]
async fn organizations_and_their_members() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    user_with_token(&server, "bob");
    let werk = Werk::logged_in(&server.url, &server.token);

    let out = werk.ok(&["orgs", "create", "acme", "--email", "ops@acme.test"]);
    assert!(out.starts_with("created organization acme ("), "{out}");
    let table = werk.ok(&["orgs", "list"]);
    assert_eq!(rows_with(&table, &["acme"]).len(), 1, "{table}");
    let (_, api) = server.get("/api/v2/users/me/organizations").await;
    assert_eq!(werk.json(&["orgs", "list"]), api);

    let table = werk.ok(&["orgs", "members", "acme"]);
    assert_eq!(rows_with(&table, &["admin", "admin"]).len(), 1, "{table}");
    let out = werk.ok(&["orgs", "add-member", "acme", "bob"]);
    assert_eq!(out.trim(), "bob is a member of acme");
    let table = werk.ok(&["orgs", "members", "acme"]);
    assert_eq!(rows_with(&table, &["bob", "member"]).len(), 1, "{table}");
    werk.ok(&["orgs", "add-member", "acme", "bob", "--role", "admin"]);
    let (_, api) = server.get("/api/v2/organizations/acme/members").await;
    let members = werk.json(&["orgs", "members", "acme"]);
    assert_eq!(members, api);
    assert!(
        members
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["username"] == "bob" && m["role"] == "admin"),
        "{members}"
    );

    // An organization's variables are set by its name.
    let out = werk.ok(&["envvars", "set", "--org", "acme", "REGION", "eu"]);
    assert_eq!(out.trim(), "created REGION of organization acme");
    let table = werk.ok(&["envvars", "list", "--org", "acme"]);
    assert_eq!(rows_with(&table, &["REGION", "eu"]).len(), 1, "{table}");

    let out = werk.ok(&["orgs", "remove-member", "acme", "bob"]);
    assert_eq!(out.trim(), "removed bob from acme");
    let table = werk.ok(&["orgs", "members", "acme"]);
    assert_eq!(row_count(&table), 1, "{table}");
    let err = werk.fails(&["orgs", "add-member", "acme", "nosuch"]);
    assert_eq!(err.trim(), "werk: user \"nosuch\" not found");
    werk.fails(&["orgs", "add-member", "acme", "bob", "--role", "owner"]);

    let (_, api) = server.get("/api/v2/organizations/acme").await;
    assert_eq!(werk.json(&["orgs", "show", "acme"]), api);
    let shown = werk.ok(&["orgs", "show", "acme"]);
    assert!(shown.contains("ops@acme.test"), "{shown}");
    let out = werk.ok(&["orgs", "rm", "acme"]);
    assert_eq!(out.trim(), "deleted organization acme");
    assert_eq!(row_count(&werk.ok(&["orgs", "list"])), 0);
}

#[tokio::test]
async fn collaborators_share_an_application() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let bob_token = user_with_token(&server, "bob");
    let repo = Repo::with_yml(
        "build:\n  steps:\n    - script:\n        name: hi\n        code: echo hi\n",
    );
    server.create_app("team", repo.path(), "private").await;
    let werk = Werk::logged_in(&server.url, &server.token);
    let bob = Werk::logged_in(&server.url, &bob_token);
    let err = bob.fails(&["apps", "show", "admin/team"]);
    assert!(err.contains("not found"), "private until shared: {err}");

    let out = werk.ok(&[
        "collaborators",
        "add",
        "admin/team",
        "bob",
        "--level",
        "read",
    ]);
    assert_eq!(out.trim(), "bob has read access to admin/team");
    let table = werk.ok(&["collaborators", "list", "admin/team"]);
    assert_eq!(rows_with(&table, &["bob", "read"]).len(), 1, "{table}");
    assert!(
        bob.ok(&["apps", "show", "admin/team"])
            .contains("admin/team")
    );
    bob.fails(&["trigger", "admin/team", "build"]);

    werk.ok(&[
        "collaborators",
        "add",
        "admin/team",
        "bob",
        "--level",
        "execute",
    ]);
    let (_, api) = server
        .get("/api/v3/applications/admin/team/collaborators")
        .await;
    let listed = werk.json(&["collaborators", "list", "admin/team"]);
    assert_eq!(listed, api);
    assert_eq!(listed[0]["level"], "execute", "{listed}");
    bob.ok(&["trigger", "admin/team", "build"]);

    let out = werk.ok(&["collaborators", "rm", "admin/team", "bob"]);
    assert_eq!(out.trim(), "bob no longer collaborates on admin/team");
    let table = werk.ok(&["collaborators", "list", "admin/team"]);
    assert_eq!(row_count(&table), 0, "{table}");
    bob.fails(&["apps", "show", "admin/team"]);
    werk.fails(&[
        "collaborators",
        "add",
        "admin/team",
        "bob",
        "--level",
        "owner",
    ]);
}
