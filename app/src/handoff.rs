//! Handing work from another page to the playground: the Prompt Hub's
//! "Open in playground", "Paste rendered prompt to chat" and "Paste examples
//! to context" write a [`PlaygroundHandoff`] to the tab's `sessionStorage`
//! and go to `/`; the playground takes it once on load.
//!
//! `sessionStorage` rather than the URL: a rendered prompt can be far longer
//! than a URL may be, and it stays in this tab only. Taking the handoff
//! removes it, so a reload of the playground does not paste it again.
//!
//! How the playground applies it (the contract both sides keep):
//! - `model: Some(..)` selects that model and sets `params` as the
//!   playground's parameters; with `model: None` the playground keeps its
//!   model and parameters and ignores `params`.
//! - with `prompt: None` (a "paste"), a non-empty `system`, `context` or
//!   `message` replaces that field and an empty one leaves it as it is.
//! - with `whole` (a run opened from the runs page) every field is
//!   replaced, a new conversation starts, and `history` (the run's earlier
//!   turns; its last user message is in `message`) is shown.
//! - with `prompt: Some((id, version))` ("Open in playground"), the handoff
//!   is that saved version's whole setup: every field is replaced, empty
//!   ones cleared, and the playground may note the prompt and version on
//!   the runs it makes from it.

use pep::chat::{GenerationParams, Message};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The `sessionStorage` key the handoff is kept under.
pub const HANDOFF_KEY: &str = "pep.handoff";

/// What the playground is to be filled with (see the module's doc for how
/// each field is applied).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlaygroundHandoff {
    /// A catalog model id; `None` keeps the playground's model and params.
    pub model: Option<String>,
    /// Applied only together with `model`.
    pub params: GenerationParams,
    /// The system prompt.
    pub system: String,
    /// Material for the model (the playground fences it off as context).
    pub context: String,
    /// The message in the composer, not yet sent.
    pub message: String,
    /// The prompt id and version number a whole setup comes from.
    pub prompt: Option<(Uuid, u32)>,
    /// Replace every field, clearing empty ones, and start a new
    /// conversation (a stored run opened again). A saved version (`prompt`)
    /// always replaces every field.
    pub whole: bool,
    /// Earlier turns to show before the composer (a stored run opened from
    /// the runs page); each later turn is sent with them.
    pub history: Vec<Message>,
}

impl PlaygroundHandoff {
    /// The stored form (JSON).
    pub fn encode(&self) -> Result<String, String> {
        serde_json::to_string(self).map_err(|e| format!("could not encode the handoff: {e}"))
    }

    /// Reads the stored form; `None` for anything that is not one (an old
    /// or foreign value under the key is ignored, not an error to show).
    pub fn decode(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

/// Keeps `handoff` for the playground. Fails with a message for the user
/// when the browser refuses storage (private mode, quota).
pub fn store_handoff(handoff: &PlaygroundHandoff) -> Result<(), String> {
    let text = handoff.encode()?;
    #[cfg(feature = "hydrate")]
    {
        let storage = session_storage()?;
        storage
            .set_item(HANDOFF_KEY, &text)
            .map_err(|_| "the browser refused to keep the prompt for the playground".to_owned())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = text;
        Err("the playground handoff needs the browser".to_owned())
    }
}

/// Takes the handoff left for the playground, if any, removing it.
pub fn take_handoff() -> Option<PlaygroundHandoff> {
    #[cfg(feature = "hydrate")]
    {
        let storage = session_storage().ok()?;
        let text = storage.get_item(HANDOFF_KEY).ok().flatten()?;
        let _ = storage.remove_item(HANDOFF_KEY);
        PlaygroundHandoff::decode(&text)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

#[cfg(feature = "hydrate")]
fn session_storage() -> Result<web_sys::Storage, String> {
    leptos::prelude::window()
        .session_storage()
        .ok()
        .flatten()
        .ok_or_else(|| "this browser gives the page no session storage".to_owned())
}

/// Worked examples as text for the playground's context field:
/// "Example 1\nInput: …\nOutput: …", separated by blank lines.
pub fn examples_as_context<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .enumerate()
        .map(|(i, (input, output))| {
            format!(
                "Example {}\nInput: {}\nOutput: {}",
                i + 1,
                input.trim(),
                output.trim()
            )
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_numbered_and_separated() {
        let text = examples_as_context([("2+2", "4"), (" hi ", "hello\n")]);
        assert_eq!(
            text,
            "Example 1\nInput: 2+2\nOutput: 4\n\nExample 2\nInput: hi\nOutput: hello"
        );
        assert_eq!(examples_as_context([]), "");
    }

    #[test]
    fn a_handoff_survives_storage_and_foreign_values_are_ignored() {
        let handoff = PlaygroundHandoff {
            model: Some("local/x".into()),
            params: GenerationParams {
                temperature: Some(0.5),
                ..GenerationParams::default()
            },
            system: "sys".into(),
            context: String::new(),
            message: "hi".into(),
            prompt: Some((Uuid::nil(), 3)),
            whole: true,
            history: vec![Message::new(pep::chat::Role::User, "earlier")],
        };
        let text = handoff.encode().unwrap_or_default();
        assert_eq!(PlaygroundHandoff::decode(&text), Some(handoff));
        assert_eq!(PlaygroundHandoff::decode("not json"), None);
        assert_eq!(
            PlaygroundHandoff::decode("{}"),
            Some(PlaygroundHandoff::default())
        );
    }
}
