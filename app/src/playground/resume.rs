//! Reopening a stored conversation: its messages, and the setup (model,
//! parameters, system prompt) of its last run, so it continues as it was.

use pep::chat::{GenerationParams, Role};
use pep::conversations::ConversationMessage;
use pep::outcome::PromptRef;
use uuid::Uuid;

use crate::history_api::{get_conversation, get_run};
use crate::hub::error_text;

/// A conversation ready to be shown and continued.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    /// The messages to show (the system message is a field, not a message).
    pub messages: Vec<ConversationMessage>,
    /// The stored system message (system prompt and context together).
    pub system: Option<String>,
    /// The model and parameters of the last run, when it can be read.
    pub setup: Option<(String, GenerationParams)>,
    pub prompt: Option<PromptRef>,
}

/// Loads conversation `id`; the error is a sentence for the page.
pub async fn load(id: Uuid) -> Result<Opened, String> {
    let conversation = get_conversation(id)
        .await
        .map_err(|e| format!("Could not open the conversation: {}", error_text(e)))?;
    // A conversation whose last run cannot be read still opens, with the
    // playground's current setup.
    let run = match conversation.last_run_id {
        Some(run_id) => get_run(run_id).await.ok(),
        None => None,
    };
    let (system, messages): (Vec<_>, Vec<_>) = conversation
        .messages
        .into_iter()
        .partition(|m| m.message.role == Role::System);
    Ok(Opened {
        messages,
        system: system.into_iter().next().map(|m| m.message.content),
        setup: run.as_ref().map(|r| (r.model.clone(), r.params.clone())),
        prompt: run.and_then(|r| r.prompt),
    })
}
