//! Structured output: `GET /api/v1/schemas` (the ready-made schemas) and
//! `POST /api/v1/schemas/check` (what is wrong with a response format for a
//! model, as a chat request would be judged).

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use pep::chat::ResponseFormat;
use pep::schema::{SchemaIssue, SchemaTemplate};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::state::AppState;

pub async fn templates(State(state): State<AppState>) -> Json<Vec<SchemaTemplate>> {
    Json(state.engine.schema_templates().to_vec())
}

/// The body of `POST /api/v1/schemas/check`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    model: String,
    response_format: ResponseFormat,
}

/// The answer: empty `issues` means the format can be used.
#[derive(Debug, Serialize)]
pub struct CheckAnswer {
    issues: Vec<SchemaIssue>,
}

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
