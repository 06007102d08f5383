//! `werk login` and `werk logout`: the stored login is private to its owner, later commands
//! use it without flags or environment, flags and environment override it, and its token
//! never goes to another server.

mod common;
mod werk_cli;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;

use common::TestServer;
use serde_json::Value;
use werk_cli::{Werk, feed, mode, rows_with, stderr, stdout};

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn login_with_a_password_stores_a_private_token_that_later_commands_use() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let mut set_password = Command::new(env!("CARGO_BIN_EXE_werk"));
    set_password
        .args(["admin", "user", "password", "admin", "--data"])
        .arg(&server.data);
    let out = feed(set_password, &format!("{PASSWORD}\n"));
    assert!(out.status.success(), "{}", stderr(&out));

    let werk = Werk::new();
    let login = [
        "login",
        &server.url,
        "--username",
        "admin",
        "--password-stdin",
    ];
    let out = werk.run_with_input(&login, "wrong password\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("werk: "), "{}", stderr(&out));
    assert!(
        !werk.login_file().exists(),
        "a refused login stores nothing"
    );

    let out = werk.run_with_input(&login, &format!("{PASSWORD}\n"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("as admin"), "{}", stdout(&out));
    let file = werk.login_file();
    assert_eq!(mode(&file), 0o600, "only its owner reads the login");
    assert_eq!(mode(file.parent().unwrap()), 0o700);
    let stored: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(stored["url"], server.url.as_str());
    let token = stored["token"].as_str().unwrap().to_string();
    assert_ne!(token, server.token, "a token of its own was created");

    // No flags, no environment: the stored login is used, and its token is listed.
    let tokens = werk.ok(&["tokens", "list"]);
    let name = tokens
        .lines()
        .find_map(|l| l.split_whitespace().find(|w| w.starts_with("werk-cli-")))
        .unwrap_or_else(|| panic!("the login's token is named werk-cli-HOST:\n{tokens}"));
    assert!(name.len() <= 30, "{name}");
    let (_, listed) = server.get("/api/v3/tokens").await;
    assert!(
        listed.as_array().unwrap().iter().any(|t| t["name"] == name),
        "{listed}"
    );
    let apps = werk.ok(&["apps", "list"]);
    assert!(apps.starts_with("NAME"), "{apps}");

    // A mistyped token is refused and leaves the good login in place.
    let err = werk.fails(&["login", &server.url, "--token", "not-a-token"]);
    assert!(err.starts_with("werk: "), "{err}");
    let again: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(again["token"], token.as_str());

    let out = werk.ok(&["logout"]);
    assert!(
        out.contains(&format!("logged out of {}", server.url)),
        "{out}"
    );
    assert!(!file.exists());
    assert!(werk.ok(&["logout"]).contains("not logged in"));
}

#[tokio::test]
async fn flags_and_environment_override_the_stored_login() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let config = tempfile::tempdir().unwrap();
    let mut werk = Werk::new();
    werk.env.push((
        "XDG_CONFIG_HOME".into(),
        config.path().display().to_string(),
    ));
    let out = werk.ok(&[
        "login",
        &format!("{}/", server.url),
        "--token",
        &server.token,
    ]);
    assert!(out.contains("as admin"), "{out}");
    let file = config.path().join("werk/login.json");
    assert_eq!(mode(&file), 0o600, "XDG_CONFIG_HOME is honoured");
    assert!(!werk.login_file().exists());

    let stored: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        stored["url"],
        server.url.as_str(),
        "stored without the slash"
    );
    let (_, own) = server.get("/api/v3/tokens").await;
    let first = own[0]["id"].as_str().unwrap();
    assert_eq!(rows_with(&werk.ok(&["tokens", "list"]), &[first]).len(), 1);

    // The environment beats the stored login, and flags beat the environment.
    werk.env.push(("WERK_TOKEN".into(), "bogus".into()));
    let err = werk.fails(&["tokens", "list"]);
    assert!(
        err.contains("WERK_TOKEN"),
        "the error says how to give a token: {err}"
    );
    werk.ok(&["tokens", "list", "--token", &server.token]);
    werk.env.pop();
    werk.env
        .push(("WERK_URL".into(), "http://127.0.0.1:1".into()));
    let err = werk.fails(&["tokens", "list"]);
    assert!(err.contains("127.0.0.1:1"), "{err}");
    werk.ok(&["tokens", "list", "--url", &server.url]);
    werk.env.pop();

    // Another server named by --url never receives the stored token.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    let peer = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.trim().is_empty() {
                break;
            }
            head.push(line.to_ascii_lowercase());
        }
        let body = r#"{"statusCode":401,"error":"Unauthorized","message":"who are you?"}"#;
        write!(
            &stream,
            "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        head
    });
    let err = werk.fails(&["tokens", "list", "--url", &other]);
    assert!(err.contains("werk: who are you?"), "{err}");
    let head = peer.join().unwrap();
    assert!(
        !head.iter().any(|l| l.starts_with("authorization:")),
        "the stored token went to another server: {head:?}"
    );
}
