//! `GET /api/v2/steps/:owner/:name/:version`: registry steps described from the server's
//! own step sources (its steps directory, its built-in steps, and what runs fetched from
//! the step git template), readable without a token, with Wercker's errors for unknown
//! steps and versions that cannot name one.

mod common;

use common::{Repo, TestServer, assert_wire_conventions};
use serde_json::{Value, json};

/// GET without a token.
async fn anonymous(server: &TestServer, path: &str) -> (u16, Value) {
    server.send(server.http.get(server.api(path))).await
}

fn assert_error(status: u16, body: &Value, expected: u16, needle: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["statusCode"], expected, "{body}");
    assert!(body["error"].is_string(), "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(needle), "{needle:?} not in {message:?}");
}

#[tokio::test]
async fn steps_of_the_steps_directory_and_built_in_steps_are_described() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let steps = data.path().join("steps/acme/notify");
    for (version, summary) in [("1.2.0", "Tells the team."), ("1.10.0", "Tells everyone.")] {
        let dir = steps.join(version);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("run.sh"), "echo notified\n").unwrap();
        std::fs::write(
            dir.join("step.yml"),
            format!(
                "name: notify\nversion: {version}\nsummary: {summary}\ntags: [chat]\n\
                 properties:\n  - name: channel\n    type: string\n    default: builds\n  \
                 - name: url\n    type: string\n    required: true\n"
            ),
        )
        .unwrap();
    }

    // A step of the steps directory, with what its step.yml says.
    let (status, step) = anonymous(&server, "/api/v2/steps/acme/notify/1.2.0").await;
    assert_eq!(status, 200, "{step}");
    assert_eq!(
        step,
        json!({
            "owner": "acme",
            "name": "notify",
            "version": "1.2.0",
            "description": "Tells the team.",
            "summary": "Tells the team.",
            "tags": ["chat"],
            "properties": [
                { "name": "channel", "type": "string", "required": false, "default": "builds" },
                { "name": "url", "type": "string", "required": true, "default": null }
            ],
            "source": "directory",
            "repository": null,
            "tarballUrl": null
        })
    );
    assert_wire_conventions(&step, "step");
    // `latest` and `*` are the highest version present, as a run takes for `acme/notify`.
    for newest in ["latest", "*"] {
        let (status, step) = server
            .get(&format!("/api/v2/steps/acme/notify/{newest}"))
            .await;
        assert_eq!(status, 200, "{step}");
        assert_eq!(step["version"], "1.10.0");
        assert_eq!(step["description"], "Tells everyone.");
    }

    // Built-in steps answer for the owners real wercker.yml files give them, whatever the
    // version, with their own.
    let (status, hugo) = anonymous(&server, "/api/v2/steps/arjen/hugo-build/2.1.0").await;
    assert_eq!(status, 200, "{hugo}");
    assert_eq!(hugo["source"], "builtin");
    assert_eq!(hugo["version"], "2.14.0");
    assert!(
        hugo["description"].as_str().unwrap().contains("Hugo"),
        "{hugo}"
    );
    let names: Vec<&str> = hugo["properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"theme") && names.contains(&"flags"),
        "{names:?}"
    );
    let (status, key) = server.get("/api/v2/steps/wercker/add-ssh-key/latest").await;
    assert_eq!(status, 200, "{key}");
    assert_eq!(key["source"], "builtin");
    assert_eq!(key["owner"], "wercker");

    // Unknown steps, and names or versions that cannot name one.
    let (status, body) = anonymous(&server, "/api/v2/steps/acme/nothing/1.0.0").await;
    assert_error(status, &body, 404, "step acme/nothing@1.0.0 not found");
    assert!(
        !body["message"]
            .as_str()
            .unwrap()
            .contains(&data.path().display().to_string()),
        "the data dir is not shown: {body}"
    );
    let (status, body) = server.get("/api/v2/steps/acme/notify/9.9.9").await;
    assert_error(status, &body, 404, "no acme/notify/9.9.9");
    let (status, body) = server.get("/api/v2/steps/someone/hugo-build/latest").await;
    assert_error(status, &body, 404, "not found");
    for range in ["1.*", "%5E1.2", "~1", "1.x"] {
        let (status, body) = server
            .get(&format!("/api/v2/steps/acme/notify/{range}"))
            .await;
        assert_error(status, &body, 400, "range");
    }
    let (status, body) = server.get("/api/v2/steps/acme/notify/one").await;
    assert_error(status, &body, 400, "not valid");
    let (status, body) = server.get("/api/v2/steps/acme/.hidden/1.0.0").await;
    assert_error(status, &body, 400, "not valid");
    let (status, body) = server.get("/api/v2/steps/acme/a%2Fb/1.0.0").await;
    assert_error(status, &body, 400, "not valid");

    // No token is needed, but a token that is sent must be valid.
    let (status, body) = server
        .send(
            server
                .http
                .get(server.api("/api/v2/steps/acme/notify/1.2.0"))
                .bearer_auth("not-a-token"),
        )
        .await;
    assert_error(status, &body, 401, "token");
}

#[tokio::test]
async fn a_step_from_the_git_template_is_described_once_a_run_fetched_it() {
    let data = tempfile::tempdir().unwrap();
    let step_repo = Repo::with_yml("build:\n  steps:\n    - script: {name: t, code: 'true'}\n");
    step_repo.commit(
        "step.yml",
        "name: deploy\nversion: 1.0.0\nsummary: Deploys the site.\nproperties:\n  - name: target\n    default: staging\n",
        "the step",
    );
    step_repo.commit(
        "run.sh",
        "echo \"deploying to $WERCKER_DEPLOY_TARGET\"\n",
        "run it",
    );
    step_repo.git(&["tag", "1.0.0"]);
    let template = format!("file://{}", step_repo.path().display());
    let server =
        TestServer::start_with(data.path(), None, &["--step-git-template", &template]).await;

    let (status, body) = server.get("/api/v2/steps/acme/deploy/1.0.0").await;
    assert_error(status, &body, 404, "no run has fetched it");

    let app = Repo::with_yml("build:\n  steps:\n    - acme/deploy@1.0.0:\n        target: prod\n");
    server.create_app("site", app.path(), "public").await;
    let pipeline = server.pipeline_id("site", "build").await;
    let run = server.trigger(&pipeline, json!({})).await;
    let run = server.finished(run["id"].as_str().unwrap()).await;
    assert_eq!(run["result"], "passed", "{run}");
    let step = server.step(run["id"].as_str().unwrap(), "deploy").await;
    let log = server.log(step["id"].as_str().unwrap()).await;
    assert!(log.contains("deploying to prod"), "{log}");

    let (status, step) = server.get("/api/v2/steps/acme/deploy/1.0.0").await;
    assert_eq!(status, 200, "{step}");
    assert_eq!(step["source"], "git");
    assert_eq!(step["repository"], template.as_str());
    assert_eq!(step["version"], "1.0.0");
    assert_eq!(step["description"], "Deploys the site.");
    assert_eq!(
        step["properties"],
        json!([{ "name": "target", "type": null, "required": false, "default": "staging" }])
    );
}

#[tokio::test]
async fn werk_step_info_shows_a_step_with_its_properties() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let werk = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_werk"))
            .args(args)
            .env("WERK_URL", &server.url)
            .env("WERK_TOKEN", &server.token)
            .output()
            .unwrap()
    };
    let out = werk(&["step-info", "install-packages"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(
        stdout.contains("wercker/install-packages@1.0.0"),
        "{stdout}"
    );
    assert!(stdout.contains("builtin"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("packages") && l.contains("yes")),
        "{stdout}"
    );
    let out = werk(&["step-info", "wercker/install-packages@1.0.0", "--json"]);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["source"], "builtin");
    let out = werk(&["step-info", "nobody/nothing"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not found"));
}
