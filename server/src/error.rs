//! The HTTP edge of engine errors: each error kind maps once to a status code
//! and a JSON body `{"error": {"kind": ..., "message": ...}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use pep::EngineError;
use serde_json::json;

/// An error as the REST API reports it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("{0}")]
    BadRequest(String),
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Engine(e) => match e {
                EngineError::UnknownModel(_) => (StatusCode::NOT_FOUND, "unknown_model"),
                EngineError::ModelUnavailable { .. } => {
                    (StatusCode::SERVICE_UNAVAILABLE, "model_unavailable")
                }
                EngineError::InvalidRequest(_) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request")
                }
                EngineError::RunNotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
                EngineError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "storage"),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind) = self.parts();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = json!({ "error": { "kind": kind, "message": self.to_string() } });
        (status, Json(body)).into_response()
    }
}
