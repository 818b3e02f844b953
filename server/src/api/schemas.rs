//! Structured output: `GET /api/v1/schemas` (the ready-made schemas) and
//! `POST /api/v1/schemas/check` (what is wrong with a response format for a
//! model, as a chat request would be judged).

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use pep::chat::ResponseFormat;
use pep::outcome::SchemaIssue;
use pep::schema::SchemaTemplate;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The ready-made JSON schemas (`config/schemas/`), to start a structured
/// output from.
#[utoipa::path(
    get, path = "/schemas", tag = "schemas",
    responses((status = 200, description = "The schema templates", body = [SchemaTemplate]))
)]
pub async fn templates(State(state): State<AppState>) -> Json<Vec<SchemaTemplate>> {
    Json(state.engine.schema_templates().to_vec())
}

/// The body of `POST /api/v1/schemas/check`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    model: String,
    response_format: ResponseFormat,
}

/// The answer: empty `issues` means the format can be used.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CheckAnswer {
    issues: Vec<SchemaIssue>,
}

/// What is wrong with a response format for a model, judged as a chat
/// request would be (strict-mode rules of the model's provider included).
/// Empty `issues`: the format can be used.
#[utoipa::path(
    post, path = "/schemas/check", tag = "schemas",
    request_body = CheckBody,
    responses(
        (status = 200, description = "The issues found (none: usable)", body = CheckAnswer),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 404, description = "Unknown model", body = ErrorBody),
    )
)]
pub async fn check(
    State(state): State<AppState>,
    body: Result<Json<CheckBody>, JsonRejection>,
) -> Result<Json<CheckAnswer>, ApiError> {
    let Json(body) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let issues = state
        .engine
        .check_response_format(&body.model, &body.response_format)?;
    Ok(Json(CheckAnswer { issues }))
}
