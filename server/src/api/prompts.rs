//! The Prompt Hub under `/api/v1/prompts`: prompts (this file), their
//! versions, labels, rendering, diffs, and import/export (the submodules).
//! Each handler reads its input, makes one `Hub` call and maps the answer;
//! a refused request changes nothing.

mod labels;
mod render;
mod transfer;
mod versions;

pub use transfer::MAX_IMPORT_BYTES;

use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use pep::prompts::{NewPrompt, Prompt, PromptDetail, PromptPatch, PromptQuery};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::api::input::JsonObject;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The largest JSON body a Prompt Hub call takes (a version is at most
/// 512 KiB of JSON; see `pep::prompts::validate`).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The Prompt Hub's routes, documented.
pub fn routes() -> OpenApiRouter<AppState> {
    let hub = OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(versions::list, versions::create))
        .routes(routes!(versions::get))
        .routes(routes!(versions::set_lifecycle))
        .routes(routes!(labels::list))
        .routes(routes!(labels::get, labels::set, labels::delete))
        .routes(routes!(render::render_version))
        .routes(routes!(render::render))
        .routes(routes!(render::diff))
        .routes(routes!(transfer::export))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    let import = OpenApiRouter::new()
        .routes(routes!(transfer::import))
        .layer(DefaultBodyLimit::max(transfer::MAX_IMPORT_BYTES));
    hub.merge(import)
}

/// A prompt id from the path.
fn prompt_id(id: &str) -> Result<Uuid, ApiError> {
    super::input::path_id("prompt", id)
}

/// A version number from the path: 1, 2, ...
fn version_number(version: &str) -> Result<u32, ApiError> {
    version
        .parse::<u32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::BadRequest(format!("{version} is not a version number")))
}

/// The query of `GET /prompts`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Text to find in the name, description or tags (any case).
    q: Option<String>,
    /// Comma-separated tags the prompts must all have.
    tags: Option<String>,
    /// At most this many (1..=500; default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// Lists the prompts, most recently changed first; with `q` and `tags`,
/// only those that match.
#[utoipa::path(
    get, path = "/prompts", tag = "prompts",
    params(ListParams),
    responses(
        (status = 200, description = "The prompts", body = [Prompt]),
        (status = 400, description = "A malformed or unknown parameter, or a limit out of range", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<Vec<Prompt>>, ApiError> {
    let Query(params) = query?;
    let query = PromptQuery {
        text: params.q.unwrap_or_default(),
        tags: params
            .tags
            .map(|t| {
                t.split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        limit: params.limit,
    };
    Ok(Json(state.engine.prompts().list(&query).await?))
}

/// Creates a prompt, with its version 1 when `version` is given.
#[utoipa::path(
    post, path = "/prompts", tag = "prompts",
    request_body = NewPrompt,
    responses(
        (status = 201, description = "The new prompt", body = PromptDetail),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 422, description = "A rule is broken (blank name, bad tag, ...)", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    JsonObject(new): JsonObject<NewPrompt>,
) -> Result<(StatusCode, Json<PromptDetail>), ApiError> {
    let detail = state.engine.prompts().create(new).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

/// A prompt with all its versions and labels.
#[utoipa::path(
    get, path = "/prompts/{id}", tag = "prompts",
    params(("id" = Uuid, Path, description = "The prompt's id")),
    responses(
        (status = 200, description = "The prompt", body = PromptDetail),
        (status = 400, description = "Not an id", body = ErrorBody),
        (status = 404, description = "No such prompt", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PromptDetail>, ApiError> {
    Ok(Json(state.engine.prompts().get(prompt_id(&id)?).await?))
}

/// Renames a prompt or changes its description or tags; absent fields
/// stay as they are.
#[utoipa::path(
    patch, path = "/prompts/{id}", tag = "prompts",
    params(("id" = Uuid, Path, description = "The prompt's id")),
    request_body = PromptPatch,
    responses(
        (status = 200, description = "The prompt as changed", body = Prompt),
        (status = 400, description = "Malformed JSON or not an id", body = ErrorBody),
        (status = 404, description = "No such prompt", body = ErrorBody),
        (status = 409, description = "The new name is taken", body = ErrorBody),
        (status = 422, description = "A rule is broken", body = ErrorBody),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonObject(patch): JsonObject<PromptPatch>,
) -> Result<Json<Prompt>, ApiError> {
    let id = prompt_id(&id)?;
    Ok(Json(state.engine.prompts().update(id, patch).await?))
}

/// Deletes a prompt. Its name is free again; its data stays in the
/// database.
#[utoipa::path(
    delete, path = "/prompts/{id}", tag = "prompts",
    params(("id" = Uuid, Path, description = "The prompt's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Not an id", body = ErrorBody),
        (status = 404, description = "No such prompt", body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.engine.prompts().delete(prompt_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
