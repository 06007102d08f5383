//! Push hooks: `POST /commits/{pushKey}`, the URL a git server calls on every push (as
//! Wercker's push hook was), and `GET /api/v3/applications/{owner}/{name}/hook`, which
//! tells an application's admins that URL.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use serde_json::Value;
use werk_engine::PushOutcome;

use crate::AppState;
use crate::access::{self, Level};
use crate::api::requests::AppPath;
use crate::api::{PushAnswer, PushHook};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::hooks::{Event, read};
use crate::routes::applications;
use crate::routes::openapi::{BadRequest, Forbidden, NotFound, Unauthorized};

/// Runs an application's git-type pipelines for a push.
///
/// The URL is the secret: no token is needed. Takes the push events of GitHub (JSON or
/// form-encoded), Gitea, Gogs, GitLab and Bitbucket, or `{"branch", "commit", "message"?,
/// "tag"?}`; pings, other events, deleted refs and `ignoredBranches` start nothing. A head
/// commit saying `[ci skip]` or `[skip ci]` gets its runs recorded as aborted.
#[utoipa::path(
    post,
    path = "/commits/{pushKey}",
    operation_id = "pushHook",
    tag = "hooks",
    params(("pushKey" = String, Path, description = "The application's push key")),
    request_body(content = Object, description = "A push event"),
    responses(
        (status = 200, description = "What the push started", body = PushAnswer),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 413, response = BadRequest),
    )
)]
pub async fn push(
    State(state): State<AppState>,
    Path(push_key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<PushAnswer>> {
    let app = state
        .store()
        .application_by_push_key(&push_key)
        .await?
        .ok_or_else(|| ApiError::not_found("no application has this push key"))?;
    let payload = payload(&headers, &body)?;
    let event = read(&headers, &payload, &app.default_branch)
        .map_err(|why| ApiError::bad_request(format!("cannot read the push: {why}")))?;
    let pushes = match event {
        Event::Push(pushes) => pushes,
        Event::Ignored(why) => return Ok(Json(nothing(why))),
    };
    let mut runs = Vec::new();
    let mut ignored = Vec::new();
    let mut pushed = Vec::new();
    for push in &pushes {
        match state.engine().push(&app, push).await? {
            PushOutcome::Ignored(why) => ignored.push(why),
            PushOutcome::Runs(more) => runs.extend(more),
        }
        pushed.push(match &push.tag {
            Some(tag) => format!("tag {tag} at {}", push.commit),
            None => format!("branch {} at {}", push.branch, push.commit),
        });
    }
    if runs.is_empty() {
        return Ok(Json(nothing(ignored.join("; "))));
    }
    let mut presenter = state.presenter();
    let mut summaries = Vec::with_capacity(runs.len());
    for run in &runs {
        summaries.push(presenter.run_summary(run).await?);
    }
    Ok(Json(PushAnswer {
        message: format!("{} run(s) for {}", runs.len(), pushed.join(", ")),
        runs: summaries,
    }))
}

/// Shows an application's push hook URL to its admins (werk extension).
#[utoipa::path(
    get,
    path = "/api/v3/applications/{owner}/{name}/hook",
    operation_id = "getApplicationHook",
    tag = "hooks",
    security(("bearer" = []), ("token" = [])),
    params(AppPath),
    responses(
        (status = 200, description = "The push hook", body = PushHook),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path((owner, name)): Path<(String, String)>,
) -> ApiResult<Json<PushHook>> {
    let app = applications::find(&state, &caller, &owner, &name).await?;
    let what = format!("the push hook of {owner}/{name}");
    access::require(&state, &caller, &app, Level::Admin, &what).await?;
    Ok(Json(PushHook {
        url: format!("{}/commits/{}", state.engine().public_url(), app.push_key),
        push_key: app.push_key,
    }))
}

/// The event's JSON: the body, or its `payload` field when form-encoded (GitHub's default).
fn payload(headers: &HeaderMap, body: &[u8]) -> ApiResult<Value> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    let json = if form {
        form_urlencoded::parse(body)
            .find(|(key, _)| key == "payload")
            .map(|(_, value)| value.into_owned().into_bytes())
            .ok_or_else(|| ApiError::bad_request("the form has no payload field"))?
    } else {
        body.to_vec()
    };
    match serde_json::from_slice(&json) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(ApiError::bad_request(
            "the push event must be a JSON object",
        )),
        Err(e) => Err(ApiError::bad_request(format!(
            "the push event is not valid JSON: {e}"
        ))),
    }
}

fn nothing(why: String) -> PushAnswer {
    PushAnswer {
        message: format!("nothing to run: {why}"),
        runs: Vec::new(),
    }
}
