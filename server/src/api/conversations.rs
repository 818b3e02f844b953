//! Stored conversations: `GET /api/v1/conversations` (list and search),
//! `GET`, `PATCH` (rename) and `DELETE /api/v1/conversations/{id}`.
//! Conversations are written by chat turns that name them
//! (`conversation_id` of `POST /api/v1/chat`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use pep::conversations::{Conversation, ConversationSummary};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::document::{SearchText, Title};
use super::input::{path_id, JsonObject};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// The largest body a conversation call takes: a title is at most 200
/// characters.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The conversations' routes, documented.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get, rename, delete))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

fn conversation_id(id: &str) -> Result<Uuid, ApiError> {
    path_id("conversation", id)
}

/// The query of `GET /conversations`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Text to find in the title (any case).
    #[param(inline, value_type = Option<SearchText>)]
    q: Option<String>,
    /// At most this many (1..=500; default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// How many to skip (default 0).
    #[param(value_type = Option<u64>, maximum = 4_294_967_295.0)]
    offset: Option<u32>,
}

/// Lists the conversations, most recently updated first; with `q`, those
/// whose title contains it. Deleted ones are never listed.
#[utoipa::path(
    get, path = "/conversations", tag = "conversations",
    params(ListParams),
    responses(
        (status = 200, description = "The conversations", body = [ConversationSummary]),
        (status = 400, description = "A bad or unknown parameter", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<Vec<ConversationSummary>>, ApiError> {
    let Query(p) = query?;
    let text = p.q.unwrap_or_default();
    Ok(Json(
        state
            .engine
            .conversations(&text, p.limit, p.offset.unwrap_or_default())
            .await?,
    ))
}

/// A conversation with its messages (each reply with its run and rating)
/// and its last run, to reopen and continue it.
#[utoipa::path(
    get, path = "/conversations/{id}", tag = "conversations",
    params(("id" = Uuid, Path, description = "The conversation's id")),
    responses(
        (status = 200, description = "The conversation", body = Conversation),
        (status = 400, description = "Not a conversation id", body = ErrorBody),
        (status = 404, description = "No such conversation (or deleted)", body = ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Conversation>, ApiError> {
    Ok(Json(
        state.engine.conversation(conversation_id(&id)?).await?,
    ))
}

/// The body of `PATCH /conversations/{id}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameBody {
    /// Later turns keep it.
    #[schema(value_type = Title)]
    title: String,
}

/// Renames a conversation.
#[utoipa::path(
    patch, path = "/conversations/{id}", tag = "conversations",
    params(("id" = Uuid, Path, description = "The conversation's id")),
    request_body = RenameBody,
    responses(
        (status = 200, description = "The conversation as renamed", body = ConversationSummary),
        (status = 400, description = "Malformed JSON, an unknown field or not an id", body = ErrorBody),
        (status = 404, description = "No such conversation (or deleted)", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 422, description = "An empty or too long title", body = ErrorBody),
    )
)]
pub async fn rename(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<JsonObject<RenameBody>, ApiError>,
) -> Result<Json<ConversationSummary>, ApiError> {
    let id = conversation_id(&id)?;
    let JsonObject(body) = body?;
    Ok(Json(
        state.engine.rename_conversation(id, &body.title).await?,
    ))
}

/// Deletes a conversation: it is no longer listed, read or continued (a
/// turn naming it is refused with 409). Its runs stay in the history.
#[utoipa::path(
    delete, path = "/conversations/{id}", tag = "conversations",
    params(("id" = Uuid, Path, description = "The conversation's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Not a conversation id", body = ErrorBody),
        (status = 404, description = "No such conversation (or already deleted)", body = ErrorBody),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .engine
        .delete_conversation(conversation_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
