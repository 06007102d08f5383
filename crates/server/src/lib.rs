//! werk's HTTP server: Wercker's API v3 over the engine.
//!
//! [`router`] puts together every route and layer; [`serve`] runs it on a listener that is
//! already bound until a shutdown future resolves. Handlers stay thin: they read the
//! request, check who may see or do what ([`access`]), call the store (for reads) or the
//! engine (for anything that changes runs or applications), and map rows to the wire shapes
//! of [`api`]. No handler runs a step or touches an executor.
//!
//! This crate is the only one that knows HTTP and JSON wire shapes.

pub mod access;
pub mod api;
mod auth;
mod error;
mod hooks;
mod passwords;
mod query;
mod routes;

pub use error::{ApiError, ApiResult};
pub use passwords::{hash_password, verify_password};

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::response::IntoResponse;
use tokio::net::TcpListener;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;
use werk_engine::Engine;
use werk_store::Store;

/// Largest request body accepted, in bytes.
const BODY_LIMIT_BYTES: usize = 1024 * 1024;
/// Largest push event accepted, in bytes: GitHub sends up to 25 MB.
const HOOK_BODY_LIMIT_BYTES: usize = 25 * 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    engine: Arc<Engine>,
}

impl AppState {
    /// State over an engine.
    pub fn new(engine: Arc<Engine>) -> AppState {
        AppState { engine }
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// The store, for reads.
    pub fn store(&self) -> &Store {
        self.engine.store()
    }

    /// A presenter for one request.
    pub fn presenter(&self) -> api::Presenter<'_> {
        api::Presenter::new(self.engine.store(), self.engine.public_url())
    }
}

/// The OpenAPI 3.1 description of the API, without `servers`: `GET /api/openapi.json`
/// answers it with the public URL added.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi as _;
    routes::openapi::ApiDoc::openapi()
}

/// Every route and layer of the server.
pub fn router(state: AppState) -> Router {
    use tower_http::limit::RequestBodyLimitLayer;
    routes::routes()
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .merge(routes::hook_routes().layer(RequestBodyLimitLayer::new(HOOK_BODY_LIMIT_BYTES)))
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .method_not_allowed_fallback(|method: axum::http::Method| async move {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                format!("{method} is not allowed on this endpoint"),
            )
        })
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "werk failed to answer this request",
            )
            .into_response()
        }))
        .layer(axum::middleware::map_response(error::json_errors))
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(|request: &Request| {
                // The path only: a query string may carry `?token=`; and a push hook's
                // path is its secret.
                let path = request.uri().path();
                let path = if path.starts_with("/commits/") {
                    "/commits/…"
                } else {
                    path
                };
                tracing::debug_span!("request", method = %request.method(), path = %path)
            }),
        )
        .with_state(state)
}

/// Serves the API on `listener` until `shutdown` resolves, then lets open requests finish.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Wercker's clients send both `/api/v3/runs` and `/api/v3/runs/`: one trailing slash is
    // dropped before routing.
    let app = NormalizePathLayer::trim_trailing_slash().layer(router(state));
    axum::serve(
        listener,
        axum::ServiceExt::<Request>::into_make_service(app),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
