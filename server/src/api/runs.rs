//! Run history: `GET /api/v1/runs`, `GET /api/v1/runs/{id}`,
//! `POST /api/v1/runs/{id}/cancel` and `PUT /api/v1/runs/{id}/feedback`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use pep::runs::{Rating, RunRecord};
use pep::EngineError;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

const MAX_LIMIT: u32 = 500;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// At most this many runs (1..=500; default 50).
    limit: Option<u32>,
}

/// The newest runs first.
#[utoipa::path(
    get, path = "/runs", tag = "runs",
    params(ListQuery),
    responses(
        (status = 200, description = "The runs", body = [RunRecord]),
        (status = 400, description = "A bad limit", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Vec<RunRecord>>, ApiError> {
    let Query(q) = query?;
    let limit = q.limit.unwrap_or(50);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::BadRequest(format!(
            "limit must be 1..={MAX_LIMIT}"
        )));
    }
    Ok(Json(state.engine.runs(limit).await?))
}

fn parse_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::BadRequest(format!("{id} is not a run id")))
}

/// One run.
#[utoipa::path(
    get, path = "/runs/{id}", tag = "runs",
    params(("id" = Uuid, Path, description = "The run's id")),
    responses(
        (status = 200, description = "The run", body = RunRecord),
        (status = 400, description = "Not a run id", body = ErrorBody),
        (status = 404, description = "No such run", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RunRecord>, ApiError> {
    Ok(Json(state.engine.run(parse_id(&id)?).await?))
}

/// Stops a running turn; its run is recorded as cancelled.
#[utoipa::path(
    post, path = "/runs/{id}/cancel", tag = "runs",
    params(("id" = Uuid, Path, description = "The run's id")),
    responses(
        (status = 200, description = "Cancelled: `{\"run_id\", \"cancelled\": true}`", body = Object),
        (status = 400, description = "Not a run id", body = ErrorBody),
        (status = 404, description = "No such run in progress", body = ErrorBody),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = parse_id(&id)?;
    if state.engine.cancel(id) {
        Ok(Json(json!({ "run_id": id, "cancelled": true })))
    } else {
        Err(EngineError::RunNotFound(id).into())
    }
}

/// The body of `PUT /api/v1/runs/{id}/feedback`: `{"rating": "like"}`,
/// `"dislike"`, or `null` to clear it. The field must be there, so a
/// misspelt body never clears a rating by accident.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackBody {
    #[serde(deserialize_with = "nullable")]
    rating: Option<Rating>,
}

fn nullable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Rating>, D::Error> {
    Option::deserialize(d)
}

/// Rates a run: like, dislike, or `null` to take the rating back. Changeable
/// at any time; the run's record shows the current rating.
#[utoipa::path(
    put, path = "/runs/{id}/feedback", tag = "runs",
    params(("id" = Uuid, Path, description = "The run's id")),
    request_body = FeedbackBody,
    responses(
        (status = 204, description = "Stored"),
        (status = 400, description = "Not a run id, or a malformed body", body = ErrorBody),
        (status = 404, description = "No such run", body = ErrorBody),
    )
)]
pub async fn feedback(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<FeedbackBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&id)?;
    let Json(body) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    state.engine.set_feedback(id, body.rating).await?;
    Ok(StatusCode::NO_CONTENT)
}
