//! The route table of API v3; each resource's handlers live in their own module.

mod accounts;
mod applications;
mod envvars;
mod hooks;
mod legacy;
pub(crate) mod openapi;
mod orgs;
mod pipelines;
mod registry;
mod runs;
mod schedules;
mod spinnaker;
mod steps;
mod workflows;

use axum::Router;
use axum::routing::{get, post, put};

use crate::AppState;

/// Every API route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi::spec))
        .route(
            "/api/v3/applications",
            get(applications::list_visible).post(applications::create),
        )
        .route("/api/v3/applications/{owner}", get(applications::list))
        .route(
            "/api/v3/applications/{owner}/{name}",
            get(applications::get).patch(applications::update),
        )
        .route(
            "/api/v3/applications/{owner}/{name}/pipelines",
            get(applications::pipelines),
        )
        .route(
            "/api/v3/applications/{owner}/{name}/builds",
            get(legacy::app_builds),
        )
        .route(
            "/api/v3/applications/{owner}/{name}/deploys",
            get(legacy::app_deploys),
        )
        .route("/api/v3/builds", post(legacy::trigger_build))
        .route("/api/v3/builds/{id}", get(legacy::build))
        .route("/api/v3/deploys/{id}", get(legacy::deploy))
        .route("/api/v2/builds/{id}/docker", get(legacy::build_container))
        .route(
            "/api/v3/pipelines/{id}/schedules",
            get(schedules::list).post(schedules::create),
        )
        .route(
            "/api/v3/schedules/{id}",
            get(schedules::get).delete(schedules::delete),
        )
        .route("/api/v3/applications/{owner}/{name}/hook", get(hooks::show))
        .route("/api/v3/pipelines", post(pipelines::create))
        .route(
            "/api/v3/pipelines/{id}",
            get(pipelines::get).patch(pipelines::update),
        )
        .route("/api/v3/trigger/runs/approve", post(runs::approve))
        .route("/api/v3/workflows", get(workflows::list))
        .route("/api/v3/workflows/{id}", get(workflows::get))
        .route("/api/v3/runs", get(runs::list).post(runs::trigger))
        .route("/api/v3/runs/{id}", get(runs::get))
        .route("/api/v3/runs/{id}/abort", put(runs::abort))
        .route("/api/v3/runs/{id}/steps", get(steps::of_run))
        .route("/api/v3/runsteps/{id}", get(steps::get))
        .route("/api/v3/runsteps/{id}/log", get(steps::log))
        .route("/api/v3/tokens", get(accounts::list).post(accounts::create))
        .route(
            "/api/v3/tokens/{id}",
            get(accounts::get)
                .patch(accounts::rename)
                .delete(accounts::delete),
        )
        .route("/api/v3/envvars", get(envvars::list).post(envvars::create))
        .route(
            "/api/v3/envvars/{id}",
            axum::routing::patch(envvars::update).delete(envvars::delete),
        )
        .route("/api/v2/profile", get(accounts::profile))
        .route("/api/v2/steps/{owner}/{name}/{version}", get(registry::get))
        .route(
            "/api/spinnaker/v1/applications",
            get(spinnaker::applications),
        )
        .route("/api/spinnaker/v1/runs", get(spinnaker::runs))
        .route("/api/v2/users/me/organizations", get(orgs::mine))
        .route("/api/v2/organizations", put(orgs::create))
        .route(
            "/api/v2/organizations/{name}",
            get(orgs::get).delete(orgs::delete),
        )
        .route("/api/v2/organizations/{name}/members", get(orgs::members))
        .route(
            "/api/v2/organizations/{name}/members/{user}",
            put(orgs::set_member).delete(orgs::remove_member),
        )
        .route(
            "/api/v3/applications/{owner}/{name}/collaborators",
            get(orgs::collaborators),
        )
        .route(
            "/api/v3/applications/{owner}/{name}/collaborators/{user}",
            put(orgs::set_collaborator).delete(orgs::remove_collaborator),
        )
}

/// The push hook, apart: git servers send pushes of thousands of commits, so its bodies may
/// be larger than the API's.
pub fn hook_routes() -> Router<AppState> {
    Router::new().route("/commits/{pushKey}", post(hooks::push))
}
