//! Wercker's pre-workflow endpoints, answered from runs: `…/builds`, `…/deploys`,
//! `/api/v3/builds[/:id]`, `/api/v3/deploys/:id`, and the saved container of a build,
//! `/api/v2/builds/:id/docker`.
//!
//! Builds are the runs of an application started by a trigger (build-type runs); deploys are
//! the runs chained from another run (deploy-type runs).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use werk_engine::TriggerRequest;
use werk_store::{RunFilter, RunRow, RunSort};

use crate::AppState;
use crate::access::{self, Level};
use crate::api::requests::{AppPath, LegacyListQuery, NewBuild};
use crate::api::{Build, Deploy};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::query::{JsonObject, Params, one_of, page};
use crate::routes::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable,
};
use crate::routes::{applications, runs};

/// Lists an application's builds: its triggered runs.
#[utoipa::path(
    get,
    path = "/api/v3/applications/{owner}/{name}/builds",
    operation_id = "listApplicationBuilds",
    tag = "builds and deploys",
    security((), ("bearer" = []), ("token" = [])),
    params(AppPath, LegacyListQuery),
    responses(
        (status = 200, description = "Builds, newest first", body = Vec<Build>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn app_builds(
    State(state): State<AppState>,
    caller: Caller,
    Path((owner, name)): Path<(String, String)>,
    Query(params): Query<Params>,
) -> ApiResult<Json<Vec<Build>>> {
    let app = applications::find(&state, &caller, &owner, &name).await?;
    let rows = list(&state, &app.id, "build", &params).await?;
    let mut presenter = state.presenter();
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(presenter.build(row, false).await?);
    }
    Ok(Json(out))
}

/// Lists an application's deploys: its chained runs.
#[utoipa::path(
    get,
    path = "/api/v3/applications/{owner}/{name}/deploys",
    operation_id = "listApplicationDeploys",
    tag = "builds and deploys",
    security((), ("bearer" = []), ("token" = [])),
    params(AppPath, LegacyListQuery),
    responses(
        (status = 200, description = "Deploys, newest first", body = Vec<Deploy>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn app_deploys(
    State(state): State<AppState>,
    caller: Caller,
    Path((owner, name)): Path<(String, String)>,
    Query(params): Query<Params>,
) -> ApiResult<Json<Vec<Deploy>>> {
    let app = applications::find(&state, &caller, &owner, &name).await?;
    let rows = list(&state, &app.id, "deploy", &params).await?;
    let mut presenter = state.presenter();
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(presenter.deploy(row, false).await?);
    }
    Ok(Json(out))
}

/// Gets a build, with its application and variables.
#[utoipa::path(
    get,
    path = "/api/v3/builds/{id}",
    operation_id = "getBuild",
    tag = "builds and deploys",
    security((), ("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The build's run id")),
    responses(
        (status = 200, description = "The build", body = Build),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn build(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Build>> {
    let run = of_kind(&state, &caller, &id, "build").await?;
    Ok(Json(state.presenter().build(&run, true).await?))
}

/// Gets a deploy, with its application and the build it deployed.
#[utoipa::path(
    get,
    path = "/api/v3/deploys/{id}",
    operation_id = "getDeploy",
    tag = "builds and deploys",
    security((), ("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The deploy's run id")),
    responses(
        (status = 200, description = "The deploy", body = Deploy),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn deploy(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Deploy>> {
    let run = of_kind(&state, &caller, &id, "deploy").await?;
    Ok(Json(state.presenter().deploy(&run, true).await?))
}

/// Downloads the container a build saved, as a tarball for `docker load`.
///
/// A run saves its box when it ran in one (a server started with `--docker` and a
/// wercker.yml naming a box) and passed. Only callers who may run the application's
/// pipelines may download it. Wercker served a snappy-compressed `docker.tar.sz`;
/// werk serves the plain `docker save` tarball.
#[utoipa::path(
    get,
    path = "/api/v2/builds/{id}/docker",
    operation_id = "getBuildContainer",
    tag = "builds and deploys",
    security((), ("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The build's run id")),
    responses(
        (
            status = 200,
            description = "The saved container image, as `docker save` writes it",
            body = Vec<u8>,
            content_type = "application/x-tar"
        ),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn build_container(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let run = runs::find(&state, &caller, &id).await?;
    // A box holds whatever its steps left in it, secrets in files included: it is for
    // those who may run the pipelines (Wercker's `read_docker_image`), not for every reader.
    access::require_on(
        &state,
        &caller,
        &run.application_id,
        Level::Execute,
        &format!("build {id:?}"),
    )
    .await?;
    let tar = state.engine().saved_container(&run.id).await?;
    let disposition = format!("attachment; filename=\"werk-run-{}.tar\"", run.id);
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-tar".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(tar),
    )
        .into_response())
}

/// Triggers a build.
///
/// Runs the application's `build` pipeline, or its first git-type one.
#[utoipa::path(
    post,
    path = "/api/v3/builds",
    operation_id = "triggerBuild",
    tag = "builds and deploys",
    security(("bearer" = []), ("token" = [])),
    request_body = NewBuild,
    responses(
        (status = 200, description = "The new build", body = Build),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn trigger_build(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonObject,
) -> ApiResult<Json<Build>> {
    let user = caller.require()?.clone();
    let app_id = body.required_string("applicationId")?;
    let what = format!("application {app_id:?}");
    let app = access::require_on(&state, &caller, &app_id, Level::Execute, &what).await?;
    let pipelines = state
        .store()
        .pipelines_of_application(&app.id, 1000, 0)
        .await?;
    let pipeline = pipelines
        .iter()
        .find(|p| p.name == "build")
        .or_else(|| pipelines.iter().find(|p| p.r#type == "git"))
        .ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                format!("{what} has no build pipeline"),
            )
        })?;
    let request = TriggerRequest {
        pipeline_id: pipeline.id.clone(),
        branch: body.string("branch")?,
        commit_hash: body.string("commitHash")?,
        message: body.string("message")?,
        env_vars: runs::env_vars(&body)?,
        ..TriggerRequest::default()
    };
    let run = state.engine().trigger(&user, &request).await?;
    Ok(Json(state.presenter().build(&run, true).await?))
}

async fn list(
    state: &AppState,
    app_id: &str,
    kind: &str,
    params: &Params,
) -> ApiResult<Vec<RunRow>> {
    let (limit, skip) = page(params, 10)?;
    let sort = match one_of(params, "sort", &["creationDateAsc", "creationDateDesc"])?.as_deref() {
        Some("creationDateAsc") => RunSort::CreationDateAsc,
        _ => RunSort::CreationDateDesc,
    };
    let filter = RunFilter {
        application_id: Some(app_id.to_string()),
        status: runs::status_filter(params)?,
        result: one_of(params, "result", runs::RESULTS)?,
        branch: params.get("branch").cloned(),
        commit: params.get("commit").cloned(),
        source_run: params.get("buildId").cloned(),
        kind: Some(kind.to_string()),
        ..RunFilter::default()
    };
    Ok(state.store().list_runs(&filter, sort, limit, skip).await?)
}

async fn of_kind(state: &AppState, caller: &Caller, id: &str, kind: &str) -> ApiResult<RunRow> {
    let run = runs::find(state, caller, id).await?;
    if run.kind != kind {
        return Err(ApiError::not_found(format!("{kind} {id:?} not found")));
    }
    access::require_on(
        state,
        caller,
        &run.application_id,
        Level::Read,
        &format!("{kind} {id:?}"),
    )
    .await?;
    Ok(run)
}
