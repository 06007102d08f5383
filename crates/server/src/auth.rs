//! Who is calling: a token from `Authorization: Bearer …` or `?token=…`, as an extractor.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use werk_store::UserRow;

use crate::AppState;
use crate::error::ApiError;

/// The caller of a request: a user, or nobody when no token was sent. A token that was
/// sent but is not valid is refused with 401 before any handler runs.
#[derive(Debug, Clone)]
pub struct Caller(pub Option<UserRow>);

impl Caller {
    /// The user, or 401 when the request carried no token.
    pub fn require(&self) -> Result<&UserRow, ApiError> {
        self.0.as_ref().ok_or_else(|| {
            ApiError::unauthorized(
                "this request needs a token: send 'Authorization: Bearer <token>'",
            )
        })
    }

    /// The caller's user id, if any.
    pub fn user_id(&self) -> Option<&str> {
        self.0.as_ref().map(|u| u.id.as_str())
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = token_of(parts)? else {
            return Ok(Caller(None));
        };
        match state.store().user_by_token(&token).await? {
            Some(user) => Ok(Caller(Some(user))),
            None => Err(ApiError::unauthorized("the token is not valid")),
        }
    }
}

/// The token of a request: from `Authorization: Bearer`, else from `?token=`.
fn token_of(parts: &Parts) -> Result<Option<String>, ApiError> {
    if let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let value = value.to_str().unwrap_or("").trim();
        let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
        if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
            return Err(ApiError::unauthorized(
                "the Authorization header must be 'Bearer <token>'",
            ));
        }
        return Ok(Some(token.trim().to_string()));
    }
    Ok(parts.uri.query().and_then(|query| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix("token="))
            .map(str::to_string)
    }))
}

/// The caller of `POST /api/v3/tokens`, which also takes Basic auth (username and
/// password), as Wercker's CLI did to log in.
#[derive(Debug, Clone)]
pub struct TokenCreator(pub UserRow);

impl FromRequestParts<AppState> for TokenCreator {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let Some((scheme, credentials)) = header.and_then(|h| h.trim().split_once(' ')) else {
            return Caller::from_request_parts(parts, state)
                .await?
                .require()
                .cloned()
                .map(TokenCreator);
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            return Caller::from_request_parts(parts, state)
                .await?
                .require()
                .cloned()
                .map(TokenCreator);
        }
        use base64::Engine as _;
        let refused = || ApiError::unauthorized("wrong username or password");
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(credentials.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "the Basic credentials are not base64 of 'username:password'",
                )
            })?;
        let (username, password) = decoded.split_once(':').ok_or_else(refused)?;
        let user = state
            .store()
            .user_by_name(username)
            .await?
            .ok_or_else(refused)?;
        match &user.password_hash {
            Some(hash) if crate::passwords::verify_password(password, hash) => {
                Ok(TokenCreator(user))
            }
            _ => Err(refused()),
        }
    }
}
