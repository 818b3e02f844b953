//! The OpenAPI 3.1 document of `/api/v1`, served at [`OPENAPI_PATH`], and
//! the interactive documentation at `/docs` (Swagger UI, whose files are
//! compiled into the binary: the docs work without any network).

use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::state::AppState;

/// Where the document is served.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";
/// Where the interactive documentation is served.
pub const DOCS_PATH: &str = "/docs";

/// The document's frame: title, version, tags. The paths and schemas come
/// from the routes (`super::v1`).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "PEP API",
        description = "The REST API of PEP, the Prompt Engineering Playground: chat with \
                       the catalog's models, search the run history, reopen stored conversations, and keep prompts in the \
                       Prompt Hub. Errors are JSON: `{\"error\": {\"kind\", \"message\"}}`."
    ),
    tags(
        (name = "chat", description = "One chat turn, streamed or whole"),
        (name = "runs", description = "The record of every chat turn: search, figures, tool calls"),
        (name = "conversations", description = "Stored conversations: list, reopen, rename, delete"),
        (name = "models", description = "The model catalog"),
        (name = "tools", description = "The tools the server can run for a model"),
        (name = "prompts", description = "The Prompt Hub: prompts, versions, labels, rendering"),
    )
)]
pub struct ApiDoc;

/// `/api/v1` with its document, and the routes that serve the document and
/// the docs.
pub fn documented() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let (api, doc) = OpenApiRouter::with_openapi(doc)
        .nest("/api/v1", super::v1())
        .split_for_parts();
    let docs = SwaggerUi::new(DOCS_PATH).url(OPENAPI_PATH, doc.clone());
    (api.merge(docs), doc)
}
