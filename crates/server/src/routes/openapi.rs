//! The OpenAPI 3.1 description of the API, put together from the handlers' own
//! `#[utoipa::path]` annotations and wire shapes, and served at `GET /api/openapi.json`.

use axum::Json;
use axum::extract::State;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::{Modify, OpenApi};

use super::{
    accounts, applications, envvars, hooks, legacy, orgs, pipelines, registry, runs, schedules,
    spinnaker, steps, workflows,
};
use crate::AppState;

pub use errors::*;

/// Error answers by status, for `responses(...)`. Only their schemas are used: no answer is
/// built from these types, so their fields are never read.
#[allow(dead_code)]
mod errors {
    use utoipa::ToResponse;

    use crate::error::ErrorBody;

    /// The request is malformed: a parameter or field is missing or invalid (`details` names it).
    #[derive(ToResponse)]
    pub struct BadRequest(ErrorBody<'static>);

    /// The request needs a token, or the token sent is not valid.
    #[derive(ToResponse)]
    pub struct Unauthorized(ErrorBody<'static>);

    /// The caller may see the resource but not do this.
    #[derive(ToResponse)]
    pub struct Forbidden(ErrorBody<'static>);

    /// No such resource, or one the caller may not see.
    #[derive(ToResponse)]
    pub struct NotFound(ErrorBody<'static>);

    /// It exists already.
    #[derive(ToResponse)]
    pub struct Conflict(ErrorBody<'static>);

    /// Well-formed, but it cannot be carried out (e.g. the repository cannot be read).
    #[derive(ToResponse)]
    pub struct Unprocessable(ErrorBody<'static>);
}

/// The whole API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "werk",
        description = "Wercker's HTTP API v3 as werk serves it. Operations marked \"werk \
            extension\" are not in Wercker's API. Every answer with a status of 400 or more \
            has the body `{statusCode, error, message, details?}`; request bodies over 1 MiB \
            (25 MiB for the push hook) are refused with 413."
    ),
    paths(
        applications::create,
        applications::list,
        applications::list_visible,
        applications::get,
        applications::update,
        applications::pipelines,
        legacy::app_builds,
        legacy::app_deploys,
        legacy::trigger_build,
        legacy::build,
        legacy::deploy,
        legacy::build_container,
        hooks::push,
        hooks::show,
        schedules::list,
        schedules::create,
        schedules::get,
        schedules::delete,
        pipelines::create,
        pipelines::get,
        pipelines::update,
        runs::approve,
        workflows::list,
        workflows::get,
        runs::list,
        runs::trigger,
        runs::get,
        runs::abort,
        steps::of_run,
        steps::get,
        steps::log,
        accounts::list,
        accounts::create,
        accounts::get,
        accounts::rename,
        accounts::delete,
        envvars::list,
        envvars::create,
        envvars::update,
        envvars::delete,
        accounts::profile,
        orgs::mine,
        orgs::create,
        orgs::get,
        orgs::delete,
        orgs::members,
        orgs::set_member,
        orgs::remove_member,
        orgs::collaborators,
        orgs::set_collaborator,
        orgs::remove_collaborator,
        registry::get,
        spinnaker::applications,
        spinnaker::runs,
        spec,
    ),
    components(
        schemas(crate::error::ErrorBody),
        responses(BadRequest, Unauthorized, Forbidden, NotFound, Conflict, Unprocessable)
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "applications"),
        (
            name = "builds and deploys",
            description = "Wercker's pre-workflow resources: builds are triggered runs, \
                deploys chained runs."
        ),
        (name = "pipelines"),
        (name = "workflows"),
        (name = "runs"),
        (name = "steps"),
        (name = "environment variables"),
        (name = "tokens"),
        (
            name = "organizations",
            description = "Wercker's v2 organizations; their members are a werk extension."
        ),
        (
            name = "collaborators",
            description = "werk extension: who else may read, run or change an application."
        ),
        (
            name = "schedules",
            description = "werk extension: pipelines run at the times of a cron pattern."
        ),
        (
            name = "hooks",
            description = "The push hook a git server calls on every push (Wercker's pushKey URL)."
        ),
        (
            name = "step registry",
            description = "Wercker's v2 step lookup, answered from the steps this server runs."
        ),
        (
            name = "spinnaker",
            description = "The endpoints Wercker served for Spinnaker's Wercker integration \
                (igor)."
        ),
        (name = "openapi"),
    )
)]
pub struct ApiDoc;

/// The ways to send a token.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal token: `Authorization: Bearer <token>`."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "token",
                "A personal token as `?token=<token>`, read when no Authorization header is sent.",
            ))),
        );
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some("Username and password; only to create a token."))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI description of this API.
///
/// werk extension. `servers` holds the server's public URL.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    operation_id = "getOpenApi",
    tag = "openapi",
    security(()),
    responses((status = 200, description = "An OpenAPI 3.1 document", body = Object))
)]
pub async fn spec(State(state): State<AppState>) -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    doc.servers = Some(vec![Server::new(state.engine().public_url())]);
    Json(doc)
}
