//! Runs: list, get, trigger (`POST /api/v3/runs`) and abort.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde_json::Value;
use werk_engine::{EnvVar, TriggerRequest};
use werk_store::{RunFilter, RunRow, RunSort};

use crate::AppState;
use crate::access::{self, Level};
use crate::api::requests::{NewRun, RunApproval, RunListQuery};
use crate::api::{Run, RunSummary};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::query::{JsonObject, Params, one_of, page};
use crate::routes::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable,
};

const STATUSES: &[&str] = &[
    "notstarted",
    "started",
    "finished",
    "running",
    "pendingapproval",
];
pub(crate) const RESULTS: &[&str] = &["aborted", "unknown", "passed", "failed"];

/// The `status` filter; `started` was accepted by Wercker and never reported: it matches
/// running runs.
pub(crate) fn status_filter(params: &Params) -> ApiResult<Option<String>> {
    Ok(one_of(params, "status", STATUSES)?
        .map(|s| if s == "started" { "running".into() } else { s }))
}

/// Lists the runs of an application or a pipeline.
///
/// Newest first by default. werk extensions: `sourceRun` alone is enough, and `commitHash`
/// is read like `commit`.
#[utoipa::path(
    get,
    path = "/api/v3/runs",
    operation_id = "listRuns",
    tag = "runs",
    security((), ("bearer" = []), ("token" = [])),
    params(RunListQuery),
    responses(
        (status = 200, description = "Runs", body = Vec<RunSummary>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<Params>,
) -> ApiResult<Json<Vec<RunSummary>>> {
    let (limit, skip) = page(&params, 20)?;
    let sort = match one_of(&params, "sort", &["creationDateAsc", "creationDateDesc"])?.as_deref() {
        Some("creationDateAsc") => RunSort::CreationDateAsc,
        _ => RunSort::CreationDateDesc,
    };
    let filter = RunFilter {
        application_id: params.get("applicationId").cloned(),
        pipeline_id: params.get("pipelineId").cloned(),
        status: status_filter(&params)?,
        result: one_of(&params, "result", RESULTS)?,
        branch: params.get("branch").cloned(),
        commit: params.get("commit").or(params.get("commitHash")).cloned(),
        source_run: params.get("sourceRun").cloned(),
        kind: None,
        author: params.get("author").cloned(),
        tag: params.get("tag").cloned(),
        viewer: Some(caller.user_id().map(str::to_string)),
        ..RunFilter::default()
    };
    if filter.application_id.is_none()
        && filter.pipeline_id.is_none()
        && filter.source_run.is_none()
    {
        return Err(ApiError::invalid_field(
            "applicationId",
            "applicationId or pipelineId is required",
            "object.missing",
            serde_json::json!({ "peers": ["applicationId", "pipelineId"] }),
        ));
    }
    if let Some(app_id) = &filter.application_id {
        let what = format!("application {app_id:?}");
        access::require_on(&state, &caller, app_id, Level::Read, &what).await?;
    }
    // A private application's runs answer as if it did not exist, however they are named.
    if let Some(pipeline_id) = &filter.pipeline_id {
        let what = format!("pipeline {pipeline_id:?}");
        let not_found = || ApiError::not_found(format!("{what} not found"));
        let pipeline = state
            .store()
            .pipeline_by_id(pipeline_id)
            .await?
            .ok_or_else(not_found)?;
        access::require_on(
            &state,
            &caller,
            &pipeline.application_id,
            Level::Read,
            &what,
        )
        .await?;
    }
    if let Some(source) = &filter.source_run {
        find(&state, &caller, source).await?;
    }
    let rows = state.store().list_runs(&filter, sort, limit, skip).await?;
    let mut presenter = state.presenter();
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(presenter.run_summary(row).await?);
    }
    Ok(Json(out))
}

/// Gets a run.
#[utoipa::path(
    get,
    path = "/api/v3/runs/{id}",
    operation_id = "getRun",
    tag = "runs",
    security((), ("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, description = "The run", body = Run),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Run>> {
    let run = find(&state, &caller, &id).await?;
    Ok(Json(state.presenter().run(&run).await?))
}

/// Triggers a run of a pipeline.
///
/// Queues the run and answers with it, `notstarted` (or `pendingapproval` for a pipeline
/// with manual approval). werk extension: `workflow` names the wercker.yml workflow to run
/// the pipeline in.
#[utoipa::path(
    post,
    path = "/api/v3/runs",
    operation_id = "triggerRun",
    tag = "runs",
    security(("bearer" = []), ("token" = [])),
    request_body = NewRun,
    responses(
        (status = 200, description = "The new run", body = Run),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn trigger(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonObject,
) -> ApiResult<Json<Run>> {
    let user = caller.require()?.clone();
    let request = TriggerRequest {
        pipeline_id: body.required_string("pipelineId")?,
        source_run_id: body.string("sourceRunId")?,
        branch: body.string("branch")?,
        commit_hash: body.string("commitHash")?,
        message: body.string("message")?,
        env_vars: env_vars(&body)?,
        workflow: body.string("workflow")?,
        tag: body.string("tag")?,
    };
    let what = format!("pipeline {:?}", request.pipeline_id);
    let pipeline = state
        .store()
        .pipeline_by_id(&request.pipeline_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("{what} not found")))?;
    access::require_on(
        &state,
        &caller,
        &pipeline.application_id,
        Level::Execute,
        &what,
    )
    .await?;
    let run = state.engine().trigger(&user, &request).await?;
    Ok(Json(state.presenter().run(&run).await?))
}

/// Aborts a run.
///
/// Answers with the run once it stopped; a finished run is answered as it is.
#[utoipa::path(
    put,
    path = "/api/v3/runs/{id}/abort",
    operation_id = "abortRun",
    tag = "runs",
    security(("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, description = "The run", body = Run),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn abort(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Run>> {
    let run = find(&state, &caller, &id).await?;
    access::require_on(
        &state,
        &caller,
        &run.application_id,
        Level::Execute,
        &format!("run {id:?}"),
    )
    .await?;
    let run = state.engine().abort(&id).await?;
    Ok(Json(state.presenter().run(&run).await?))
}

/// Approves a run waiting for an approval.
///
/// The run is queued; answers with it.
#[utoipa::path(
    post,
    path = "/api/v3/trigger/runs/approve",
    operation_id = "approveRun",
    tag = "runs",
    security(("bearer" = []), ("token" = [])),
    request_body = RunApproval,
    responses(
        (status = 200, description = "The run", body = Run),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonObject,
) -> ApiResult<Json<Run>> {
    let id = body.required_string("runId")?;
    let run = find(&state, &caller, &id).await?;
    access::require_on(
        &state,
        &caller,
        &run.application_id,
        Level::Execute,
        &format!("run {id:?}"),
    )
    .await?;
    let run = state.engine().approve(&id).await?;
    Ok(Json(state.presenter().run(&run).await?))
}

/// The run `id`, if the caller may read it.
pub(crate) async fn find(state: &AppState, caller: &Caller, id: &str) -> ApiResult<RunRow> {
    let what = format!("run {id:?}");
    let run = state
        .store()
        .run_by_id(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("{what} not found")))?;
    access::require_on(state, caller, &run.application_id, Level::Read, &what).await?;
    Ok(run)
}

/// `envVars`: an array of `{key, value}` with string values.
pub(crate) fn env_vars(body: &JsonObject) -> ApiResult<Vec<EnvVar>> {
    let invalid = |i: usize, why: &str| {
        ApiError::invalid_field(
            &format!("envVars.{i}"),
            format!("envVars[{i}] {why}"),
            "object.base",
            serde_json::json!({ "key": i }),
        )
    };
    match body.0.get("envVars") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let key = item
                    .get("key")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid(i, "must have a string \"key\""))?;
                let value = match item.get("value") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    Some(Value::Bool(b)) => b.to_string(),
                    _ => return Err(invalid(i, "must have a text \"value\"")),
                };
                Ok(EnvVar {
                    key: key.to_string(),
                    value,
                })
            })
            .collect(),
        Some(_) => Err(ApiError::invalid_field(
            "envVars",
            "envVars must be an array of {\"key\", \"value\"}",
            "array.base",
            serde_json::json!({ "key": "envVars" }),
        )),
    }
}
