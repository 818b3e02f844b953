//! Export and import of prompts with all their versions and labels, as
//! YAML (the default) or JSON.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use pep::prompts::transfer::{self, Format, OnConflict};
use pep::prompts::{Bundle, ImportReport};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The largest import body.
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;

/// What to export, and how.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    /// `yaml` (default) or `json`.
    #[param(inline)]
    format: Option<Format>,
    /// Comma-separated prompt ids; all prompts when absent.
    ids: Option<String>,
}

/// Exports prompts with all their versions and labels, as a file to keep
/// or to import elsewhere.
#[utoipa::path(
    get, path = "/prompts/export", tag = "prompts",
    params(ExportParams),
    responses(
        (status = 200, description = "The bundle",
         content((Bundle = "application/yaml"), (Bundle = "application/json"))),
        (status = 400, description = "A malformed query or id", body = ErrorBody),
        (status = 404, description = "No such prompt", body = ErrorBody),
    )
)]
pub async fn export(
    State(state): State<AppState>,
    query: Result<Query<ExportParams>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Query(params) = query?;
    let format = params.format.unwrap_or_default();
    let ids = params
        .ids
        .iter()
        .flat_map(|ids| ids.split(','))
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(|id| {
            Uuid::parse_str(id)
                .map_err(|_| ApiError::BadRequest(format!("{id} is not a prompt id")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let bundle = state.engine.prompts().export(&ids).await?;
    let text = transfer::write(&bundle, format)?;
    let file = match format {
        Format::Yaml => "attachment; filename=\"prompts.yaml\"",
        Format::Json => "attachment; filename=\"prompts.json\"",
    };
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type()),
            (header::CONTENT_DISPOSITION, file),
        ],
        text,
    ))
}

/// How to import.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// `fail` (default): a name in use fails the whole import; `skip`:
    /// prompts whose name is in use are left out.
    #[param(inline)]
    on_conflict: Option<OnConflict>,
}

/// Imports a bundle (as exported): all its prompts or, on any error, none.
/// `Content-Type: application/json` for JSON, YAML otherwise.
#[utoipa::path(
    post, path = "/prompts/import", tag = "prompts",
    params(ImportParams),
    request_body(
        description = "A bundle as exported",
        content((Bundle = "application/yaml"), (Bundle = "application/json"))
    ),
    responses(
        (status = 200, description = "What was imported", body = ImportReport),
        (status = 400, description = "Not a bundle", body = ErrorBody),
        (status = 409, description = "A name is in use", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 422, description = "A prompt breaks a rule", body = ErrorBody),
    )
)]
pub async fn import(
    State(state): State<AppState>,
    query: Result<Query<ImportParams>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<axum::Json<ImportReport>, ApiError> {
    let Query(params) = query?;
    let body = body?;
    let format = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map_or(Format::Yaml, Format::of_content_type);
    let hub = state.engine.prompts();
    let on_conflict = params.on_conflict.unwrap_or_default();
    Ok(axum::Json(
        hub.import_text(&body, format, on_conflict).await?,
    ))
}
