//! `/api/v1/prompts/{id}/versions`: saving and reading versions, and
//! moving them through their lifecycle.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use pep::prompts::{Lifecycle, PromptVersion, VersionContent};
use serde::Deserialize;

use super::{prompt_id, version_number};
use crate::api::input::JsonObject;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The body of a lifecycle change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleChange {
    pub lifecycle: Lifecycle,
}

/// Every version of a prompt, oldest first.
#[utoipa::path(
    get, path = "/prompts/{id}/versions", tag = "prompts",
    params(("id" = Uuid, Path, description = "The prompt's id")),
    responses(
        (status = 200, description = "The versions", body = [PromptVersion]),
        (status = 400, description = "Not an id", body = ErrorBody),
        (status = 404, description = "No such prompt", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<PromptVersion>>, ApiError> {
    Ok(Json(
        state.engine.prompts().versions(prompt_id(&id)?).await?,
    ))
}

/// Saves a new version (the next number, a draft).
#[utoipa::path(
    post, path = "/prompts/{id}/versions", tag = "prompts",
    params(("id" = Uuid, Path, description = "The prompt's id")),
    request_body = VersionContent,
    responses(
        (status = 201, description = "The new version", body = PromptVersion),
        (status = 400, description = "Malformed JSON or not an id", body = ErrorBody),
        (status = 404, description = "No such prompt", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 422, description = "A rule is broken (empty template, too large)", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonObject(content): JsonObject<VersionContent>,
) -> Result<(StatusCode, Json<PromptVersion>), ApiError> {
    let id = prompt_id(&id)?;
    let version = state.engine.prompts().save_version(id, content).await?;
    Ok((StatusCode::CREATED, Json(version)))
}

/// One version of a prompt.
#[utoipa::path(
    get, path = "/prompts/{id}/versions/{version}", tag = "prompts",
    params(
        ("id" = Uuid, Path, description = "The prompt's id"),
        ("version" = u32, Path, description = "The version number", minimum = 1),
    ),
    responses(
        (status = 200, description = "The version", body = PromptVersion),
        (status = 400, description = "Not an id or a number", body = ErrorBody),
        (status = 404, description = "No such prompt or version", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Path((id, version)): Path<(String, String)>,
) -> Result<Json<PromptVersion>, ApiError> {
    let (id, version) = (prompt_id(&id)?, version_number(&version)?);
    Ok(Json(state.engine.prompts().version(id, version).await?))
}

/// Moves a version to another lifecycle state: draft → published →
/// archived, and archived → published; nothing returns to draft, and a
/// labelled version cannot be archived.
#[utoipa::path(
    put, path = "/prompts/{id}/versions/{version}/lifecycle", tag = "prompts",
    params(
        ("id" = Uuid, Path, description = "The prompt's id"),
        ("version" = u32, Path, description = "The version number", minimum = 1),
    ),
    request_body = LifecycleChange,
    responses(
        (status = 200, description = "The version as changed", body = PromptVersion),
        (status = 400, description = "Malformed JSON, not an id or a number", body = ErrorBody),
        (status = 404, description = "No such prompt or version", body = ErrorBody),
        (status = 409, description = "The move is not allowed", body = ErrorBody),
    )
)]
pub async fn set_lifecycle(
    State(state): State<AppState>,
    Path((id, version)): Path<(String, String)>,
    JsonObject(change): JsonObject<LifecycleChange>,
) -> Result<Json<PromptVersion>, ApiError> {
    let (id, version) = (prompt_id(&id)?, version_number(&version)?);
    let hub = state.engine.prompts();
    Ok(Json(
        hub.set_lifecycle(id, version, change.lifecycle).await?,
    ))
}
