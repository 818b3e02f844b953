//! The REST API under `/api/v1`, and the health probes.

mod chat;
mod runs;
mod schemas;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use pep::catalog::ModelInfo;
use serde_json::json;

use crate::state::AppState;

/// Routes of version 1 of the API.
pub fn v1() -> Router<AppState> {
    Router::new()
        .route("/models", get(models))
        .route("/chat", post(chat::chat))
        .route("/runs", get(runs::list))
        .route("/runs/{id}", get(runs::get))
        .route("/runs/{id}/cancel", post(runs::cancel))
        .route("/runs/{id}/feedback", put(runs::feedback))
        .route("/schemas", get(schemas::templates))
        .route("/schemas/check", post(schemas::check))
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

/// `GET /api/v1/models`: the catalog with availability.
async fn models(State(state): State<AppState>) -> Json<Vec<ModelInfo>> {
    Json(state.engine.models())
}
