//! Who may see and do what with an application: the rules the API applies to every
//! request, and the engine to runs it starts on someone's behalf (a schedule).
//!
//! A user's [`Level`] on an application is the highest of: `admin` for its owner and for
//! admins of the organization owning it, `execute` for the organization's other members,
//! the level given to a collaborator, and `read` for everyone when it is public.

use werk_store::{ApplicationRow, Store, StoreResult};

/// What a user may do with an application, from least to most.
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

    /// The level's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Level::None => "no",
            Level::Read => "read",
            Level::Execute => "execute",
            Level::Admin => "admin",
        }
    }
}

/// The level of user `user_id` (`None`: an anonymous caller) on `app`.
pub async fn level(
    store: &Store,
    user_id: Option<&str>,
    app: &ApplicationRow,
) -> StoreResult<Level> {
    let public = if app.privacy == "public" {
        Level::Read
    } else {
        Level::None
    };
    let Some(user_id) = user_id else {
        return Ok(public);
    };
    if user_id == app.owner_id {
        return Ok(Level::Admin);
    }
    let through_org = match store.member_role(&app.owner_id, user_id).await?.as_deref() {
        Some("admin") => Level::Admin,
        Some(_) => Level::Execute,
        None => Level::None,
    };
    let as_collaborator = store
        .collaborator_level(&app.id, user_id)
        .await?
        .and_then(|l| Level::from_name(&l))
        .unwrap_or(Level::None);
    Ok(public.max(through_org).max(as_collaborator))
}
