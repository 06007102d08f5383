//! Workflows: `GET /api/v3/workflows?applicationId=…` and `GET /api/v3/workflows/:id`.

use axum::Json;
use axum::extract::{Path, Query, State};

use crate::AppState;
use crate::access::{self, Level};
use crate::api::Workflow;
use crate::api::requests::WorkflowListQuery;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::query::{Params, one_of, page};
use crate::routes::openapi::{BadRequest, NotFound, Unauthorized};

/// Lists an application's workflows, newest first by default.
#[utoipa::path(
    get,
    path = "/api/v3/workflows",
    operation_id = "listWorkflows",
    tag = "workflows",
    security((), ("bearer" = []), ("token" = [])),
    params(WorkflowListQuery),
    responses(
        (status = 200, description = "Workflows, without their application", body = Vec<Workflow>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<Params>,
) -> ApiResult<Json<Vec<Workflow>>> {
    let Some(app_id) = params.get("applicationId") else {
        return Err(ApiError::invalid_field(
            "applicationId",
            "applicationId is required",
            "any.required",
            serde_json::json!({ "key": "applicationId" }),
        ));
    };
    let (limit, skip) = page(&params, 10)?;
    let ascending = one_of(&params, "sort", &["creationDateAsc", "creationDateDesc"])?.as_deref()
        == Some("creationDateAsc");
    let what = format!("application {app_id:?}");
    let app = access::require_on(&state, &caller, app_id, Level::Read, &what).await?;
    let rows = state
        .store()
        .workflows_of_application(&app.id, ascending, limit, skip)
        .await?;
    let mut presenter = state.presenter();
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(presenter.workflow(row, false).await?);
    }
    Ok(Json(out))
}

/// Gets a workflow, with its application.
#[utoipa::path(
    get,
    path = "/api/v3/workflows/{id}",
    operation_id = "getWorkflow",
    tag = "workflows",
    security((), ("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The workflow's id")),
    responses(
        (status = 200, description = "The workflow", body = Workflow),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Workflow>> {
    let what = format!("workflow {id:?}");
    let row = state
        .store()
        .workflow_by_id(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("{what} not found")))?;
    access::require_on(&state, &caller, &row.application_id, Level::Read, &what).await?;
    Ok(Json(state.presenter().workflow(&row, true).await?))
}
