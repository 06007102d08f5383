//! Applications: `/api/v3/applications/…`.

use axum::Json;
use axum::extract::{Path, Query, State};
use werk_engine::{AppSource, NewApplicationRequest};
use werk_store::{AppOrder, ApplicationRow};

use crate::AppState;
use crate::access::{self, Level};
use crate::api::requests::{
    AppPath, ApplicationListQuery, ApplicationUpdate, NewApplication, PageQuery, WidePageQuery,
};
use crate::api::{Application, ApplicationSummary, Pipeline};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::query::{JsonObject, MAX_WIDE_LIMIT, Params, one_of, page, page_up_to};
use crate::routes::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable,
};

/// Creates an application from a git repository.
///
/// werk extension. The application belongs to the caller, or to an organization the caller
/// administers (`owner`); its pipelines and workflows come from the repository's wercker.yml.
#[utoipa::path(
    post,
    path = "/api/v3/applications",
    operation_id = "createApplication",
    tag = "applications",
    security(("bearer" = []), ("token" = [])),
    request_body = NewApplication,
    responses(
        (status = 200, description = "The new application", body = Application),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonObject,
) -> ApiResult<Json<Application>> {
    let user = caller.require()?.clone();
    // The owner is the caller, or an organization the caller administers.
    let owner = match body.string("owner")? {
        Some(name) if !name.eq_ignore_ascii_case(&user.username) => {
            let owner = state
                .store()
                .user_by_name(&name)
                .await?
                .ok_or_else(|| ApiError::not_found(format!("owner {name:?} not found")))?;
            if !crate::routes::orgs::may_act_for(&state, &caller, &owner).await? {
                return Err(ApiError::forbidden(format!(
                    "applications are created for the caller or an organization they administer, not for {name:?}"
                )));
            }
            owner
        }
        _ => user.clone(),
    };
    let request = NewApplicationRequest {
        name: body.required_string("name")?,
        git_url: body.required_string("gitUrl")?,
        branch: body
            .string("branch")?
            .filter(|b| !b.is_empty())
            .unwrap_or_else(|| "master".into()),
        privacy: body.string("privacy")?.unwrap_or_else(|| "public".into()),
        // Through the API, code only comes from git: a directory source would let callers
        // read the server's files.
        source: AppSource::Git,
        chain_workflows: true,
    };
    let app = state.engine().create_application(&owner, &request).await?;
    Ok(Json(
        state.presenter().application(&app, Level::Admin).await?,
    ))
}

/// Lists an owner's applications that the caller may see.
#[utoipa::path(
    get,
    path = "/api/v3/applications/{owner}",
    operation_id = "listApplications",
    tag = "applications",
    security((), ("bearer" = []), ("token" = [])),
    params(
        ("owner" = String, Path, description = "A user's or organization's name"),
        PageQuery,
        ApplicationListQuery,
    ),
    responses(
        (status = 200, description = "Applications", body = Vec<ApplicationSummary>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(owner): Path<String>,
    Query(params): Query<Params>,
) -> ApiResult<Json<Vec<ApplicationSummary>>> {
    let (limit, skip) = page(&params, 20)?;
    let Some(order) = list_order(&params)? else {
        return Ok(Json(Vec::new()));
    };
    let Some(user) = state.store().user_by_name(&owner).await? else {
        return Err(ApiError::not_found(format!("user {owner:?} not found")));
    };
    let apps = state
        .store()
        .applications_of_owner(&user.id, caller.user_id(), limit, skip, order)
        .await?;
    summaries(&state, &apps).await
}

/// Lists the applications of every owner that the caller may see.
///
/// Not in Wercker's documentation, but called by scripts (`?limit=300`): without a token,
/// the public applications; with one, also those the caller may read. `limit` goes up to
/// 1000.
#[utoipa::path(
    get,
    path = "/api/v3/applications",
    operation_id = "listVisibleApplications",
    tag = "applications",
    security((), ("bearer" = []), ("token" = [])),
    params(WidePageQuery, ApplicationListQuery),
    responses(
        (status = 200, description = "Applications", body = Vec<ApplicationSummary>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
pub async fn list_visible(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<Params>,
) -> ApiResult<Json<Vec<ApplicationSummary>>> {
    let (limit, skip) = page_up_to(&params, 20, MAX_WIDE_LIMIT)?;
    let Some(order) = list_order(&params)? else {
        return Ok(Json(Vec::new()));
    };
    let apps = state
        .store()
        .visible_applications(caller.user_id(), limit, skip, order)
        .await?;
    summaries(&state, &apps).await
}

/// The order a list of applications asks for (`sort`), or `None` when it asks for a
/// `stack` other than Wercker's workflow stack (6), which no werk application is on.
fn list_order(params: &Params) -> ApiResult<Option<AppOrder>> {
    if one_of(params, "stack", &["1", "5", "6"])?.is_some_and(|s| s != "6") {
        return Ok(None);
    }
    let sorts = [
        "nameAsc",
        "nameDesc",
        "createdAtAsc",
        "createdAtDesc",
        "updatedAtAsc",
        "updatedAtDesc",
    ];
    Ok(Some(match one_of(params, "sort", &sorts)?.as_deref() {
        Some("nameDesc") => AppOrder::NameDesc,
        Some("createdAtAsc") => AppOrder::CreatedAtAsc,
        Some("createdAtDesc") => AppOrder::CreatedAtDesc,
        Some("updatedAtAsc") => AppOrder::UpdatedAtAsc,
        Some("updatedAtDesc") => AppOrder::UpdatedAtDesc,
        _ => AppOrder::NameAsc,
    }))
}

async fn summaries(
    state: &AppState,
    apps: &[ApplicationRow],
) -> ApiResult<Json<Vec<ApplicationSummary>>> {
    let mut presenter = state.presenter();
    let mut out = Vec::with_capacity(apps.len());
    for app in apps {
        out.push(presenter.application_summary(app).await?);
    }
    Ok(Json(out))
}

/// Gets an application, with the actions the caller may take.
#[utoipa::path(
    get,
    path = "/api/v3/applications/{owner}/{name}",
    operation_id = "getApplication",
    tag = "applications",
    security((), ("bearer" = []), ("token" = [])),
    params(AppPath),
    responses(
        (status = 200, description = "The application", body = Application),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path((owner, name)): Path<(String, String)>,
) -> ApiResult<Json<Application>> {
    let app = find(&state, &caller, &owner, &name).await?;
    let level = access::level(&state, &caller, &app).await?;
    Ok(Json(state.presenter().application(&app, level).await?))
}

/// Lists an application's pipelines.
#[utoipa::path(
    get,
    path = "/api/v3/applications/{owner}/{name}/pipelines",
    operation_id = "listApplicationPipelines",
    tag = "applications",
    security((), ("bearer" = []), ("token" = [])),
    params(AppPath, PageQuery),
    responses(
        (status = 200, description = "Pipelines", body = Vec<Pipeline>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn pipelines(
    State(state): State<AppState>,
    caller: Caller,
    Path((owner, name)): Path<(String, String)>,
    Query(params): Query<Params>,
) -> ApiResult<Json<Vec<Pipeline>>> {
    let (limit, skip) = page(&params, 20)?;
    let app = find(&state, &caller, &owner, &name).await?;
    let rows = state
        .store()
        .pipelines_of_application(&app.id, limit, skip)
        .await?;
    let presenter = state.presenter();
    Ok(Json(
        rows.iter().map(|p| presenter.pipeline_shape(p)).collect(),
    ))
}

/// Sets the branches an application ignores.
///
/// At most 10. Answers with the application, without `allowedActions`, as Wercker did.
#[utoipa::path(
    patch,
    path = "/api/v3/applications/{owner}/{name}",
    operation_id = "updateApplication",
    tag = "applications",
    security(("bearer" = []), ("token" = [])),
    params(AppPath),
    request_body = ApplicationUpdate,
    responses(
        (status = 200, description = "The application", body = Application),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path((owner, name)): Path<(String, String)>,
    body: JsonObject,
) -> ApiResult<Json<Application>> {
    let app = find(&state, &caller, &owner, &name).await?;
    access::require(
        &state,
        &caller,
        &app,
        Level::Admin,
        &format!("application {owner}/{name}"),
    )
    .await?;
    let invalid = |message: &str| {
        ApiError::invalid_field(
            "ignoredBranches",
            message,
            "array.base",
            serde_json::json!({ "key": "ignoredBranches", "limit": MAX_IGNORED_BRANCHES }),
        )
    };
    let branches: Vec<String> = match body.0.get("ignoredBranches") {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|b| b.as_str().filter(|s| !s.is_empty()).map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| invalid("ignoredBranches must hold branch names"))?,
        None => {
            return Err(invalid(
                "ignoredBranches is required: it is the only field that can be changed",
            ));
        }
        Some(_) => return Err(invalid("ignoredBranches must be an array of branch names")),
    };
    if branches.len() > MAX_IGNORED_BRANCHES {
        return Err(invalid(&format!(
            "ignoredBranches must hold at most {MAX_IGNORED_BRANCHES} branches"
        )));
    }
    let json = serde_json::to_string(&branches).unwrap_or_else(|_| "[]".into());
    let app = state.store().set_ignored_branches(&app.id, &json).await?;
    let mut shape = state.presenter().application(&app, Level::Admin).await?;
    shape.allowed_actions = None;
    Ok(Json(shape))
}

/// Most branches an application may ignore, as Wercker allowed.
const MAX_IGNORED_BRANCHES: usize = 10;

/// The application `owner/name`, if the caller may read it.
pub(crate) async fn find(
    state: &AppState,
    caller: &Caller,
    owner: &str,
    name: &str,
) -> ApiResult<ApplicationRow> {
    let what = format!("application {owner}/{name}");
    let app = state
        .store()
        .application_by_owner_name(owner, name)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("{what} not found")))?;
    access::require(state, caller, &app, Level::Read, &what).await?;
    Ok(app)
}
