//! Organizations (`/api/v2/organizations`, `/api/v2/users/me/organizations`), their members,
//! and the collaborators of applications (`/api/v3/applications/:owner/:name/collaborators`).
//! Members and collaborators are werk extensions: Wercker managed them in its web UI.

use axum::Json;
use axum::extract::{Path, State};
use werk_store::UserRow;

use crate::AppState;
use crate::access::{self, LEVEL_NAMES, Level};
use crate::api::requests::{AppPath, CollaboratorLevel, Empty, MemberRole, NewOrganization};
use crate::api::{Collaborator, Member, Organization};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::query::JsonObject;
use crate::routes::applications;
use crate::routes::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable,
};

const ROLES: &[&str] = &["member", "admin"];

/// Lists the organizations the caller is a member of.
#[utoipa::path(
    get,
    path = "/api/v2/users/me/organizations",
    operation_id = "listMyOrganizations",
    tag = "organizations",
    security(("bearer" = []), ("token" = [])),
    responses(
        (status = 200, description = "Organizations", body = Vec<Organization>),
        (status = 401, response = Unauthorized),
    )
)]
pub async fn mine(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Organization>>> {
    let user = caller.require()?;
    let orgs = state.store().organizations_of(&user.id).await?;
    Ok(Json(orgs.iter().map(|o| shape(&state, o)).collect()))
}

/// Creates an organization; the caller becomes its first admin.
#[utoipa::path(
    put,
    path = "/api/v2/organizations",
    operation_id = "createOrganization",
    tag = "organizations",
    security(("bearer" = []), ("token" = [])),
    request_body = NewOrganization,
    responses(
        (status = 200, description = "The new organization", body = Organization),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 409, response = Conflict),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonObject,
) -> ApiResult<Json<Organization>> {
    let user = caller.require()?;
    let name = body.required_string("username")?;
    let valid = name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid || name.starts_with('.') {
        return Err(ApiError::invalid_field(
            "username",
            format!("username {name:?} must be letters, digits, '-', '_' or '.'"),
            "string.regex.base",
            serde_json::json!({ "key": "username" }),
        ));
    }
    let email = body.string("contactEmail")?.unwrap_or_default();
    let org = state
        .store()
        .create_organization(&name, &email, &user.id)
        .await?;
    Ok(Json(shape(&state, &org)))
}

/// Gets an organization.
#[utoipa::path(
    get,
    path = "/api/v2/organizations/{name}",
    operation_id = "getOrganization",
    tag = "organizations",
    security(()),
    params(("name" = String, Path, description = "The organization's name")),
    responses(
        (status = 200, description = "The organization", body = Organization),
        (status = 404, response = NotFound),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<Organization>> {
    let org = find(&state, &name).await?;
    Ok(Json(shape(&state, &org)))
}

/// Deletes an organization that owns no application.
#[utoipa::path(
    delete,
    path = "/api/v2/organizations/{name}",
    operation_id = "deleteOrganization",
    tag = "organizations",
    security(("bearer" = []), ("token" = [])),
    params(("name" = String, Path, description = "The organization's name")),
    responses(
        (status = 200, description = "`{}`", body = Empty),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let org = find(&state, &name).await?;
    require_admin(&state, &caller, &org).await?;
    state
        .store()
        .delete_organization(&org.id)
        .await
        .map_err(unprocessable)?;
    Ok(Json(serde_json::json!({})))
}

/// Lists an organization's members, for its members.
///
/// werk extension.
#[utoipa::path(
    get,
    path = "/api/v2/organizations/{name}/members",
    operation_id = "listMembers",
    tag = "organizations",
    security(("bearer" = []), ("token" = [])),
    params(("name" = String, Path, description = "The organization's name")),
    responses(
        (status = 200, description = "Members", body = Vec<Member>),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn members(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> ApiResult<Json<Vec<Member>>> {
    let user = caller.require()?;
    let org = find(&state, &name).await?;
    if state
        .store()
        .member_role(&org.id, &user.id)
        .await?
        .is_none()
    {
        return Err(ApiError::not_found(format!(
            "members of {name:?} not found"
        )));
    }
    let rows = state.store().members_of(&org.id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|m| Member {
                user_id: m.user_id,
                username: m.username,
                role: m.role,
            })
            .collect(),
    ))
}

/// Adds a member to an organization, or changes a member's role.
///
/// werk extension. For the organization's admins; answers with the members.
#[utoipa::path(
    put,
    path = "/api/v2/organizations/{name}/members/{user}",
    operation_id = "setMember",
    tag = "organizations",
    security(("bearer" = []), ("token" = [])),
    params(
        ("name" = String, Path, description = "The organization's name"),
        ("user" = String, Path, description = "A user's name"),
    ),
    request_body = MemberRole,
    responses(
        (status = 200, description = "Members", body = Vec<Member>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn set_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((name, username)): Path<(String, String)>,
    body: JsonObject,
) -> ApiResult<Json<Vec<Member>>> {
    let org = find(&state, &name).await?;
    require_admin(&state, &caller, &org).await?;
    let role = body.string("role")?.unwrap_or_else(|| "member".into());
    if !ROLES.contains(&role.as_str()) {
        return Err(ApiError::not_one_of("role", ROLES));
    }
    let member = person(&state, &username).await?;
    state
        .store()
        .set_member(&org.id, &member.id, &role)
        .await
        .map_err(unprocessable)?;
    members(State(state), caller, Path(name)).await
}

/// Removes a member from an organization.
///
/// werk extension. By an admin, or by the member leaving.
#[utoipa::path(
    delete,
    path = "/api/v2/organizations/{name}/members/{user}",
    operation_id = "removeMember",
    tag = "organizations",
    security(("bearer" = []), ("token" = [])),
    params(
        ("name" = String, Path, description = "The organization's name"),
        ("user" = String, Path, description = "A user's name"),
    ),
    responses(
        (status = 200, description = "`{}`", body = Empty),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((name, username)): Path<(String, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    let org = find(&state, &name).await?;
    let member = person(&state, &username).await?;
    if caller.user_id() != Some(member.id.as_str()) {
        require_admin(&state, &caller, &org).await?;
    }
    state
        .store()
        .remove_member(&org.id, &member.id)
        .await
        .map_err(unprocessable)?;
    Ok(Json(serde_json::json!({})))
}

/// Lists an application's collaborators.
///
/// werk extension.
#[utoipa::path(
    get,
    path = "/api/v3/applications/{owner}/{name}/collaborators",
    operation_id = "listCollaborators",
    tag = "collaborators",
    security((), ("bearer" = []), ("token" = [])),
    params(AppPath),
    responses(
        (status = 200, description = "Collaborators", body = Vec<Collaborator>),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn collaborators(
    State(state): State<AppState>,
    caller: Caller,
    Path((owner, name)): Path<(String, String)>,
) -> ApiResult<Json<Vec<Collaborator>>> {
    let app = applications::find(&state, &caller, &owner, &name).await?;
    let rows = state.store().collaborators_of(&app.id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|c| Collaborator {
                user_id: c.user_id,
                username: c.username,
                level: c.level,
            })
            .collect(),
    ))
}

/// Gives a user a level of access to an application.
///
/// werk extension. For the application's admins; answers with the collaborators.
#[utoipa::path(
    put,
    path = "/api/v3/applications/{owner}/{name}/collaborators/{user}",
    operation_id = "setCollaborator",
    tag = "collaborators",
    security(("bearer" = []), ("token" = [])),
    params(AppPath, ("user" = String, Path, description = "A user's name")),
    request_body = CollaboratorLevel,
    responses(
        (status = 200, description = "Collaborators", body = Vec<Collaborator>),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn set_collaborator(
    State(state): State<AppState>,
    caller: Caller,
    Path((owner, name, username)): Path<(String, String, String)>,
    body: JsonObject,
) -> ApiResult<Json<Vec<Collaborator>>> {
    let app = applications::find(&state, &caller, &owner, &name).await?;
    access::require(
        &state,
        &caller,
        &app,
        Level::Admin,
        &format!("application {owner}/{name}"),
    )
    .await?;
    let level = body.required_string("level")?;
    if Level::from_name(&level).is_none() {
        return Err(ApiError::not_one_of("level", LEVEL_NAMES));
    }
    let user = person(&state, &username).await?;
    state
        .store()
        .set_collaborator(&app.id, &user.id, &level)
        .await?;
    collaborators(State(state), caller, Path((owner, name))).await
}

/// Takes a collaborator's access away.
///
/// werk extension. For the application's admins.
#[utoipa::path(
    delete,
    path = "/api/v3/applications/{owner}/{name}/collaborators/{user}",
    operation_id = "removeCollaborator",
    tag = "collaborators",
    security(("bearer" = []), ("token" = [])),
    params(AppPath, ("user" = String, Path, description = "A user's name")),
    responses(
        (status = 200, description = "`{}`", body = Empty),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
pub async fn remove_collaborator(
    State(state): State<AppState>,
    caller: Caller,
    Path((owner, name, username)): Path<(String, String, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    let app = applications::find(&state, &caller, &owner, &name).await?;
    access::require(
        &state,
        &caller,
        &app,
        Level::Admin,
        &format!("application {owner}/{name}"),
    )
    .await?;
    let user = person(&state, &username).await?;
    state.store().remove_collaborator(&app.id, &user.id).await?;
    Ok(Json(serde_json::json!({})))
}

/// Whether `caller` may act for `owner` (themselves, or an organization they administer).
pub async fn may_act_for(state: &AppState, caller: &Caller, owner: &UserRow) -> ApiResult<bool> {
    let Some(user) = &caller.0 else {
        return Ok(false);
    };
    Ok(user.id == owner.id
        || state
            .store()
            .member_role(&owner.id, &user.id)
            .await?
            .as_deref()
            == Some("admin"))
}

fn shape(state: &AppState, org: &UserRow) -> Organization {
    Organization {
        id: org.id.clone(),
        username: org.username.clone(),
        url: format!(
            "{}/api/v2/organizations/{}",
            state.engine().public_url(),
            org.username
        ),
        creation_date: org.created_at.clone(),
        contact_email: org.email.clone(),
    }
}

async fn find(state: &AppState, name: &str) -> ApiResult<UserRow> {
    state
        .store()
        .user_by_name(name)
        .await?
        .filter(|u| u.kind == "organization")
        .ok_or_else(|| ApiError::not_found(format!("organization {name:?} not found")))
}

async fn person(state: &AppState, name: &str) -> ApiResult<UserRow> {
    state
        .store()
        .user_by_name(name)
        .await?
        .filter(|u| u.kind == "user")
        .ok_or_else(|| ApiError::not_found(format!("user {name:?} not found")))
}

async fn require_admin(state: &AppState, caller: &Caller, org: &UserRow) -> ApiResult<()> {
    let user = caller.require()?;
    match state
        .store()
        .member_role(&org.id, &user.id)
        .await?
        .as_deref()
    {
        Some("admin") => Ok(()),
        Some(_) => Err(ApiError::forbidden(format!(
            "only admins of {} may do this",
            org.username
        ))),
        None => Err(ApiError::not_found(format!(
            "organization {:?} not found",
            org.username
        ))),
    }
}

fn unprocessable(err: werk_store::StoreError) -> ApiError {
    match err {
        werk_store::StoreError::Invalid(why) => {
            ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, why)
        }
        other => other.into(),
    }
}
