//! `/api/v1/prompts/{id}/labels`: movable names for versions.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use pep::prompts::document::LabelName;
use pep::prompts::{Label, PromptVersion};
use serde::Deserialize;

use super::prompt_id;
use crate::api::input::JsonObject;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The body of setting a label.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabelTarget {
    /// The version the label is to name.
    #[schema(minimum = 1)]
    #[serde(deserialize_with = "pep::strict::whole")]
    pub version: u32,
}

/// The prompt's labels, by name.
#[utoipa::path(
    get, path = "/prompts/{id}/labels", tag = "prompts",
    params(("id" = Uuid, Path, description = "The prompt's id")),
    responses(
        (status = 200, description = "The labels", body = [Label]),
        (status = 400, description = "Not an id", body = ErrorBody),
        (status = 404, description = "No such prompt", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<Label>>, ApiError> {
    Ok(Json(state.engine.prompts().labels(prompt_id(&id)?).await?))
}

/// The version a label names: how a caller asks for "production".
#[utoipa::path(
    get, path = "/prompts/{id}/labels/{label}", tag = "prompts",
    params(
        ("id" = Uuid, Path, description = "The prompt's id"),
        ("label" = inline(LabelName), Path, description = "The label, e.g. production"),
    ),
    responses(
        (status = 200, description = "The labelled version", body = PromptVersion),
        (status = 400, description = "Not an id", body = ErrorBody),
        (status = 404, description = "No such prompt or label", body = ErrorBody),
        (status = 422, description = "Not a label name", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Path((id, label)): Path<(String, String)>,
) -> Result<Json<PromptVersion>, ApiError> {
    let id = prompt_id(&id)?;
    Ok(Json(state.engine.prompts().labelled(id, &label).await?))
}

/// Points a label at a version: creates it, or moves it.
#[utoipa::path(
    put, path = "/prompts/{id}/labels/{label}", tag = "prompts",
    params(
        ("id" = Uuid, Path, description = "The prompt's id"),
        ("label" = inline(LabelName), Path, description = "The label, e.g. production"),
    ),
    request_body = LabelTarget,
    responses(
        (status = 200, description = "The label", body = Label),
        (status = 400, description = "Malformed JSON or not an id", body = ErrorBody),
        (status = 404, description = "No such prompt or version", body = ErrorBody),
        (status = 409, description = "The version is archived", body = ErrorBody),
        (status = 422, description = "Not a label name", body = ErrorBody),
    )
)]
pub async fn set(
    State(state): State<AppState>,
    Path((id, label)): Path<(String, String)>,
    JsonObject(target): JsonObject<LabelTarget>,
) -> Result<Json<Label>, ApiError> {
    let id = prompt_id(&id)?;
    let hub = state.engine.prompts();
    Ok(Json(hub.set_label(id, &label, target.version).await?))
}

/// Removes a label.
#[utoipa::path(
    delete, path = "/prompts/{id}/labels/{label}", tag = "prompts",
    params(
        ("id" = Uuid, Path, description = "The prompt's id"),
        ("label" = inline(LabelName), Path, description = "The label, e.g. production"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "Not an id", body = ErrorBody),
        (status = 404, description = "No such prompt or label", body = ErrorBody),
        (status = 422, description = "Not a label name", body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    Path((id, label)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = prompt_id(&id)?;
    state.engine.prompts().delete_label(id, &label).await?;
    Ok(StatusCode::NO_CONTENT)
}
