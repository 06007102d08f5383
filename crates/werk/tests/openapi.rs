//! The OpenAPI description served at `GET /api/openapi.json`: an OpenAPI 3.1 document that
//! documents every route of the server's route table, read from its source so that a route
//! added without documentation fails here. Also the answers that checking a live server
//! against the description found outside it.

mod common;

use std::collections::BTreeSet;

use common::{Repo, TestServer};
use serde_json::{Value, json};

/// The route table of the server.
const ROUTES_SOURCE: &str = include_str!("../../server/src/routes/mod.rs");

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every `(method, path)` that the route table registers, from each `.route("PATH", …)`
/// call and the method routers (`get(…)`, `.patch(…)`, `axum::routing::delete(…)`) in it.
fn routed() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for call in ROUTES_SOURCE.split(".route(").skip(1) {
        let call = call.trim_start();
        let path = call
            .strip_prefix('"')
            .and_then(|rest| rest.split('"').next())
            .expect("a route's path is a string literal");
        // The call's arguments end at the parenthesis that closes `.route(`.
        let mut depth = 1;
        let end = call
            .char_indices()
            .find_map(|(i, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(i)
            })
            .expect("a route call is closed");
        let handlers = &call[path.len() + 2..end];
        let mut found = false;
        for method in METHODS {
            let called = handlers.match_indices(&format!("{method}(")).any(|(i, _)| {
                let before = handlers[..i].chars().next_back();
                !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            });
            if called {
                out.insert((method.to_string(), path.to_string()));
                found = true;
            }
        }
        assert!(found, "no method found for route {path}: {handlers}");
    }
    out
}

#[test]
fn the_route_table_is_read() {
    let routes = routed();
    assert!(routes.len() > 40, "{routes:?}");
    for expected in [
        ("get", "/api/openapi.json"),
        ("post", "/api/v3/runs"),
        ("get", "/api/v3/runs"),
        ("patch", "/api/v3/envvars/{id}"),
        ("delete", "/api/v3/envvars/{id}"),
        (
            "put",
            "/api/v3/applications/{owner}/{name}/collaborators/{user}",
        ),
    ] {
        assert!(
            routes.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} is not in {routes:?}"
        );
    }
}

#[tokio::test]
async fn every_route_is_described_without_a_token() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let response = server
        .http
        .get(server.api("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let doc: Value = response.json().await.unwrap();

    let version = doc["openapi"].as_str().unwrap();
    assert!(version.starts_with("3.1"), "openapi is {version}");
    assert_eq!(doc["servers"][0]["url"], server.url.as_str());

    let paths = doc["paths"].as_object().expect("paths");
    let mut missing = Vec::new();
    for (method, path) in routed() {
        if paths
            .get(&path)
            .and_then(|item| item.get(&method))
            .is_none()
        {
            missing.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    assert!(missing.is_empty(), "routes without docs: {missing:?}");

    // And nothing is described that is not routed.
    let routes = routed();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            if METHODS.contains(&method.as_str()) {
                assert!(
                    routes.contains(&(method.clone(), path.clone())),
                    "{method} {path} is described but not routed"
                );
            }
        }
    }

    for (method, path) in [
        ("post", "/api/v3/applications"),
        ("patch", "/api/v3/pipelines/{id}"),
        ("get", "/api/v2/organizations/{name}/members"),
        (
            "put",
            "/api/v3/applications/{owner}/{name}/collaborators/{user}",
        ),
    ] {
        let description = paths[path][method]["description"].as_str().unwrap_or("");
        assert!(
            description.contains("werk extension"),
            "{method} {path} is not marked as a werk extension: {description:?}"
        );
    }

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["token"]["in"], "query");
    assert_eq!(schemes["basic"]["scheme"], "basic");
    let log = &paths["/api/v3/runsteps/{id}/log"]["get"]["responses"]["200"]["content"];
    assert!(log.get("text/plain").is_some(), "the log is text: {log}");
}

/// Answers that checking a live server against its description found outside it.
#[tokio::test]
async fn answers_found_outside_the_description_are_fixed() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml("build:\n  steps:\n    - script: {name: greet, code: echo hello}\n");
    server.create_app("described", repo.path(), "public").await;
    let pipeline = server.pipeline_id("described", "build").await;
    let run = server.trigger(&pipeline, json!({})).await;
    let run_id = run["id"].as_str().unwrap();
    server.finished(run_id).await;
    let step = server.step(run_id, "greet").await;

    // A log offset far past the end: seeking there failed, which cut the answer off before
    // its status line.
    let log = format!(
        "/api/v3/runsteps/{}/log?offset=274815813610096512",
        step["id"].as_str().unwrap()
    );
    let response = server
        .http
        .get(server.api(&log))
        .bearer_auth(&server.token)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    assert_eq!(response.text().await.unwrap(), "");

    // Rejections of the router's extractors and layers answer in the error shape, like
    // every other error.
    let (status, body) = server.get("/api/v3/runs/%FF").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["statusCode"], 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("UTF-8"),
        "{body}"
    );
    // One byte over the limit, announced: the server answers before any body is sent (an
    // HTTP client writing the body could meet a closed connection instead of the answer).
    let (status, body) = announce_body(&server, "/api/v3/runs", 1024 * 1024 + 1).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["statusCode"], 413, "{body}");
}

/// Sends the head of a POST whose `Content-Length` is `length`, and no body; the answer.
async fn announce_body(server: &TestServer, path: &str, length: usize) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = server.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n",
        server.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an HTTP answer: {answer}"));
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}
