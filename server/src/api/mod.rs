//! The REST API under `/api/v1`, and the health probes.
//!
//! Every route of `/api/v1` is added through utoipa-axum's `routes!`, which
//! registers a handler and its `#[utoipa::path]` documentation together, so
//! the OpenAPI document ([`openapi`]) cannot miss a route.

mod chat;
mod conversations;
mod document;
mod input;
mod openapi;
mod prompts;
mod runs;
mod schemas;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use pep::catalog::ModelInfo;
use pep::tools::ToolList;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use conversations::MAX_BODY_BYTES as MAX_CONVERSATION_BODY_BYTES;
pub use openapi::{documented, ApiDoc, DOCS_PATH, OPENAPI_PATH};
pub use prompts::{MAX_BODY_BYTES, MAX_IMPORT_BYTES};

use crate::state::AppState;

/// Routes of version 1 of the API, with their documentation.
pub fn v1() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(models))
        .routes(routes!(tools))
        .routes(routes!(chat::chat))
        .routes(routes!(runs::list))
        .routes(routes!(runs::stats))
        .routes(routes!(runs::get))
        .routes(routes!(runs::tool_calls))
        .routes(routes!(runs::cancel))
        .routes(routes!(runs::feedback))
        .routes(routes!(schemas::templates))
        .routes(routes!(schemas::check))
        .merge(prompts::routes())
        .merge(conversations::routes())
}

/// `GET /healthz`: the process is up.
pub async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// `GET /readyz`: the database answers and a model is loaded.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.engine.readiness().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not_ready", "reason": reason })),
        ),
    }
}

/// The model catalog, with each model's availability.
#[utoipa::path(
    get, path = "/models", tag = "models",
    responses((status = 200, description = "The models", body = [ModelInfo]))
)]
async fn models(State(state): State<AppState>) -> Json<Vec<ModelInfo>> {
    Json(state.engine.models())
}

/// The tools the server can run for a model, with their source and status,
/// and what `config/tools.yaml` declared that was refused (with the reason).
#[utoipa::path(
    get, path = "/tools", tag = "tools",
    responses((status = 200, description = "The tools on offer and the refused declarations", body = ToolList))
)]
async fn tools(State(state): State<AppState>) -> Json<ToolList> {
    Json(state.engine.tools())
}
