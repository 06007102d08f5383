//! The two endpoints Wercker served for Spinnaker's igor (`/api/spinnaker/v1/…`): every
//! application the caller may read with its pipelines, and the recent runs of many
//! pipelines at once, each with its application.

use axum::Json;
use axum::extract::{Query, State};
use werk_store::{AppOrder, RunFilter, RunSort, valid_id};

use crate::AppState;
use crate::api::requests::{SpinnakerApplicationsQuery, SpinnakerRunsQuery};
use crate::api::{SpinnakerApplication, SpinnakerRun};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::query::{MAX_WIDE_LIMIT, Params, integer};
use crate::routes::openapi::{BadRequest, Unauthorized};

/// Most pipeline ids one request may name.
const MAX_PIPELINE_IDS: usize = 1000;

/// The latest `since` whose time the store can compare: 9999-12-31T23:59:59.999Z.
const MAX_SINCE_MS: i64 = 253_402_300_799_999;

/// Lists the applications the caller may read, with their pipelines.
///
/// By name, of every owner: public applications, and the private ones the caller owns,
/// belongs to the organization of, or collaborates on.
#[utoipa::path(
    get,
    path = "/api/spinnaker/v1/applications",
    operation_id = "listSpinnakerApplications",
    tag = "spinnaker",
    security((), ("bearer" = []), ("token" = [])),
    params(SpinnakerApplicationsQuery),
    responses(
        (status = 200, description = "Applications", body = Vec<SpinnakerApplication>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
pub async fn applications(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<Params>,
) -> ApiResult<Json<Vec<SpinnakerApplication>>> {
    let limit = integer(&params, "limit", 20, 1, MAX_WIDE_LIMIT)?;
    let apps = state
        .store()
        .visible_applications(caller.user_id(), limit, 0, AppOrder::NameAsc)
        .await?;
    let mut presenter = state.presenter();
    let mut out = Vec::with_capacity(apps.len());
    for app in &apps {
        out.push(presenter.spinnaker_application(app).await?);
    }
    Ok(Json(out))
}

/// Lists recent runs of the applications the caller may read, newest first.
///
/// Each run comes with its application. `since` keeps the runs with something happening
/// at or after that time (created, started or finished then, or running now).
#[utoipa::path(
    get,
    path = "/api/spinnaker/v1/runs",
    operation_id = "listSpinnakerRuns",
    tag = "spinnaker",
    security((), ("bearer" = []), ("token" = [])),
    params(SpinnakerRunsQuery),
    responses(
        (status = 200, description = "Runs", body = Vec<SpinnakerRun>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
pub async fn runs(
    State(state): State<AppState>,
    caller: Caller,
    Query(pairs): Query<Vec<(String, String)>>,
) -> ApiResult<Json<Vec<SpinnakerRun>>> {
    let params: Params = pairs.iter().cloned().collect();
    let limit = integer(&params, "limit", 20, 1, MAX_WIDE_LIMIT)?;
    let since = match params.get("since") {
        Some(_) => Some(integer(&params, "since", 0, 0, MAX_SINCE_MS)?),
        None => None,
    };
    let pipeline_ids = pipeline_ids(&pairs)?;
    let filter = RunFilter {
        branch: params.get("branch").filter(|b| !b.is_empty()).cloned(),
        pipeline_ids: (!pipeline_ids.is_empty()).then_some(pipeline_ids),
        active_since_ms: since,
        viewer: Some(caller.user_id().map(str::to_string)),
        ..RunFilter::default()
    };
    let rows = state
        .store()
        .list_runs(&filter, RunSort::CreationDateDesc, limit, 0)
        .await?;
    let mut presenter = state.presenter();
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(presenter.spinnaker_run(row).await?);
    }
    Ok(Json(out))
}

/// Every `pipelineIds` value, repeated or comma-separated, each a 24-hex id.
fn pipeline_ids(pairs: &[(String, String)]) -> ApiResult<Vec<String>> {
    let mut ids: Vec<String> = Vec::new();
    let values = pairs
        .iter()
        .filter(|(k, _)| k == "pipelineIds")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|id| !id.is_empty());
    for id in values {
        if !valid_id(id) {
            return Err(ApiError::invalid_field(
                "pipelineIds",
                format!("pipelineIds must hold pipeline ids of 24 hex characters (got {id:?})"),
                "string.hex",
                serde_json::json!({ "key": "pipelineIds", "value": id }),
            ));
        }
        let id = id.to_ascii_lowercase();
        if !ids.contains(&id) {
            ids.push(id);
        }
        if ids.len() > MAX_PIPELINE_IDS {
            return Err(ApiError::invalid_field(
                "pipelineIds",
                format!("pipelineIds may name at most {MAX_PIPELINE_IDS} pipelines"),
                "array.max",
                serde_json::json!({ "key": "pipelineIds", "limit": MAX_PIPELINE_IDS }),
            ));
        }
    }
    Ok(ids)
}
