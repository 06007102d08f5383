//! Who may see and run what: public applications are readable by anyone; private ones only
//! by their owner, and invisible (404) to everyone else; only the owner runs pipelines.

use werk_store::ApplicationRow;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};

/// Refuses callers who may not read `app`. `what` names the resource in the 404, so that a
/// private application looks exactly like a missing one.
pub fn check_read(caller: &Caller, app: &ApplicationRow, what: &str) -> ApiResult<()> {
    if app.privacy == "public" || caller.user_id() == Some(app.owner_id.as_str()) {
        return Ok(());
    }
    match caller.0 {
        None => Err(ApiError::unauthorized(format!(
            "{what} is private: send a token that may read it"
        ))),
        Some(_) => Err(ApiError::not_found(format!("{what} not found"))),
    }
}

/// Refuses callers who may not run pipelines of `app` (or abort its runs).
pub fn check_run(caller: &Caller, app: &ApplicationRow, what: &str) -> ApiResult<()> {
    let user = caller.require()?;
    check_read(caller, app, what)?;
    if user.id == app.owner_id {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "only the owner of the application may do this to {what}"
        )))
    }
}
