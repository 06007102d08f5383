//! Environment variables at the organization (owner), application and pipeline levels:
//! their order in runs, and protected values that never show, in the API or in logs.

mod common;

use common::{Repo, TestServer};
use serde_json::{Value, json};

const SECRET: &str = "hunter2-very-secret";
const KEY_LINE_1: &str = "-----BEGIN FAKE KEY-----";
const KEY_LINE_2: &str = "QUJDREVGR0hJSktMTU5PUA==";

#[tokio::test]
async fn variables_reach_runs_in_order_and_protected_values_never_show() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml(
        r#"build:
  steps:
    - script:
        name: show
        code: |
          echo "level=$LEVEL only_org=$ONLY_ORG trigger=$FROM_TRIGGER"
          echo "secret is $SECRET_TOKEN"
          echo "as exported: $DEPLOY_KEY"
          echo -e "$DEPLOY_KEY"
          echo "second line alone: $(echo -e "$DEPLOY_KEY" | sed -n 2p)"
          echo "$SECRET_TOKEN" > "$WERCKER_REPORT_MESSAGE_FILE"
          false
"#,
    );
    let app = server.create_app("vars", repo.path(), "private").await;
    let app_id = app["id"].as_str().unwrap().to_string();
    let pipeline = server.pipeline_id("vars", "build").await;
    let (_, profile) = server.get("/api/v2/profile").await;
    let owner_id = profile["id"].as_str().unwrap().to_string();

    let create = |scope: &'static str,
                  target: String,
                  key: &'static str,
                  value: String,
                  protected: bool| {
        let server = &server;
        async move {
            let (status, body) = server
                .post("/api/v3/envvars", json!({ "scope": scope, "target": target, "key": key, "value": value, "protected": protected }))
                .await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    create(
        "organization",
        owner_id.clone(),
        "LEVEL",
        "org".into(),
        false,
    )
    .await;
    create(
        "organization",
        owner_id.clone(),
        "ONLY_ORG",
        "from-org".into(),
        false,
    )
    .await;
    create("application", app_id.clone(), "LEVEL", "app".into(), false).await;
    create(
        "pipeline",
        pipeline.clone(),
        "LEVEL",
        "pipeline".into(),
        false,
    )
    .await;
    let secret = create(
        "application",
        app_id.clone(),
        "SECRET_TOKEN",
        SECRET.into(),
        true,
    )
    .await;
    assert!(
        secret.get("value").is_none(),
        "a protected value is not echoed: {secret}"
    );
    create(
        "pipeline",
        pipeline.clone(),
        "DEPLOY_KEY",
        format!("{KEY_LINE_1}\n{KEY_LINE_2}\n-----END FAKE KEY-----"),
        true,
    )
    .await;

    let (status, list) = server
        .get(&format!(
            "/api/v3/envvars?scope=application&target={app_id}"
        ))
        .await;
    assert_eq!(status, 200);
    let results = list["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let listed_secret = results.iter().find(|v| v["key"] == "SECRET_TOKEN").unwrap();
    assert_eq!(listed_secret["protected"], true);
    assert!(listed_secret.get("value").is_none());
    let level = results.iter().find(|v| v["key"] == "LEVEL").unwrap();
    assert_eq!(level["value"], "app");

    // Protection cannot be lifted; a bad name is refused.
    let secret_id = secret["id"].as_str().unwrap();
    let (status, body) = server
        .send(
            server
                .http
                .patch(server.api(&format!("/api/v3/envvars/{secret_id}")))
                .bearer_auth(&server.token)
                .json(&json!({ "protected": false })),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = server
        .post(
            "/api/v3/envvars",
            json!({ "scope": "application", "target": app_id, "key": "9LIVES", "value": "x" }),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = server
        .post(
            "/api/v3/envvars",
            json!({ "scope": "team", "target": app_id, "key": "X", "value": "x" }),
        )
        .await;
    assert_eq!(status, 400);

    let run = server
        .trigger(
            &pipeline,
            json!({ "envVars": [{ "key": "FROM_TRIGGER", "value": "yes" }] }),
        )
        .await;
    let run_id = run["id"].as_str().unwrap().to_string();
    server.finished(&run_id).await;
    let show = server.step(&run_id, "show").await;
    let log = server.log(show["id"].as_str().unwrap()).await;
    assert!(
        log.contains("level=pipeline only_org=from-org trigger=yes"),
        "{log}"
    );
    assert!(log.contains("secret is ****"), "{log}");
    assert!(log.contains("second line alone: ****"), "{log}");
    let setup = server.step(&run_id, "setup environment").await;
    let setup_log = server.log(setup["id"].as_str().unwrap()).await;
    assert!(setup_log.contains("SECRET_TOKEN=(hidden)"), "{setup_log}");
    assert!(setup_log.contains("LEVEL=app"), "{setup_log}");

    // Nowhere in the API, nor in any log.
    let mut seen = String::new();
    for path in [
        format!("/api/v3/runs/{run_id}"),
        format!("/api/v3/runs/{run_id}/steps"),
        format!("/api/v3/runs?applicationId={app_id}"),
        format!("/api/v3/workflows?applicationId={app_id}"),
        format!("/api/v3/envvars?scope=pipeline&target={pipeline}"),
        "/api/v3/applications/admin/vars".to_string(),
    ] {
        let (_, body) = server.get(&path).await;
        seen.push_str(&body.to_string());
    }
    for step in server.steps(&run_id).await {
        seen.push_str(&server.log(step["id"].as_str().unwrap()).await);
        seen.push_str(&Value::to_string(&step));
    }
    for leaked in [SECRET, KEY_LINE_1, KEY_LINE_2] {
        assert!(!seen.contains(leaked), "{leaked} leaked:\n{seen}");
    }
    assert_eq!(show["message"], "****", "the step message is masked too");

    // Another user sees none of it.
    let token = server.create_user("erin");
    let (status, _) = server
        .send(
            server
                .http
                .get(server.api(&format!(
                    "/api/v3/envvars?scope=application&target={app_id}"
                )))
                .bearer_auth(&token),
        )
        .await;
    assert_eq!(status, 404);
}
