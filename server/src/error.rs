//! The HTTP edge of engine errors: each error kind maps once to a status code
//! and a JSON body `{"error": {"kind": ..., "message": ...}}`.

use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use pep::prompts::PromptError;
use pep::EngineError;
use serde::Serialize;

/// An error as the REST API reports it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Prompt(#[from] PromptError),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    PayloadTooLarge(String),
}

/// The body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable word for programs: `bad_request`, `not_found`, `conflict`,
    /// `invalid_request`, `too_large`, `unknown_model`, `model_unavailable`,
    /// `storage`.
    pub kind: String,
    /// What went wrong, for people.
    pub message: String,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::Engine(e) => match e {
                EngineError::UnknownModel(_) => (StatusCode::NOT_FOUND, "unknown_model"),
                EngineError::ModelUnavailable { .. } => {
                    (StatusCode::SERVICE_UNAVAILABLE, "model_unavailable")
                }
                EngineError::InvalidRequest(_) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request")
                }
                EngineError::RunNotFound(_) | EngineError::ConversationNotFound(_) => {
                    (StatusCode::NOT_FOUND, "not_found")
                }
                EngineError::ConversationDeleted(_) => (StatusCode::CONFLICT, "conflict"),
                EngineError::InvalidQuery(_) => (StatusCode::BAD_REQUEST, "bad_request"),
                EngineError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "storage"),
            },
            ApiError::Prompt(e) => match e {
                PromptError::PromptNotFound(_)
                | PromptError::VersionNotFound { .. }
                | PromptError::LabelNotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
                PromptError::NameTaken(_)
                | PromptError::LifecycleMove { .. }
                | PromptError::LabelOnArchived { .. }
                | PromptError::ArchiveLabelled { .. } => (StatusCode::CONFLICT, "conflict"),
                PromptError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request"),
                PromptError::Unreadable(_) => (StatusCode::BAD_REQUEST, "bad_request"),
                PromptError::Starter { .. } | PromptError::Store(_) => {
                    (StatusCode::INTERNAL_SERVER_ERROR, "storage")
                }
            },
        }
    }
}

impl From<JsonRejection> for ApiError {
    /// Malformed JSON, wrong types and a wrong content type are the
    /// client's to fix (400); a body over the limit is 413.
    fn from(e: JsonRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(e.body_text())
        } else {
            ApiError::BadRequest(e.body_text())
        }
    }
}

impl From<BytesRejection> for ApiError {
    fn from(e: BytesRejection) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(e.body_text())
        } else {
            ApiError::BadRequest(e.body_text())
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(e: QueryRejection) -> Self {
        ApiError::BadRequest(e.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind) = self.parts();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                kind: kind.to_owned(),
                message: self.to_string(),
            },
        };
        (status, Json(body)).into_response()
    }
}
