//! The HTTP edge of engine errors: each error kind maps once to a status code
//! and a JSON body `{"error": {"kind": ..., "message": ...}}`.

use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use pep::engine::HubError;
use pep::{EngineError, ErrorKind};
use serde::Serialize;

/// An error as the REST API reports it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Prompt(#[from] HubError),
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
    /// `shutting_down`, `storage`.
    pub kind: String,
    /// What went wrong, for people.
    pub message: String,
    /// The request field at fault, as a path into the body
    /// (`params.temperature`, `messages[2].content`), when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// A Prompt Hub rule broken outside the Hub's calls (writing an export).
impl From<pep::prompts::PromptError> for ApiError {
    fn from(e: pep::prompts::PromptError) -> Self {
        ApiError::Prompt(HubError::from(e))
    }
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str) {
        let kind = match self {
            ApiError::BadRequest(_) => ErrorKind::BadRequest,
            ApiError::PayloadTooLarge(_) => ErrorKind::TooLarge,
            ApiError::Engine(e) => e.kind(),
            ApiError::Prompt(e) => e.kind(),
        };
        let status =
            StatusCode::from_u16(kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, kind.as_str())
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
        let field = match &self {
            ApiError::Engine(e) => e.field().map(str::to_owned),
            _ => None,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                kind: kind.to_owned(),
                message: self.to_string(),
                field,
            },
        };
        (status, Json(body)).into_response()
    }
}
