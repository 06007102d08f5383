//! Who may see and do what with an application.
//!
//! A caller's [`Level`] on an application is the highest of: `admin` for its owner and for
//! admins of the organization owning it, `execute` for the organization's other members,
//! the level given to a collaborator, and `read` for everyone when it is public. Reading
//! needs `read`, running pipelines and aborting runs `execute`, and changing the
//! application, its pipelines, variables and collaborators `admin`.
//!
//! A caller without `read` on a private application gets 404, as if it did not exist (401
//! without a token); a caller who sees it but lacks the level gets 403.

use werk_store::ApplicationRow;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};

/// What a caller may do with an application, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Nothing: it is private and not theirs.
    None,
    /// See it, its runs, steps and logs.
    Read,
    /// Also run its pipelines and abort runs.
    Execute,
    /// Also change it, its pipelines, variables and collaborators.
    Admin,
}

impl Level {
    /// The level a collaborator's stored level name gives.
    pub fn from_name(name: &str) -> Option<Level> {
        match name {
            "read" => Some(Level::Read),
            "execute" => Some(Level::Execute),
            "admin" => Some(Level::Admin),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Level::None => "no",
            Level::Read => "read",
            Level::Execute => "execute",
            Level::Admin => "admin",
        }
    }
}

/// The names of collaborator levels, for validation messages.
pub const LEVEL_NAMES: &[&str] = &["read", "execute", "admin"];

/// The caller's level on `app`.
pub async fn level(state: &AppState, caller: &Caller, app: &ApplicationRow) -> ApiResult<Level> {
    let public = if app.privacy == "public" {
        Level::Read
    } else {
        Level::None
    };
    let Some(user) = &caller.0 else {
        return Ok(public);
    };
    if user.id == app.owner_id {
        return Ok(Level::Admin);
    }
    let through_org = match state
        .store()
        .member_role(&app.owner_id, &user.id)
        .await?
        .as_deref()
    {
        Some("admin") => Level::Admin,
        Some(_) => Level::Execute,
        None => Level::None,
    };
    let as_collaborator = state
        .store()
        .collaborator_level(&app.id, &user.id)
        .await?
        .and_then(|l| Level::from_name(&l))
        .unwrap_or(Level::None);
    Ok(public.max(through_org).max(as_collaborator))
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
