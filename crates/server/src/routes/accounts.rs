//! Personal tokens (`/api/v3/tokens`) and the caller's profile (`/api/v2/profile`).

use axum::Json;
use axum::extract::{Path, State};

use crate::AppState;
use crate::api::{Profile, Token};
use crate::auth::{Caller, TokenCreator};
use crate::error::{ApiError, ApiResult};
use crate::query::JsonObject;

/// Longest token name, as Wercker allowed.
const MAX_TOKEN_NAME_CHARS: usize = 30;

/// `POST /api/v3/tokens`: a new token of the caller (Bearer or Basic auth); the only answer
/// that holds its plaintext.
pub async fn create(
    State(state): State<AppState>,
    TokenCreator(user): TokenCreator,
    body: JsonObject,
) -> ApiResult<Json<Token>> {
    let name = token_name(&body)?.unwrap_or_else(|| "werk token".into());
    let (row, plaintext) = state.store().create_token(&user.id, &name).await?;
    Ok(Json(state.presenter().token(&row, Some(plaintext))))
}

/// `GET /api/v3/tokens`: the caller's tokens, without their plaintext.
pub async fn list(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<Token>>> {
    let user = caller.require()?;
    let rows = state.store().tokens_of_user(&user.id).await?;
    let presenter = state.presenter();
    Ok(Json(
        rows.iter().map(|r| presenter.token(r, None)).collect(),
    ))
}

/// `GET /api/v3/tokens/:id`.
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

/// `PATCH /api/v3/tokens/:id` with `{"name"}`: renames a token.
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

/// `DELETE /api/v3/tokens/:id`: the token stops working at once. Answers `{}`.
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

/// `GET /api/v2/profile`: who the token belongs to.
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
