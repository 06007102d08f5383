//! Environment variables: `/api/v3/envvars` with scopes `organization` (an owner account),
//! `application` and `pipeline`. Only admins of the target read or write them; protected
//! values are write-only.

use axum::Json;
use axum::extract::{Path, Query, State};
use werk_store::EnvVarRow;

use crate::AppState;
use crate::access::{self, Level};
use crate::api::requests::{Empty, EnvVarListQuery, EnvVarUpdate, NewEnvVar};
use crate::api::{EnvVarList, EnvVarResource};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::query::{JsonObject, Params};
use crate::routes::openapi::{BadRequest, Conflict, Forbidden, NotFound, Unauthorized};

const SCOPES: &[&str] = &["organization", "application", "pipeline"];

/// Lists the variables of an owner account, application or pipeline.
///
/// For admins of the target; protected values are left out.
#[utoipa::path(
    get,
    path = "/api/v3/envvars",
    operation_id = "listEnvVars",
    tag = "environment variables",
    security(("bearer" = []), ("token" = [])),
    params(EnvVarListQuery),
    responses(
        (status = 200, description = "Variables", body = EnvVarList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<Params>,
) -> ApiResult<Json<EnvVarList>> {
    let scope = required_param(&params, "scope")?;
    let target = required_param(&params, "target")?;
    check_target(&state, &caller, &scope, &target).await?;
    let rows = state.store().envvars_of(&scope, &target).await?;
    Ok(Json(EnvVarList {
        results: rows.iter().map(shape).collect(),
    }))
}

/// Creates a variable.
#[utoipa::path(
    post,
    path = "/api/v3/envvars",
    operation_id = "createEnvVar",
    tag = "environment variables",
    security(("bearer" = []), ("token" = [])),
    request_body = NewEnvVar,
    responses(
        (status = 200, description = "The new variable", body = EnvVarResource),
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
) -> ApiResult<Json<EnvVarResource>> {
    let scope = body.required_string("scope")?;
    let target = body.required_string("target")?;
    let key = body.required_string("key")?;
    check_key(&key)?;
    let value = body.string("value")?.unwrap_or_default();
    let protected = body.boolean("protected")?.unwrap_or(false);
    check_target(&state, &caller, &scope, &target).await?;
    let row = state
        .store()
        .create_envvar(&scope, &target, &key, &value, protected)
        .await?;
    Ok(Json(shape(&row)))
}

/// Changes a variable's key, value or protection.
#[utoipa::path(
    patch,
    path = "/api/v3/envvars/{id}",
    operation_id = "updateEnvVar",
    tag = "environment variables",
    security(("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The variable's id")),
    request_body = EnvVarUpdate,
    responses(
        (status = 200, description = "The variable", body = EnvVarResource),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<EnvVarResource>> {
    let row = find(&state, &caller, &id).await?;
    let key = body.string("key")?;
    if let Some(key) = &key {
        check_key(key)?;
    }
    let value = body.string("value")?;
    let protected = body.boolean("protected")?;
    if protected == Some(false) && row.protected == 1 {
        return Err(ApiError::invalid_field(
            "protected",
            "a protected variable stays protected: delete it and create it again",
            "any.invalid",
            serde_json::json!({ "key": "protected" }),
        ));
    }
    let row = state
        .store()
        .update_envvar(&row.id, key.as_deref(), value.as_deref(), protected)
        .await?;
    Ok(Json(shape(&row)))
}

/// Deletes a variable.
#[utoipa::path(
    delete,
    path = "/api/v3/envvars/{id}",
    operation_id = "deleteEnvVar",
    tag = "environment variables",
    security(("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The variable's id")),
    responses(
        (status = 200, description = "`{}`", body = Empty),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let row = find(&state, &caller, &id).await?;
    state.store().delete_envvar(&row.id).await?;
    Ok(Json(serde_json::json!({})))
}

fn shape(row: &EnvVarRow) -> EnvVarResource {
    EnvVarResource {
        id: row.id.clone(),
        key: row.key.clone(),
        value: (row.protected == 0).then(|| row.value.clone()),
        protected: row.protected == 1,
        scope: row.scope.clone(),
        target: row.target.clone(),
        created_at: row.created_at.clone(),
        updated_at: row.updated_at.clone(),
    }
}

async fn find(state: &AppState, caller: &Caller, id: &str) -> ApiResult<EnvVarRow> {
    caller.require()?;
    let row = state
        .store()
        .envvar_by_id(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("variable {id:?} not found")))?;
    check_target(state, caller, &row.scope, &row.target)
        .await
        .map_err(|_| ApiError::not_found(format!("variable {id:?} not found")))?;
    Ok(row)
}

/// Refuses callers who may not manage the variables of `target` in `scope`.
async fn check_target(
    state: &AppState,
    caller: &Caller,
    scope: &str,
    target: &str,
) -> ApiResult<()> {
    let user = caller.require()?;
    let not_found = || ApiError::not_found(format!("{scope} {target:?} not found"));
    let app = match scope {
        "organization" => {
            let admin = target == user.id
                || state
                    .store()
                    .member_role(target, &user.id)
                    .await?
                    .as_deref()
                    == Some("admin");
            return if admin { Ok(()) } else { Err(not_found()) };
        }
        "application" => state
            .store()
            .application_by_id(target)
            .await?
            .ok_or_else(not_found)?,
        "pipeline" => {
            let pipeline = state
                .store()
                .pipeline_by_id(target)
                .await?
                .ok_or_else(not_found)?;
            state
                .store()
                .application_by_id(&pipeline.application_id)
                .await?
                .ok_or_else(not_found)?
        }
        _ => return Err(ApiError::not_one_of("scope", SCOPES)),
    };
    access::require(
        state,
        caller,
        &app,
        Level::Admin,
        &format!("{scope} {target:?}"),
    )
    .await
    .map(drop)
}

fn required_param(params: &Params, name: &str) -> ApiResult<String> {
    params
        .get(name)
        .filter(|v| !v.is_empty())
        .cloned()
        .ok_or_else(|| {
            ApiError::invalid_field(
                name,
                format!("{name} is required"),
                "any.required",
                serde_json::json!({ "key": name }),
            )
        })
}

fn check_key(key: &str) -> ApiResult<()> {
    let mut chars = key.chars();
    let ok = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid_field(
            "key",
            format!(
                "key {key:?} must start with a letter or '_' and hold only letters, digits and '_'"
            ),
            "string.regex.base",
            serde_json::json!({ "key": "key" }),
        ))
    }
}
