//! A small client of werk's API v3, for the CLI commands.

use anyhow::{Context, bail};
use serde_json::Value;

use crate::cli::ServerArgs;

/// An authenticated connection to a werk server.
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Client {
    pub fn new(server: &ServerArgs) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: server.url.trim_end_matches('/').to_string(),
            token: server.token.clone(),
        }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let builder = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    /// GET a JSON document.
    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.send(self.request(reqwest::Method::GET, path), path)
            .await
    }

    /// POST a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.send(self.request(reqwest::Method::POST, path).json(body), path)
            .await
    }

    /// GET a response to stream (a log).
    pub async fn stream(&self, path: &str) -> anyhow::Result<reqwest::Response> {
        let response = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .with_context(|| self.unreachable())?;
        check(response, path).await
    }

    async fn send(&self, request: reqwest::RequestBuilder, path: &str) -> anyhow::Result<Value> {
        let response = request.send().await.with_context(|| self.unreachable())?;
        let response = check(response, path).await?;
        response
            .json()
            .await
            .with_context(|| format!("the answer to {path} is not JSON"))
    }

    fn unreachable(&self) -> String {
        format!("cannot reach the werk server at {}", self.base)
    }
}

/// Turns an error answer into an error that carries the server's message.
async fn check(response: reqwest::Response, path: &str) -> anyhow::Result<reqwest::Response> {
    if response.status().is_success() {
        return Ok(response);
    }
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let message = body
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("no message");
    if status == reqwest::StatusCode::UNAUTHORIZED {
        bail!("{path}: {message} (set --token or WERK_TOKEN)");
    }
    bail!("{path}: {} {message}", status.as_u16())
}

/// Splits `OWNER/APP`.
pub fn owner_and_app(spec: &str) -> anyhow::Result<(&str, &str)> {
    match spec.split_once('/') {
        Some((owner, app)) if !owner.is_empty() && !app.is_empty() && !app.contains('/') => {
            Ok((owner, app))
        }
        _ => bail!("{spec:?} is not OWNER/APP"),
    }
}

/// A string field of a JSON object, or "".
pub fn text<'a>(value: &'a Value, field: &str) -> &'a str {
    value.get(field).and_then(Value::as_str).unwrap_or("")
}
