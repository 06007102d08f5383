//! Who may see and do what with an application, for API callers.
//!
//! A caller's [`Level`] on an application comes from [`werk_engine::access`]. Reading
//! needs `read`, running pipelines and aborting runs `execute`, and changing the
//! application, its pipelines, variables and collaborators `admin`.
//!
//! A caller without `read` on a private application gets 404, as if it did not exist (401
//! without a token); a caller who sees it but lacks the level gets 403.

use werk_store::ApplicationRow;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};

pub use werk_engine::access::Level;

/// The names of collaborator levels, for validation messages.
pub const LEVEL_NAMES: &[&str] = &["read", "execute", "admin"];

/// The caller's level on `app`.
pub async fn level(state: &AppState, caller: &Caller, app: &ApplicationRow) -> ApiResult<Level> {
    let user_id = caller.0.as_ref().map(|u| u.id.as_str());
    Ok(werk_engine::access::level(state.store(), user_id, app).await?)
}

/// The application `application_id`, if the caller has at least `needed` on it; else the
/// refusal, a missing application answering like one the caller may not see.
pub async fn require_on(
    state: &AppState,
    caller: &Caller,
    application_id: &str,
    needed: Level,
    what: &str,
) -> ApiResult<ApplicationRow> {
    let app = state
        .store()
        .application_by_id(application_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("{what} not found")))?;
    require(state, caller, &app, needed, what).await?;
    Ok(app)
}

/// The caller's level on `app` if it is at least `needed`; else the refusal. `what` names
/// the resource in the messages, so that a private application looks like a missing one.
pub async fn require(
    state: &AppState,
    caller: &Caller,
    app: &ApplicationRow,
    needed: Level,
    what: &str,
) -> ApiResult<Level> {
    let level = level(state, caller, app).await?;
    if level >= needed {
        return Ok(level);
    }
    match (level, &caller.0) {
        (Level::None, None) => Err(ApiError::unauthorized(format!(
            "{what} is private: send a token that may read it"
        ))),
        (Level::None, Some(_)) => Err(ApiError::not_found(format!("{what} not found"))),
        (_, None) => Err(ApiError::unauthorized(format!(
            "this needs a token with {} access to {what}",
            needed.name()
        ))),
        (_, Some(_)) => Err(ApiError::forbidden(format!(
            "this needs {} access to {what}; you have {} access",
            needed.name(),
            level.name()
        ))),
    }
}
