//! Schedules of pipelines (werk extension): `GET|POST /api/v3/pipelines/{id}/schedules`
//! and `GET|DELETE /api/v3/schedules/{id}`. Those who may run a pipeline schedule it;
//! readers see its schedules.

use axum::Json;
use axum::extract::{Path, State};
use werk_store::ScheduleRow;

use crate::AppState;
use crate::access::{self, Level};
use crate::api::Schedule;
use crate::api::requests::NewSchedule;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::query::JsonObject;
use crate::routes::openapi::{BadRequest, Forbidden, NotFound, Unauthorized, Unprocessable};
use crate::routes::pipelines;

/// Lists a pipeline's schedules.
#[utoipa::path(
    get,
    path = "/api/v3/pipelines/{id}/schedules",
    operation_id = "listSchedules",
    tag = "schedules",
    security((), ("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The pipeline's id")),
    responses(
        (status = 200, description = "Its schedules, oldest first", body = Vec<Schedule>),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Schedule>>> {
    let pipeline = pipelines::find(&state, &caller, &id, Level::Read).await?;
    let rows = state.store().schedules_of_pipeline(&pipeline.id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(shape(&state, row).await?);
    }
    Ok(Json(out))
}

/// Schedules a pipeline to run at the times of a cron pattern (UTC), as the caller.
#[utoipa::path(
    post,
    path = "/api/v3/pipelines/{id}/schedules",
    operation_id = "createSchedule",
    tag = "schedules",
    security(("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The pipeline's id")),
    request_body = NewSchedule,
    responses(
        (status = 200, description = "The schedule", body = Schedule),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Schedule>> {
    let user = caller.require()?.clone();
    let pipeline = pipelines::find(&state, &caller, &id, Level::Execute).await?;
    if pipeline.active != 1 {
        return Err(ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            format!("pipeline {id:?} is no longer in the application's wercker.yml"),
        ));
    }
    let cron = body.required_string("cron")?;
    let branch = body.string("branch")?;
    let row = state
        .engine()
        .add_schedule(&user, &pipeline, &cron, branch.as_deref())
        .await
        .map_err(|e| match e {
            werk_engine::EngineError::Invalid(why) => ApiError::invalid_field(
                "cron",
                why,
                "string.cron",
                serde_json::json!({ "key": "cron" }),
            ),
            other => other.into(),
        })?;
    Ok(Json(state.presenter().schedule(&row, &user.username)))
}

/// Gets a schedule.
#[utoipa::path(
    get,
    path = "/api/v3/schedules/{id}",
    operation_id = "getSchedule",
    tag = "schedules",
    security((), ("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The schedule's id")),
    responses(
        (status = 200, description = "The schedule", body = Schedule),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Schedule>> {
    let row = find(&state, &caller, &id, Level::Read).await?;
    Ok(Json(shape(&state, &row).await?))
}

/// Deletes a schedule; runs it started are kept.
#[utoipa::path(
    delete,
    path = "/api/v3/schedules/{id}",
    operation_id = "deleteSchedule",
    tag = "schedules",
    security(("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The schedule's id")),
    responses(
        (status = 200, description = "The schedule, deleted", body = Schedule),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Schedule>> {
    let row = find(&state, &caller, &id, Level::Execute).await?;
    let shown = shape(&state, &row).await?;
    state.store().delete_schedule(&row.id).await?;
    Ok(Json(shown))
}

/// The schedule `id`, if the caller has `level` on its pipeline's application.
async fn find(state: &AppState, caller: &Caller, id: &str, level: Level) -> ApiResult<ScheduleRow> {
    let not_found = || ApiError::not_found(format!("schedule {id:?} not found"));
    let row = state
        .store()
        .schedule_by_id(id)
        .await?
        .ok_or_else(not_found)?;
    let pipeline = state
        .store()
        .pipeline_by_id(&row.pipeline_id)
        .await?
        .ok_or_else(not_found)?;
    let what = format!("schedule {id:?}");
    access::require_on(state, caller, &pipeline.application_id, level, &what).await?;
    Ok(row)
}

async fn shape(state: &AppState, row: &ScheduleRow) -> ApiResult<Schedule> {
    let user = state.store().user_by_id(&row.user_id).await?;
    let username = user.map(|u| u.username).unwrap_or_default();
    Ok(state.presenter().schedule(row, &username))
}
