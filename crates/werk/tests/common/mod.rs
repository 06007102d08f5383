//! The test harness: a real `werk serve` process on 127.0.0.1:0 over a temporary data dir,
//! real git repositories in temporary dirs, and an HTTP client with the admin's token.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long a test waits for a run to reach a state before failing.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// A running `werk serve`.
pub struct TestServer {
    pub child: Child,
    pub url: String,
    pub token: String,
    pub data: PathBuf,
    pub http: reqwest::Client,
    /// Whether this start printed a token (only a first start does).
    pub printed_token: bool,
}

impl TestServer {
    /// Starts a server on a fresh data dir and reads the admin token it prints.
    pub async fn start(data: &Path) -> TestServer {
        Self::start_with(data, None, &[]).await
    }

    /// Starts a server on `data`; `token` is the admin token when the data dir is not new.
    pub async fn start_with(data: &Path, token: Option<String>, extra: &[&str]) -> TestServer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_werk"))
            .args(["serve", "--data"])
            .arg(data)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("werk serve starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let mut token = token;
        let mut printed_token = false;
        let url = loop {
            let line = lines
                .next()
                .expect("werk serve prints its address")
                .expect("readable stdout");
            let trimmed = line.trim();
            if trimmed.len() == 64 && trimmed.bytes().all(|b| b.is_ascii_hexdigit()) {
                token = Some(trimmed.to_string());
                printed_token = true;
            }
            if let Some(rest) = line.strip_prefix("werk listening on ") {
                break rest.split_whitespace().next().unwrap().to_string();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        TestServer {
            child,
            url,
            token: token.expect("the first start prints the admin token"),
            data: data.to_path_buf(),
            http: reqwest::Client::new(),
            printed_token,
        }
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Runs `werk admin ARGS` on this server's data dir (while it runs) and returns its
    /// output, trimmed.
    pub fn admin(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_werk"))
            .arg("admin")
            .args(args)
            .arg("--data")
            .arg(&self.data)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "werk admin {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Creates a user with `werk admin` and returns a token of theirs.
    pub fn create_user(&self, name: &str) -> String {
        self.admin(&["user", "create", name]);
        self.admin(&["token", "create", name])
    }

    /// GET with the admin token; returns status and JSON body.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.http.get(self.api(path)).bearer_auth(&self.token))
            .await
    }

    /// POST JSON with the admin token.
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(
            self.http
                .post(self.api(path))
                .bearer_auth(&self.token)
                .json(&body),
        )
        .await
    }

    /// PUT with the admin token.
    pub async fn put(&self, path: &str) -> (u16, Value) {
        self.send(
            self.http
                .put(self.api(path))
                .bearer_auth(&self.token)
                .json(&json!({})),
        )
        .await
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// The text of a step's log.
    pub async fn log(&self, step_id: &str) -> String {
        let response = self
            .http
            .get(self.api(&format!("/api/v3/runsteps/{step_id}/log")))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        response.text().await.unwrap()
    }

    /// Creates an application of the admin from a repository.
    pub async fn create_app(&self, name: &str, repo: &Path, privacy: &str) -> Value {
        let (status, app) = self
            .post(
                "/api/v3/applications",
                json!({ "name": name, "gitUrl": repo.display().to_string(), "privacy": privacy }),
            )
            .await;
        assert_eq!(status, 200, "creating {name}: {app}");
        app
    }

    /// The id of the admin's pipeline `name` of application `app`.
    pub async fn pipeline_id(&self, app: &str, name: &str) -> String {
        let (_, pipelines) = self
            .get(&format!("/api/v3/applications/admin/{app}/pipelines"))
            .await;
        pipelines
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{app} has a pipeline {name}: {pipelines}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The id of pipeline `name` of application `owner/app`.
    pub async fn pipeline_id_of(&self, owner: &str, app: &str, name: &str) -> String {
        let (_, pipelines) = self
            .get(&format!("/api/v3/applications/{owner}/{app}/pipelines"))
            .await;
        pipelines
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{owner}/{app} has a pipeline {name}: {pipelines}"))["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Triggers a pipeline and returns the new run.
    pub async fn trigger(&self, pipeline_id: &str, extra: Value) -> Value {
        let mut body = json!({ "pipelineId": pipeline_id });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        let (status, run) = self.post("/api/v3/runs", body).await;
        assert_eq!(status, 200, "trigger: {run}");
        run
    }

    /// Waits until `check` holds for the run, and returns it.
    pub async fn wait_run(
        &self,
        run_id: &str,
        what: &str,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + RUN_TIMEOUT;
        loop {
            let (_, run) = self.get(&format!("/api/v3/runs/{run_id}")).await;
            if check(&run) {
                return run;
            }
            assert!(
                Instant::now() < deadline,
                "run {run_id} never got {what}: {run}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for the run to finish.
    pub async fn finished(&self, run_id: &str) -> Value {
        self.wait_run(run_id, "finished", |r| r["status"] == "finished")
            .await
    }

    /// The steps of a run.
    pub async fn steps(&self, run_id: &str) -> Vec<Value> {
        let (status, steps) = self.get(&format!("/api/v3/runs/{run_id}/steps")).await;
        assert_eq!(status, 200);
        steps.as_array().unwrap().clone()
    }

    /// The step of a run with this display name (or built-in name).
    pub async fn step(&self, run_id: &str, name: &str) -> Value {
        self.steps(run_id)
            .await
            .into_iter()
            .find(|s| s["displayName"] == name || s["step"] == name)
            .unwrap_or_else(|| panic!("run {run_id} has a step {name}"))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A git repository in a temporary dir, on branch master.
pub struct Repo {
    pub dir: tempfile::TempDir,
}

impl Repo {
    /// A repository whose first commit holds `wercker.yml` with this text.
    pub fn with_yml(yml: &str) -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "master"]);
        repo.commit("wercker.yml", yml, "first commit");
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file and commits it.
    pub fn commit(&self, file: &str, text: &str, message: &str) {
        std::fs::write(self.path().join(file), text).unwrap();
        self.git(&["add", "-A"]);
        self.git(&[
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "commit",
            "-q",
            "-m",
            message,
        ]);
    }

    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(self.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// Asserts that `actual` has every field of `expected` with the same JSON type, recursively
/// (array elements are compared with the first element of `expected`).
pub fn assert_same_shape(expected: &Value, actual: &Value, path: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                let Some(got) = a.get(key) else {
                    panic!("{path}.{key} is missing in {actual}");
                };
                assert_same_shape(value, got, &format!("{path}.{key}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let Some(e) = e.first() {
                for item in a {
                    assert_same_shape(e, item, &format!("{path}[]"));
                }
            }
        }
        (Value::Null, _) => {}
        (e, a) => assert_eq!(
            kind(e),
            kind(a),
            "{path}: expected a {} like {e}, got {a}",
            kind(e)
        ),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Asserts Wercker's wire conventions everywhere in `value`: ids (`id`, `…Id`, `parentItem`)
/// are 24 hex characters, and timestamps (`…At`) are ISO-8601 UTC with milliseconds.
pub fn assert_wire_conventions(value: &Value, path: &str) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let here = format!("{path}.{key}");
                if let Value::String(s) = v {
                    let is_id = key == "id" || key.ends_with("Id") || key == "parentItem";
                    if is_id && key != "userId" || key == "userId" && !s.is_empty() {
                        assert!(
                            s.len() == 24 && s.bytes().all(|b| b.is_ascii_hexdigit()),
                            "{here} = {s:?} is not a 24-hex id"
                        );
                    }
                    if key.ends_with("At") {
                        let b = s.as_bytes();
                        let iso = b.len() == 24
                            && b[4] == b'-'
                            && b[7] == b'-'
                            && b[10] == b'T'
                            && b[13] == b':'
                            && b[16] == b':'
                            && b[19] == b'.'
                            && b[23] == b'Z';
                        assert!(
                            iso,
                            "{here} = {s:?} is not an ISO timestamp with milliseconds"
                        );
                    }
                }
                assert_wire_conventions(v, &here);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|v| assert_wire_conventions(v, &format!("{path}[]"))),
        _ => {}
    }
}

/// A recorded Wercker response from the shared fixtures.
pub fn recorded(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/api-recorded")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// The image the Docker tests use as a box, built by `scripts/test-box-image.sh`.
pub const TEST_BOX: &str = "werk-test-box:1";

/// Whether a Docker engine answers, with [`TEST_BOX`] built in it. Outside CI a missing
/// engine skips the test (saying so); under `CI=true` it fails it.
pub fn docker_with_test_box() -> bool {
    let answers = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !answers {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true and no Docker engine answers"
        );
        eprintln!("skipped: no Docker engine");
        return false;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/test-box-image.sh");
    let status = Command::new("bash")
        .arg(script)
        .arg(TEST_BOX)
        .status()
        .expect("run test-box-image.sh");
    assert!(status.success(), "building {TEST_BOX} failed");
    true
}

/// The containers labelled as belonging to run `run_id`, running or not.
pub fn containers_of_run(run_id: &str) -> String {
    let out = Command::new("docker")
        .args(["ps", "-aq", "--filter", &format!("label=werk.run={run_id}")])
        .output()
        .expect("docker ps");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
