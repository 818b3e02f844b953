//! Run history: `GET /api/v1/runs` (a search), `GET /api/v1/runs/stats`,
//! `GET /api/v1/runs/{id}`, `GET /api/v1/runs/{id}/tool-calls`,
//! `POST /api/v1/runs/{id}/cancel` and `PUT /api/v1/runs/{id}/feedback`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use pep::outcome::{Rating, RunStatus};
use pep::runs::RunRecord;
use pep::runs::{RunPage, RunQuery, RunSort, RunStats, SortOrder, ToolCallAudit};
use pep::EngineError;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};
use uuid::Uuid;

use super::document::FilterText;
use super::input::{path_id, JsonObject};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

fn run_id(id: &str) -> Result<Uuid, ApiError> {
    path_id("run", id)
}

/// The filters, order and page of a run search, as query parameters. An
/// unknown parameter is refused (a misspelt filter would otherwise match
/// every run).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RunParams {
    /// A model id of the catalog.
    #[param(inline, value_type = Option<FilterText>)]
    model: Option<String>,
    /// `ok`, `failed`, `cancelled`, `running` or `interrupted`.
    #[param(inline)]
    status: Option<RunStatus>,
    #[param(inline, value_type = Option<FilterText>)]
    session_id: Option<String>,
    conversation_id: Option<Uuid>,
    prompt_id: Option<Uuid>,
    /// With `prompt_id`, that version of it; alone, that version of any
    /// prompt.
    #[param(value_type = Option<u64>, minimum = 1, maximum = 4_294_967_295.0)]
    prompt_version: Option<u32>,
    /// Runs created at or after this RFC 3339 time.
    #[param(format = DateTime)]
    since: Option<String>,
    /// Runs created before this RFC 3339 time.
    #[param(format = DateTime)]
    until: Option<String>,
    /// `created_at` (default), `latency`, `ttft` (runs without one last),
    /// `cost` or `tokens` (input + output).
    #[param(inline)]
    sort: Option<RunSort>,
    /// `desc` (default) or `asc`.
    #[param(inline)]
    order: Option<SortOrder>,
    /// Page size, 1..=500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// Runs to skip (default 0).
    #[param(value_type = Option<u64>, maximum = 4_294_967_295.0)]
    offset: Option<u32>,
}

impl From<RunParams> for RunQuery {
    fn from(p: RunParams) -> Self {
        RunQuery {
            model: p.model,
            status: p.status,
            session_id: p.session_id,
            conversation_id: p.conversation_id,
            prompt_id: p.prompt_id,
            prompt_version: p.prompt_version,
            since: p.since,
            until: p.until,
            sort: p.sort.unwrap_or_default(),
            order: p.order.unwrap_or_default(),
            limit: p.limit,
            offset: p.offset.unwrap_or_default(),
        }
    }
}

/// Searches the runs: filtered, sorted, one page at a time, with how many
/// match in all.
#[utoipa::path(
    get, path = "/runs", tag = "runs",
    params(RunParams),
    responses(
        (status = 200, description = "One page of matching runs", body = RunPage),
        (status = 400, description = "A bad or unknown parameter", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<RunParams>, QueryRejection>,
) -> Result<Json<RunPage>, ApiError> {
    let Query(params) = query?;
    Ok(Json(state.engine.search_runs(&params.into()).await?))
}

/// Figures over every run the filters match (sort and paging are
/// ignored): counts per status, latency and TTFT percentiles, totals, and
/// the newest 2,000 runs, oldest first, to plot over time.
#[utoipa::path(
    get, path = "/runs/stats", tag = "runs",
    params(RunParams),
    responses(
        (status = 200, description = "The figures", body = RunStats),
        (status = 400, description = "A bad or unknown parameter", body = ErrorBody),
    )
)]
pub async fn stats(
    State(state): State<AppState>,
    query: Result<Query<RunParams>, QueryRejection>,
) -> Result<Json<RunStats>, ApiError> {
    let Query(params) = query?;
    Ok(Json(state.engine.run_stats(&params.into()).await?))
}

/// One run, with its tool calls and its current rating.
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
    Ok(Json(state.engine.run(run_id(&id)?).await?))
}

/// The tool calls a run made, in order, each with whether its arguments
/// were a JSON object.
#[utoipa::path(
    get, path = "/runs/{id}/tool-calls", tag = "runs",
    params(("id" = Uuid, Path, description = "The run's id")),
    responses(
        (status = 200, description = "The calls (empty when it made none)", body = [ToolCallAudit]),
        (status = 400, description = "Not a run id", body = ErrorBody),
        (status = 404, description = "No such run", body = ErrorBody),
    )
)]
pub async fn tool_calls(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<ToolCallAudit>>, ApiError> {
    Ok(Json(state.engine.run_tool_calls(run_id(&id)?).await?))
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
    let id = run_id(&id)?;
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
    #[schema(required = true)]
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
        (status = 413, description = "The body is too large", body = ErrorBody),
    )
)]
pub async fn feedback(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<JsonObject<FeedbackBody>, ApiError>,
) -> Result<StatusCode, ApiError> {
    let id = run_id(&id)?;
    let JsonObject(body) = body?;
    state.engine.set_feedback(id, body.rating).await?;
    Ok(StatusCode::NO_CONTENT)
}
