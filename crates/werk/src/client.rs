//! A small client of werk's API, for the CLI commands: JSON in, JSON out, errors carrying
//! the server's message.

use anyhow::{Context, bail};
use reqwest::Method;
use serde_json::Value;

use crate::cli::ServerArgs;
use crate::config;

/// The server a client talks to when neither flags, environment nor a login name one.
pub const DEFAULT_URL: &str = "http://127.0.0.1:8080";

/// An authenticated connection to a werk server.
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    /// Whether a refused token's error says how to give one (not while logging in).
    hint: bool,
}

impl Client {
    /// A client of `url`, with `token` as Bearer when there is one.
    pub fn with(url: &str, token: Option<String>) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: url.trim_end_matches('/').to_string(),
            token,
            hint: false,
        }
    }

    /// The server and token of the command line: flags, then `WERK_URL`/`WERK_TOKEN` (clap
    /// reads both), then the stored login, then the default URL.
    ///
    /// The stored token goes only to the server it was stored for, so `--url` naming
    /// another server never receives it.
    pub fn new(server: &ServerArgs) -> anyhow::Result<Client> {
        if let (Some(url), Some(token)) = (&server.url, &server.token) {
            return Ok(Client {
                hint: true,
                ..Client::with(url, Some(token.clone()))
            });
        }
        let stored = config::load()?;
        let url = match (&server.url, &stored) {
            (Some(url), _) => url.clone(),
            (None, Some(login)) => login.url.clone(),
            (None, None) => DEFAULT_URL.to_string(),
        };
        let token = server.token.clone().or_else(|| {
            stored
                .filter(|login| same_server(&login.url, &url))
                .map(|login| login.token)
        });
        Ok(Client {
            hint: true,
            ..Client::with(&url, token)
        })
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let builder = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    /// GET a JSON document.
    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.send(Method::GET, path, None).await
    }

    /// POST a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.send(Method::POST, path, Some(body)).await
    }

    /// PUT a JSON body.
    pub async fn put(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.send(Method::PUT, path, Some(body)).await
    }

    /// PATCH a JSON body.
    pub async fn patch(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.send(Method::PATCH, path, Some(body)).await
    }

    /// DELETE; werk answers `{}`, an empty answer reads as `null`.
    pub async fn delete(&self, path: &str) -> anyhow::Result<Value> {
        self.send(Method::DELETE, path, None).await
    }

    /// POST a JSON body with Basic auth instead of the token (to create a first token).
    pub async fn post_basic(
        &self,
        path: &str,
        username: &str,
        password: &str,
        body: &Value,
    ) -> anyhow::Result<Value> {
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .basic_auth(username, Some(password))
            .json(body);
        let response = request.send().await.with_context(|| self.unreachable())?;
        read_json(check(response, "POST", path, self.hint).await?, path).await
    }

    /// GET a response to stream (a log).
    pub async fn stream(&self, path: &str) -> anyhow::Result<reqwest::Response> {
        let response = self
            .request(Method::GET, path)
            .send()
            .await
            .with_context(|| self.unreachable())?;
        check(response, "GET", path, self.hint).await
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<Value> {
        let name = method.to_string();
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.with_context(|| self.unreachable())?;
        read_json(check(response, &name, path, self.hint).await?, path).await
    }

    fn unreachable(&self) -> String {
        format!("cannot reach the werk server at {}", self.base)
    }
}

/// Whether two spellings of a server URL name the same server.
fn same_server(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

async fn read_json(response: reqwest::Response, path: &str) -> anyhow::Result<Value> {
    let bytes = response
        .bytes()
        .await
        .with_context(|| format!("the answer to {path} was cut short"))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&bytes).with_context(|| format!("the answer to {path} is not JSON"))
}

/// Turns an error answer into an error that carries the server's message.
async fn check(
    response: reqwest::Response,
    method: &str,
    path: &str,
    hint: bool,
) -> anyhow::Result<reqwest::Response> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let message = body.get("message").and_then(Value::as_str);
    if status == reqwest::StatusCode::UNAUTHORIZED {
        let message = message.unwrap_or("a valid token is required");
        if hint {
            bail!("{message} (log in with `werk login`, or set --token or WERK_TOKEN)");
        }
        bail!("{message}");
    }
    match message {
        // An endpoint this server lacks is best reported with the request that missed it.
        Some(message) if message != "no such endpoint" => bail!("{message}"),
        Some(message) => bail!("{method} {path}: {message}"),
        None => bail!("{method} {path}: {status}"),
    }
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

/// Percent-encodes a path segment or query value, so names with spaces or `&` stay whole.
pub fn encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
