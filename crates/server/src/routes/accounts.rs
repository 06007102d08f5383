//! Personal tokens (`/api/v3/tokens`) and the caller's profile (`/api/v2/profile`).

use axum::Json;
use axum::extract::{Path, State};

use crate::AppState;
use crate::api::requests::{Empty, NewToken, TokenRename};
use crate::api::{Profile, Token};
use crate::auth::{Caller, TokenCreator};
use crate::error::{ApiError, ApiResult};
use crate::query::JsonObject;
use crate::routes::openapi::{BadRequest, NotFound, Unauthorized};

/// Longest token name, as Wercker allowed.
const MAX_TOKEN_NAME_CHARS: usize = 30;

/// Creates a personal token of the caller.
///
/// Takes Basic auth (username and password) as well as a token, as Wercker's CLI logged in
/// with it. The only answer that holds the token's plaintext.
#[utoipa::path(
    post,
    path = "/api/v3/tokens",
    operation_id = "createToken",
    tag = "tokens",
    security(("bearer" = []), ("token" = []), ("basic" = [])),
    request_body = NewToken,
    responses(
        (status = 200, description = "The new token, with its plaintext", body = Token),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    TokenCreator(user): TokenCreator,
    body: JsonObject,
) -> ApiResult<Json<Token>> {
    let name = token_name(&body)?.unwrap_or_else(|| "werk token".into());
    let (row, plaintext) = state.store().create_token(&user.id, &name).await?;
    Ok(Json(state.presenter().token(&row, Some(plaintext))))
}

/// Lists the caller's tokens, without their plaintext.
#[utoipa::path(
    get,
    path = "/api/v3/tokens",
    operation_id = "listTokens",
    tag = "tokens",
    security(("bearer" = []), ("token" = [])),
    responses(
        (status = 200, description = "Tokens", body = Vec<Token>),
        (status = 401, response = Unauthorized),
    )
)]
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Token>>> {
    let user = caller.require()?;
    let rows = state.store().tokens_of_user(&user.id).await?;
    let presenter = state.presenter();
    Ok(Json(
        rows.iter().map(|r| presenter.token(r, None)).collect(),
    ))
}

/// Gets one of the caller's tokens.
#[utoipa::path(
    get,
    path = "/api/v3/tokens/{id}",
    operation_id = "getToken",
    tag = "tokens",
    security(("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The token's id")),
    responses(
        (status = 200, description = "The token", body = Token),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Token>> {
    let user = caller.require()?;
    let row = state
        .store()
        .token_of_user(&user.id, &id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(state.presenter().token(&row, None)))
}

/// Renames one of the caller's tokens.
#[utoipa::path(
    patch,
    path = "/api/v3/tokens/{id}",
    operation_id = "renameToken",
    tag = "tokens",
    security(("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The token's id")),
    request_body = TokenRename,
    responses(
        (status = 200, description = "The token", body = Token),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn rename(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonObject,
) -> ApiResult<Json<Token>> {
    let user = caller.require()?;
    let name = token_name(&body)?.ok_or_else(|| {
        ApiError::invalid_field(
            "name",
            "name is required",
            "any.required",
            serde_json::json!({ "key": "name" }),
        )
    })?;
    state
        .store()
        .token_of_user(&user.id, &id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    let row = state.store().rename_token(&user.id, &id, &name).await?;
    Ok(Json(state.presenter().token(&row, None)))
}

/// Deletes one of the caller's tokens; it stops working at once.
#[utoipa::path(
    delete,
    path = "/api/v3/tokens/{id}",
    operation_id = "deleteToken",
    tag = "tokens",
    security(("bearer" = []), ("token" = [])),
    params(("id" = String, Path, description = "The token's id")),
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
    let user = caller.require()?;
    state
        .store()
        .token_of_user(&user.id, &id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    state.store().delete_token(&user.id, &id).await?;
    Ok(Json(serde_json::json!({})))
}

/// Who the token belongs to.
#[utoipa::path(
    get,
    path = "/api/v2/profile",
    operation_id = "getProfile",
    tag = "tokens",
    security(("bearer" = []), ("token" = [])),
    responses(
        (status = 200, description = "The caller", body = Profile),
        (status = 401, response = Unauthorized),
    )
)]
pub async fn profile(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Profile>> {
    let user = caller.require()?;
    Ok(Json(state.presenter().profile(user)))
}

fn token_name(body: &JsonObject) -> ApiResult<Option<String>> {
    match body.string("name")? {
        Some(name) if name.trim().is_empty() || name.chars().count() > MAX_TOKEN_NAME_CHARS => {
            Err(ApiError::invalid_field(
                "name",
                format!("name must be 1 to {MAX_TOKEN_NAME_CHARS} characters"),
                "string.max",
                serde_json::json!({ "key": "name", "limit": MAX_TOKEN_NAME_CHARS }),
            ))
        }
        other => Ok(other),
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("token {id:?} not found"))
}
