//! The step registry's metadata (`GET /api/v2/steps/:owner/:name/:version`), answered from
//! the steps this server runs: its steps directory, its built-in steps, and the steps runs
//! fetched from the step git template.

use axum::Json;
use axum::extract::{Path, State};

use crate::AppState;
use crate::api::requests::StepPath;
use crate::api::{RegistryStep, registry_step};
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::routes::openapi::{BadRequest, NotFound, Unauthorized};

/// Describes a registry step as werk would run it.
///
/// Wercker's v2 step lookup, which its CLI used to find a step's tarball. Readable without
/// a token, as Wercker's step registry was; a token that is sent must be valid. werk
/// serves no tarballs (`tarballUrl` is `null`), and a step that only the step git template
/// names is found once a run has fetched it.
#[utoipa::path(
    get,
    path = "/api/v2/steps/{owner}/{name}/{version}",
    operation_id = "getStepVersion",
    tag = "step registry",
    security((), ("bearer" = []), ("token" = [])),
    params(StepPath),
    responses(
        (status = 200, description = "The step", body = RegistryStep),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    _caller: Caller,
    Path((owner, name, version)): Path<(String, String, String)>,
) -> ApiResult<Json<RegistryStep>> {
    let info = state
        .engine()
        .describe_step(&owner, &name, &version)
        .await?;
    Ok(Json(registry_step(&info)))
}
