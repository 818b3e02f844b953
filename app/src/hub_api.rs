//! Server functions of the Prompt Hub, for the UI. Each is one call to the
//! engine's `Hub`, the same call the REST API (`/api/v1/prompts`) makes.
//! Inputs travel as JSON: versions hold nested values that a form encoding
//! would not carry.

use std::collections::BTreeMap;

use leptos::prelude::*;
use pep::prompts::{
    Label, Lifecycle, NewPrompt, Prompt, PromptDetail, PromptPatch, PromptQuery, PromptVersion,
    RenderRequest, RenderedPrompt, VersionContent, VersionDiff,
};
use server_fn::codec::Json;
use uuid::Uuid;

// The Hub's refusals ("no prompt ...", "a prompt named ... already
// exists") are written for people: the UI shows them as they are.
#[cfg(feature = "ssr")]
use crate::on_server::{hub, refused};

/// Prompts matching `query` (text in name, description or tags; all of the
/// tags), most recently changed first.
#[server(prefix = "/_sfn", endpoint = "prompts/list", input = Json)]
pub async fn list_prompts(query: PromptQuery) -> Result<Vec<Prompt>, ServerFnError> {
    hub()?.list(&query).await.map_err(refused)
}

/// A prompt with all its versions and labels.
#[server(prefix = "/_sfn", endpoint = "prompts/get", input = Json)]
pub async fn get_prompt(id: Uuid) -> Result<PromptDetail, ServerFnError> {
    hub()?.get(id).await.map_err(refused)
}

/// Creates a prompt (with its version 1 when `new.version` is given).
#[server(prefix = "/_sfn", endpoint = "prompts/create", input = Json)]
pub async fn create_prompt(new: NewPrompt) -> Result<PromptDetail, ServerFnError> {
    hub()?.create(new).await.map_err(refused)
}

/// Renames a prompt or changes its description or tags.
#[server(prefix = "/_sfn", endpoint = "prompts/update", input = Json)]
pub async fn update_prompt(id: Uuid, patch: PromptPatch) -> Result<Prompt, ServerFnError> {
    hub()?.update(id, patch).await.map_err(refused)
}

/// Deletes a prompt.
#[server(prefix = "/_sfn", endpoint = "prompts/delete", input = Json)]
pub async fn delete_prompt(id: Uuid) -> Result<(), ServerFnError> {
    hub()?.delete(id).await.map_err(refused)
}

/// Saves `content` as the prompt's next version (a draft).
#[server(prefix = "/_sfn", endpoint = "prompts/save_version", input = Json)]
pub async fn save_version(
    id: Uuid,
    content: VersionContent,
) -> Result<PromptVersion, ServerFnError> {
    hub()?.save_version(id, content).await.map_err(refused)
}

/// Moves a version to another lifecycle state (see [`Lifecycle`]).
#[server(prefix = "/_sfn", endpoint = "prompts/set_lifecycle", input = Json)]
pub async fn set_lifecycle(
    id: Uuid,
    version: u32,
    lifecycle: Lifecycle,
) -> Result<PromptVersion, ServerFnError> {
    hub()?
        .set_lifecycle(id, version, lifecycle)
        .await
        .map_err(refused)
}

/// Points `label` at `version`, creating or moving it.
#[server(prefix = "/_sfn", endpoint = "prompts/set_label", input = Json)]
pub async fn set_label(id: Uuid, label: String, version: u32) -> Result<Label, ServerFnError> {
    hub()?.set_label(id, &label, version).await.map_err(refused)
}

/// Removes a label.
#[server(prefix = "/_sfn", endpoint = "prompts/delete_label", input = Json)]
pub async fn delete_label(id: Uuid, label: String) -> Result<(), ServerFnError> {
    hub()?.delete_label(id, &label).await.map_err(refused)
}

/// Renders templates that are not saved (the editor's live check).
#[server(prefix = "/_sfn", endpoint = "prompts/render", input = Json)]
pub async fn render_prompt(request: RenderRequest) -> Result<RenderedPrompt, ServerFnError> {
    hub()?.render(&request).map_err(refused)
}

/// Renders a saved version with `variables` over its defaults.
#[server(prefix = "/_sfn", endpoint = "prompts/render_version", input = Json)]
pub async fn render_version(
    id: Uuid,
    version: u32,
    variables: BTreeMap<String, serde_json::Value>,
) -> Result<RenderedPrompt, ServerFnError> {
    hub()?
        .render_version(id, version, variables)
        .await
        .map_err(refused)
}

/// What changed from version `from` to version `to`.
#[server(prefix = "/_sfn", endpoint = "prompts/diff", input = Json)]
pub async fn diff_versions(id: Uuid, from: u32, to: u32) -> Result<VersionDiff, ServerFnError> {
    hub()?.diff(id, from, to).await.map_err(refused)
}
