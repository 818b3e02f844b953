//! Rendering (a saved version, or a template not yet saved) and diffs
//! between versions. Rendering reports every problem as an issue in a 200
//! answer: a template with an undefined variable is a normal state while
//! editing, not a failed request.

use std::collections::BTreeMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use pep::prompts::{RenderRequest, RenderedPrompt, VersionDiff};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{prompt_id, version_number};
use crate::api::input::JsonObject;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The values to render a saved version with.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RenderValues {
    /// Variable name → value; the version's defaults fill the rest.
    #[schema(value_type = Object)]
    pub variables: BTreeMap<String, serde_json::Value>,
}

/// Renders a saved version with the given values.
#[utoipa::path(
    post, path = "/prompts/{id}/versions/{version}/render", tag = "prompts",
    params(
        ("id" = Uuid, Path, description = "The prompt's id"),
        ("version" = u32, Path, description = "The version number", minimum = 1),
    ),
    request_body = RenderValues,
    responses(
        (status = 200, description = "The messages, or the issues that stop them", body = RenderedPrompt),
        (status = 400, description = "Malformed JSON, not an id or a number", body = ErrorBody),
        (status = 404, description = "No such prompt or version", body = ErrorBody),
    )
)]
pub async fn render_version(
    State(state): State<AppState>,
    Path((id, version)): Path<(String, String)>,
    JsonObject(values): JsonObject<RenderValues>,
) -> Result<Json<RenderedPrompt>, ApiError> {
    let (id, version) = (prompt_id(&id)?, version_number(&version)?);
    let hub = state.engine.prompts();
    Ok(Json(
        hub.render_version(id, version, values.variables).await?,
    ))
}

/// Renders templates that are not saved: checks a draft as it is typed.
#[utoipa::path(
    post, path = "/prompts/render", tag = "prompts",
    request_body = RenderRequest,
    responses(
        (status = 200, description = "The messages, or the issues that stop them", body = RenderedPrompt),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 422, description = "An empty or oversize template", body = ErrorBody),
    )
)]
pub async fn render(
    State(state): State<AppState>,
    JsonObject(request): JsonObject<RenderRequest>,
) -> Result<Json<RenderedPrompt>, ApiError> {
    Ok(Json(state.engine.prompts().render(&request)?))
}

/// The versions to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DiffParams {
    /// The older version's number.
    #[param(minimum = 1)]
    from: u32,
    /// The newer version's number.
    #[param(minimum = 1)]
    to: u32,
}

/// What changed between two versions: unified diffs of the templates and
/// the settings that differ.
#[utoipa::path(
    get, path = "/prompts/{id}/diff", tag = "prompts",
    params(("id" = Uuid, Path, description = "The prompt's id"), DiffParams),
    responses(
        (status = 200, description = "The changes", body = VersionDiff),
        (status = 400, description = "Not an id, or a missing version number", body = ErrorBody),
        (status = 404, description = "No such prompt or version", body = ErrorBody),
    )
)]
pub async fn diff(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<DiffParams>, QueryRejection>,
) -> Result<Json<VersionDiff>, ApiError> {
    let id = prompt_id(&id)?;
    let Query(q) = query?;
    Ok(Json(state.engine.prompts().diff(id, q.from, q.to).await?))
}
