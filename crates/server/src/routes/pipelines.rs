//! Pipelines: `GET /api/v3/pipelines/:id` and `POST /api/v3/pipelines`.

use axum::Json;
use axum::extract::{Path, State};
use werk_store::{PipelineRow, PipelineSpec};

use crate::AppState;
use crate::access::{self, Level};
use crate::api::Pipeline;
use crate::api::requests::{NewPipeline, PipelineUpdate};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::query::JsonObject;
use crate::routes::openapi::{BadRequest, Conflict, Forbidden, NotFound, Unauthorized};

const TYPES: &[&str] = &["git", "pipeline"];
const PERMISSIONS: &[&str] = &["public", "read", "write", "admin"];

/// Gets a pipeline.
#[utoipa::path(
    get,
    path = "/api/v3/pipelines/{id}",
    operation_id = "getPipeline",
    tag = "pipelines",
    security((), ("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The pipeline's id")),
    responses(
        (status = 200, description = "The pipeline", body = Pipeline),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Pipeline>> {
    let row = find(&state, &caller, &id, Level::Read).await?;
    Ok(Json(state.presenter().pipeline_shape(&row)))
}

/// Turns a pipeline's manual approval on or off.
///
/// werk extension. Runs of a pipeline with manual approval wait in `pendingapproval` until
/// `POST /api/v3/trigger/runs/approve`.
#[utoipa::path(
    patch,
    path = "/api/v3/pipelines/{id}",
    operation_id = "updatePipeline",
    tag = "pipelines",
    security(("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The pipeline's id")),
    request_body = PipelineUpdate,
    responses(
        (status = 200, description = "The pipeline", body = Pipeline),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Pipeline>> {
    let row = find(&state, &caller, &id, Level::Admin).await?;
    let Some(on) = body.boolean("manualApproval")? else {
        return Err(ApiError::invalid_field(
            "manualApproval",
            "manualApproval is required: it is the only field that can be changed",
            "any.required",
            serde_json::json!({ "key": "manualApproval" }),
        ));
    };
    let row = state.store().set_manual_approval(&row.id, on).await?;
    Ok(Json(state.presenter().pipeline_shape(&row)))
}

/// Creates a pipeline.
///
/// It runs the yml pipeline `ymlPipeline` (or `pipelineName`) under a name of its own, and
/// is kept when wercker.yml changes.
#[utoipa::path(
    post,
    path = "/api/v3/pipelines",
    operation_id = "createPipeline",
    tag = "pipelines",
    security(("bearer" = []), ("token" = [])),
    request_body = NewPipeline,
    responses(
        (status = 200, description = "The new pipeline", body = Pipeline),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonObject,
) -> ApiResult<Json<Pipeline>> {
    let app_id = body.required_string("application")?;
    let what = format!("application {app_id:?}");
    let app = access::require_on(&state, &caller, &app_id, Level::Admin, &what).await?;
    let pipeline_name = body.required_string("pipelineName")?;
    let yml_pipeline = body
        .string("ymlPipeline")?
        .unwrap_or_else(|| pipeline_name.clone());
    let name = body
        .string("name")?
        .unwrap_or_else(|| pipeline_name.clone());
    let kind = body.string("type")?.unwrap_or_else(|| "git".into());
    if !TYPES.contains(&kind.as_str()) {
        return Err(ApiError::not_one_of("type", TYPES));
    }
    let permissions = body.string("permissions")?.unwrap_or_else(|| "read".into());
    if !PERMISSIONS.contains(&permissions.as_str()) {
        return Err(ApiError::not_one_of("permissions", PERMISSIONS));
    }
    let report = body
        .boolean("setScmProviderStatus")?
        .unwrap_or(kind == "git");
    let manual_approval = body.boolean("manualApproval")?.unwrap_or(false);
    let spec = PipelineSpec {
        name,
        pipeline_name: yml_pipeline,
        r#type: kind,
    };
    let row = state
        .store()
        .create_api_pipeline(&app.id, &spec, &permissions, report)
        .await?;
    let row = if manual_approval {
        state.store().set_manual_approval(&row.id, true).await?
    } else {
        row
    };
    Ok(Json(state.presenter().pipeline_shape(&row)))
}

/// The pipeline `id` (active or not: its runs stay readable), if the caller has `level` on
/// its application.
pub(crate) async fn find(
    state: &AppState,
    caller: &Caller,
    id: &str,
    level: Level,
) -> ApiResult<PipelineRow> {
    let what = format!("pipeline {id:?}");
    let row = state
        .store()
        .pipeline_by_id(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("{what} not found")))?;
    access::require_on(state, caller, &row.application_id, level, &what).await?;
    Ok(row)
}
