//! Push hooks: a git server's push event (GitHub, Gitea, GitLab, GitHub's form encoding)
//! posted to an application's `/commits/<push key>` URL starts its workflows for the pushed
//! branch and commit of a real repository; `[ci skip]`, ignored branches, pings and deleted
//! branches start nothing that runs; a wrong key or a broken body is refused.

mod common;

use common::{Repo, TestServer};
use serde_json::{Value, json};

/// POSTs `body` to the hook URL with one header naming the event.
async fn deliver(
    server: &TestServer,
    url: &str,
    header: (&str, &str),
    body: &Value,
) -> (u16, Value) {
    server
        .send(server.http.post(url).header(header.0, header.1).json(body))
        .await
}

#[tokio::test]
async fn pushes_run_the_build_for_the_pushed_commit() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(
        "build:\n  steps:\n    - script:\n        name: where\n        code: echo \"built $WERCKER_GIT_BRANCH at $WERCKER_GIT_COMMIT\"\ndeploy:\n  steps:\n    - script: {name: ship, code: echo shipped}\n",
    );
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.commit("feature.txt", "new\n", "add a feature");
    let sha = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    server.create_app("hooked", repo.path(), "private").await;

    let (status, hook) = server.get("/api/v3/applications/admin/hooked/hook").await;
    assert_eq!(status, 200, "{hook}");
    let url = hook["url"].as_str().unwrap().to_string();
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_werk"))
        .args(["apps", "hook", "admin/hooked"])
        .env("WERK_URL", &server.url)
        .env("WERK_TOKEN", &server.token)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&cli.stdout).trim(), url);
    assert!(url.ends_with(&format!("/commits/{}", hook["pushKey"].as_str().unwrap())));
    let other = server.create_user("olga");
    let (status, _) = server
        .send(
            server
                .http
                .get(server.api("/api/v3/applications/admin/hooked/hook"))
                .bearer_auth(&other),
        )
        .await;
    assert_eq!(
        status, 404,
        "the hook of a private application is not shown to others"
    );

    // GitHub (and Gitea, which sends the same payload).
    let github = json!({
        "ref": "refs/heads/feature",
        "before": "0000000000000000000000000000000000000000",
        "after": sha,
        "head_commit": { "id": sha, "message": "add a feature" },
        "repository": { "full_name": "admin/hooked" },
    });
    let (status, answer) = deliver(&server, &url, ("X-GitHub-Event", "push"), &github).await;
    assert_eq!(status, 200, "{answer}");
    let runs = answer["runs"].as_array().unwrap();
    assert_eq!(
        runs.len(),
        1,
        "without workflows, a push runs build: {answer}"
    );
    assert_eq!(runs[0]["pipeline"]["name"], "build");
    let id = runs[0]["id"].as_str().unwrap().to_string();
    let run = server.finished(&id).await;
    assert_eq!(run["result"], "passed", "{run}");
    assert_eq!(run["branch"], "feature");
    assert_eq!(run["commitHash"], sha);
    let step = server.step(&id, "where").await;
    let log = server.log(step["id"].as_str().unwrap()).await;
    assert!(log.contains(&format!("built feature at {sha}")), "{log}");

    // GitHub's default encoding: the event as the form field `payload`.
    let form = server
        .http
        .post(&url)
        .header("X-GitHub-Event", "push")
        .form(&[("payload", github.to_string())]);
    let (status, answer) = server.send(form).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["runs"].as_array().unwrap().len(), 1);

    // GitLab.
    let gitlab = json!({
        "ref": "refs/heads/feature",
        "checkout_sha": sha,
        "commits": [{ "id": sha, "message": "add a feature" }],
    });
    let (status, answer) = deliver(&server, &url, ("X-Gitlab-Event", "Push Hook"), &gitlab).await;
    assert_eq!(status, 200, "{answer}");
    let id = answer["runs"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(server.finished(&id).await["result"], "passed");

    // A commit that asks not to be built gets its run recorded as aborted.
    let mut skipped = github.clone();
    skipped["head_commit"]["message"] = json!("typo [ci skip]");
    let (_, answer) = deliver(&server, &url, ("X-GitHub-Event", "push"), &skipped).await;
    let id = answer["runs"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(server.finished(&id).await["result"], "aborted");
}

#[tokio::test]
async fn pushes_that_start_nothing_and_bad_deliveries() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml("build:\n  steps:\n    - script: {name: hi, code: echo hi}\n");
    let sha = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    server.create_app("quiet", repo.path(), "public").await;
    let (_, hook) = server.get("/api/v3/applications/admin/quiet/hook").await;
    let url = hook["url"].as_str().unwrap().to_string();
    let (status, _) = server
        .send(
            server
                .http
                .patch(server.api("/api/v3/applications/admin/quiet"))
                .bearer_auth(&server.token)
                .json(&json!({ "ignoredBranches": ["gh-pages"] })),
        )
        .await;
    assert_eq!(status, 200);
    let before = server
        .get(&format!(
            "/api/v3/runs?applicationId={}",
            hook_app_id(&server).await
        ))
        .await
        .1;

    let push = |branch: &str| json!({ "ref": format!("refs/heads/{branch}"), "after": sha });
    let github = ("X-GitHub-Event", "push");
    let (status, answer) = deliver(&server, &url, github, &push("gh-pages")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["runs"], json!([]));
    assert!(
        answer["message"].as_str().unwrap().contains("ignored"),
        "{answer}"
    );
    let deleted = json!({ "ref": "refs/heads/old", "after": "0".repeat(40), "deleted": true });
    let (_, answer) = deliver(&server, &url, github, &deleted).await;
    assert_eq!(answer["runs"], json!([]));
    let (_, answer) = deliver(
        &server,
        &url,
        ("X-GitHub-Event", "ping"),
        &json!({"zen": "hi"}),
    )
    .await;
    assert_eq!(answer["runs"], json!([]));
    let after = server
        .get(&format!(
            "/api/v3/runs?applicationId={}",
            hook_app_id(&server).await
        ))
        .await
        .1;
    assert_eq!(before, after, "nothing ran");

    // Refused, in the API's error shape, with nothing stored.
    let wrong = url.replace(hook["pushKey"].as_str().unwrap(), &"0".repeat(32));
    let (status, body) = deliver(&server, &wrong, github, &push("master")).await;
    assert_eq!((status, &body["statusCode"]), (404, &json!(404)), "{body}");
    let (status, body) = server
        .send(
            server
                .http
                .post(&url)
                .header("X-GitHub-Event", "push")
                .body("{not json"),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let bad_commit = json!({ "ref": "refs/heads/master", "after": "not-a-sha" });
    let (status, body) = deliver(&server, &url, github, &bad_commit).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("not a commit id"),
        "{body}"
    );
    let last = server
        .get(&format!(
            "/api/v3/runs?applicationId={}",
            hook_app_id(&server).await
        ))
        .await
        .1;
    assert_eq!(before, last, "nothing ran");
}

async fn hook_app_id(server: &TestServer) -> String {
    let (_, app) = server.get("/api/v3/applications/admin/quiet").await;
    app["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_push_starts_each_workflow_and_its_chain_follows() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(
        "build:\n  steps:\n    - script: {name: b, code: echo b}\ntest:\n  steps:\n    - script: {name: t, code: echo t}\ndeploy:\n  steps:\n    - script: {name: d, code: echo d}\nworkflows:\n  - name: ci\n    pipelines:\n      - name: build\n      - name: deploy\n        requires: [build]\n  - name: checks\n    pipelines:\n      - name: test\n",
    );
    let sha = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    server.create_app("flows", repo.path(), "public").await;
    let (_, hook) = server.get("/api/v3/applications/admin/flows/hook").await;
    let url = hook["url"].as_str().unwrap().to_string();
    let body = json!({ "ref": "refs/heads/master", "after": sha });
    let (status, answer) = deliver(&server, &url, ("X-Gitea-Event", "push"), &body).await;
    assert_eq!(status, 200, "{answer}");
    let mut started: Vec<&str> = answer["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["pipeline"]["name"].as_str().unwrap())
        .collect();
    started.sort_unstable();
    assert_eq!(started, ["build", "test"]);
    let build = answer["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["pipeline"]["name"] == "build")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(server.finished(&build).await["result"], "passed");
    let (_, children) = server.get(&format!("/api/v3/runs?sourceRun={build}")).await;
    let child = children[0]["id"]
        .as_str()
        .expect("deploy chained after build")
        .to_string();
    let deploy = server.finished(&child).await;
    assert_eq!(deploy["pipeline"]["name"], "deploy");
    assert_eq!(deploy["result"], "passed");
}
