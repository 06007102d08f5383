//! The permission matrix: every endpoint of a private application against no token, a wrong
//! token, another user, a read-only collaborator, an execute collaborator, and the owner.

mod common;

use common::{Repo, TestServer};
use serde_json::{Value, json};

#[tokio::test]
async fn every_endpoint_answers_each_kind_of_caller_as_documented() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let repo = Repo::with_yml("build:\n  steps:\n    - script: {name: hi, code: echo hi}\n");
    let app = server.create_app("private", repo.path(), "private").await;
    let app_id = app["id"].as_str().unwrap().to_string();
    let pipeline = server.pipeline_id("private", "build").await;
    let run = server.trigger(&pipeline, json!({})).await;
    let run_id = run["id"].as_str().unwrap().to_string();
    server.finished(&run_id).await;
    let step_id = server.steps(&run_id).await[3]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, workflows) = server
        .get(&format!("/api/v3/workflows?applicationId={app_id}"))
        .await;
    let workflow_id = workflows[0]["id"].as_str().unwrap().to_string();

    let other = server.create_user("mallory");
    let reader = server.create_user("rita");
    let executor = server.create_user("ed");
    server.create_user("carl");
    for (name, level) in [("rita", "read"), ("ed", "execute")] {
        let (status, body) = server
            .send(
                server
                    .http
                    .put(server.api(&format!(
                        "/api/v3/applications/admin/private/collaborators/{name}"
                    )))
                    .bearer_auth(&server.token)
                    .json(&json!({ "level": level })),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    let app_path = "/api/v3/applications/admin/private".to_string();
    // (method, path, body, [no token, wrong token, other user, reader, executor, owner])
    let matrix: Vec<(&str, String, Value, [u16; 6])> = vec![
        (
            "GET",
            app_path.clone(),
            Value::Null,
            [401, 401, 404, 200, 200, 200],
        ),
        (
            "PATCH",
            app_path.clone(),
            json!({ "ignoredBranches": [] }),
            [401, 401, 404, 403, 403, 200],
        ),
        (
            "GET",
            format!("{app_path}/pipelines"),
            Value::Null,
            [401, 401, 404, 200, 200, 200],
        ),
        (
            "GET",
            format!("{app_path}/builds"),
            Value::Null,
            [401, 401, 404, 200, 200, 200],
        ),
        (
            "GET",
            format!("{app_path}/deploys"),
            Value::Null,
            [401, 401, 404, 200, 200, 200],
        ),
        (
            "GET",
            format!("{app_path}/hook"),
            Value::Null,
            [401, 401, 404, 403, 403, 200],
        ),
        (
            "GET",
            format!("{app_path}/collaborators"),
            Value::Null,
            [401, 401, 404, 200, 200, 200],
        ),
        (
            "PUT",
            format!("{app_path}/collaborators/carl"),
            json!({ "level": "read" }),
            [401, 401, 404, 403, 403, 200],
        ),
        (
            "DELETE",
            format!("{app_path}/collaborators/carl"),
            Value::Null,
            [401, 401, 404, 403, 403, 200],
        ),
        (
            "GET",
            format!("/api/v3/pipelines/{pipeline}"),
            Value::Null,
            [401, 401, 404, 200, 200, 200],
        ),
        (
            "POST",
            "/api/v3/pipelines".into(),
            json!({ "application": app_id, "name": "extra", "pipelineName": "build" }),
            [401, 401, 404, 403, 403, 200],
        ),
        (
            "GET",
            format!("/api/v3/workflows?applicationId={app_id}"),
            Value::Null,
            [401, 401, 404, 200, 200, 200],
        ),
        (
            "GET",
            format!("/api/v3/workflows/{workflow_id}"),
            Value::Null,
            [401, 401, 404, 200, 200, 200],
        ),
        (
            "GET",
            format!("/api/v3/runs?applicationId={app_id}"),
            Value::Null,
            [401, 401, 404, 200, 200, 200],
        ),
        (
            "GET",
            format!("/api/v3/runs?pipelineId={pipeline}"),
            Value::Null,
            [401, 401, 404, 200, 200, 200],
        ),
        (
            "GET",
            format!("/api/v3/runs/{run_id}"),
            Value::Null,
            [401, 401, 404, 200, 200, 200],
        ),
        (
            "GET",
            format!("/api/v3/runs/{run_id}/steps"),
            Value::Null,
            [401, 401, 404, 200, 200, 200],
        ),
        (
            "GET",
            format!("/api/v3/runsteps/{step_id}"),
            Value::Null,
            [401, 401, 404, 200, 200, 200],
        ),
        (
            "GET",
            format!("/api/v3/runsteps/{step_id}/log"),
            Value::Null,
            [401, 401, 404, 200, 200, 200],
        ),
        (
            "GET",
            format!("/api/v3/builds/{run_id}"),
            Value::Null,
            [401, 401, 404, 200, 200, 200],
        ),
        (
            "PUT",
            format!("/api/v3/runs/{run_id}/abort"),
            json!({}),
            [401, 401, 404, 403, 200, 200],
        ),
        (
            "POST",
            "/api/v3/runs".into(),
            json!({ "pipelineId": pipeline }),
            [401, 401, 404, 403, 200, 200],
        ),
        (
            "POST",
            "/api/v3/builds".into(),
            json!({ "applicationId": app_id }),
            [401, 401, 404, 403, 200, 200],
        ),
        (
            "GET",
            format!("/api/v3/envvars?scope=application&target={app_id}"),
            Value::Null,
            [401, 401, 404, 403, 403, 200],
        ),
        (
            "POST",
            "/api/v3/envvars".into(),
            json!({ "scope": "pipeline", "target": pipeline, "key": "K", "value": "v" }),
            [401, 401, 404, 403, 403, 200],
        ),
        (
            "GET",
            "/api/v3/tokens".into(),
            Value::Null,
            [401, 401, 200, 200, 200, 200],
        ),
        (
            "GET",
            "/api/v2/profile".into(),
            Value::Null,
            [401, 401, 200, 200, 200, 200],
        ),
        // A saved box is for those who run pipelines (and a run on this machine saved none).
        (
            "GET",
            format!("/api/v2/builds/{run_id}/docker"),
            Value::Null,
            [401, 401, 404, 403, 404, 404],
        ),
        // Step metadata is public; a token sent must still be valid.
        (
            "GET",
            "/api/v2/steps/wercker/install-packages/latest".into(),
            Value::Null,
            [200, 401, 200, 200, 200, 200],
        ),
        // Lists answer everyone, with what each caller may read (checked below).
        (
            "GET",
            "/api/v3/applications".into(),
            Value::Null,
            [200, 401, 200, 200, 200, 200],
        ),
        (
            "GET",
            "/api/spinnaker/v1/applications".into(),
            Value::Null,
            [200, 401, 200, 200, 200, 200],
        ),
        (
            "GET",
            format!("/api/spinnaker/v1/runs?pipelineIds={pipeline}"),
            Value::Null,
            [200, 401, 200, 200, 200, 200],
        ),
    ];
    let tokens: [Option<&str>; 6] = [
        None,
        Some("0000not-a-token"),
        Some(&other),
        Some(&reader),
        Some(&executor),
        Some(&server.token),
    ];
    let callers = [
        "no token",
        "wrong token",
        "another user",
        "reader",
        "executor",
        "owner",
    ];
    let mut failures = Vec::new();
    for (method, path, body, expected) in &matrix {
        for (i, token) in tokens.iter().enumerate() {
            let mut request = server
                .http
                .request(method.parse().unwrap(), server.api(path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if !body.is_null() {
                request = request.json(body);
            }
            let (status, answer) = server.send(request).await;
            if status != expected[i] {
                failures.push(format!(
                    "{method} {path} as {}: {status} (expected {}) {answer}",
                    callers[i], expected[i]
                ));
            } else if status >= 400 {
                assert_eq!(answer["statusCode"], status, "{method} {path}: {answer}");
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The lists hold the private application and its runs only for those who may read them.
    let lists = [
        "/api/v3/applications".to_string(),
        "/api/spinnaker/v1/applications".to_string(),
        format!("/api/spinnaker/v1/runs?pipelineIds={pipeline}"),
    ];
    for path in &lists {
        for (i, token) in tokens.iter().enumerate() {
            if i == 1 {
                continue; // the wrong token was refused above
            }
            let mut request = server.http.get(server.api(path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let (_, answer) = server.send(request).await;
            let seen = !answer.as_array().unwrap().is_empty();
            let may_read = i >= 3;
            assert_eq!(seen, may_read, "{path} as {}: {answer}", callers[i]);
        }
    }

    // allowedActions follow the caller's level.
    let actions = |body: &Value| {
        body["allowedActions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let (_, as_reader) = server
        .send(server.http.get(server.api(&app_path)).bearer_auth(&reader))
        .await;
    let (_, as_executor) = server
        .send(
            server
                .http
                .get(server.api(&app_path))
                .bearer_auth(&executor),
        )
        .await;
    let (_, as_owner) = server.get(&app_path).await;
    assert!(!actions(&as_reader).contains(&"create_run".to_string()));
    assert!(actions(&as_executor).contains(&"create_run".to_string()));
    assert!(actions(&as_executor).contains(&"read_docker_image".to_string()));
    assert!(!actions(&as_reader).contains(&"read_docker_image".to_string()));
    assert!(!actions(&as_executor).contains(&"update_project".to_string()));
    assert!(actions(&as_owner).contains(&"update_project".to_string()));
}

#[tokio::test]
async fn organizations_own_applications_and_their_members_use_them() {
    let data = tempfile::tempdir().unwrap();
    let server = TestServer::start(data.path()).await;
    let member = server.create_user("mia");
    let outsider = server.create_user("otto");
    let (status, org) = server
        .send(
            server
                .http
                .put(server.api("/api/v2/organizations/"))
                .bearer_auth(&server.token)
                .json(&json!({ "username": "acme", "contactEmail": "ops@acme.test" })),
        )
        .await;
    assert_eq!(status, 200, "{org}");
    let (status, _) = server
        .send(
            server
                .http
                .put(server.api("/api/v2/organizations/acme/members/mia"))
                .bearer_auth(&server.token)
                .json(&json!({ "role": "member" })),
        )
        .await;
    assert_eq!(status, 200);
    let (_, mine) = server
        .send(
            server
                .http
                .get(server.api("/api/v2/users/me/organizations"))
                .bearer_auth(&member),
        )
        .await;
    assert_eq!(mine[0]["username"], "acme");

    let repo = Repo::with_yml(
        "build:\n  steps:\n    - script: {name: hi, code: echo hi from $WERCKER_APPLICATION_OWNER_NAME}\n",
    );
    let (status, app) = server
        .post("/api/v3/applications", json!({ "owner": "acme", "name": "site", "gitUrl": repo.path().display().to_string(), "privacy": "private" }))
        .await;
    assert_eq!(status, 200, "{app}");
    assert_eq!(app["owner"]["meta"]["type"], "organization");
    let (status, _) = server
        .send(
            server
                .http
                .post(server.api("/api/v3/applications"))
                .bearer_auth(&member)
                .json(&json!({ "owner": "acme", "name": "x", "gitUrl": "/nowhere" })),
        )
        .await;
    assert_eq!(status, 403, "members are not admins");

    let pipeline = server.pipeline_id_of("acme", "site", "build").await;
    let (status, run) = server
        .send(
            server
                .http
                .post(server.api("/api/v3/runs"))
                .bearer_auth(&member)
                .json(&json!({ "pipelineId": pipeline })),
        )
        .await;
    assert_eq!(
        status, 200,
        "a member runs the organization's pipelines: {run}"
    );
    let run = server.finished(run["id"].as_str().unwrap()).await;
    assert_eq!(run["result"], "passed");
    let (status, _) = server
        .send(
            server
                .http
                .get(server.api("/api/v3/applications/acme/site"))
                .bearer_auth(&outsider),
        )
        .await;
    assert_eq!(status, 404);
    let (_, listed) = server
        .send(
            server
                .http
                .get(server.api("/api/v3/applications/acme"))
                .bearer_auth(&outsider),
        )
        .await;
    assert!(
        listed.as_array().unwrap().is_empty(),
        "private applications are not listed to others"
    );
    let (_, listed) = server
        .send(
            server
                .http
                .get(server.api("/api/v3/applications/acme"))
                .bearer_auth(&member),
        )
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // The organization's variables reach its runs; only its admins manage them.
    let org_id = org["id"].as_str().unwrap();
    let (status, _) = server
        .send(
            server
                .http
                .post(server.api("/api/v3/envvars"))
                .bearer_auth(&member)
                .json(
                    &json!({ "scope": "organization", "target": org_id, "key": "K", "value": "v" }),
                ),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = server
        .post(
            "/api/v3/envvars",
            json!({ "scope": "organization", "target": org_id, "key": "K", "value": "v" }),
        )
        .await;
    assert_eq!(status, 200);

    // The last admin cannot leave; an organization with applications cannot be deleted.
    let (status, body) = server
        .send(
            server
                .http
                .delete(server.api("/api/v2/organizations/acme/members/admin"))
                .bearer_auth(&server.token),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = server
        .send(
            server
                .http
                .delete(server.api("/api/v2/organizations/acme"))
                .bearer_auth(&server.token),
        )
        .await;
    assert_eq!(status, 422, "{body}");
}
