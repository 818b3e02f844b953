//! The Prompt Hub's changes as Leptos actions: saves from the editor,
//! changes from the versions panel, deletions from the list. They belong
//! to the page, so the list and the open prompt are resources keyed on
//! [`HubActions::done`] (the changes that landed), and every button is disabled while its action
//! runs, with no pending flags or reload counters kept by hand.

use leptos::prelude::*;
use pep::prompts::{Lifecycle, NewPrompt, Prompt, PromptPatch, VersionContent};
use uuid::Uuid;

use super::error_text;
use crate::action_outcome::landed;
use crate::hub_api::{
    create_prompt, delete_label, delete_prompt, save_version, set_label, set_lifecycle,
    update_prompt,
};

/// A save from the editor.
#[derive(Debug, Clone)]
pub enum Save {
    /// A new prompt with its version 1.
    Create(NewPrompt),
    /// The next version of a saved prompt, its changed details first.
    Version {
        id: Uuid,
        details: Option<PromptPatch>,
        content: VersionContent,
    },
    /// Only the details: name, description, tags.
    Details { id: Uuid, patch: PromptPatch },
}

/// What a save did.
#[derive(Debug, Clone)]
pub struct Saved {
    /// The saved prompt the save was for; `None` for a new one.
    pub prompt: Option<Uuid>,
    /// The prompt as stored once its details were written: kept even when
    /// the version after them was refused, so the editor knows they are.
    pub details: Option<Prompt>,
    pub result: Result<Made, String>,
}

/// What a successful save made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Made {
    Created(Uuid),
    Version(u32),
    Details,
}

/// A change to a saved prompt's versions or labels.
#[derive(Debug, Clone)]
pub enum Change {
    Lifecycle { version: u32, to: Lifecycle },
    Label { name: String, version: u32 },
    Unlabel { name: String },
}

/// The outcome of a [`Change`] or a deletion, with the prompt it was for.
#[derive(Debug, Clone)]
pub struct Done {
    pub prompt: Uuid,
    pub result: Result<(), String>,
}

/// The page's actions. `Copy`: handed to each part of the page.
#[derive(Clone, Copy)]
pub struct HubActions {
    pub save: Action<Save, Saved>,
    pub change: Action<(Uuid, Change), Done>,
    pub delete: Action<Uuid, Done>,
    /// The outcomes of all three that changed something.
    landed: [Memo<usize>; 3],
}

impl HubActions {
    pub fn new() -> Self {
        let save = Action::new(|request: &Save| save(request.clone()));
        let change = Action::new(|(id, change): &(Uuid, Change)| apply(*id, change.clone()));
        let delete = Action::new(|id: &Uuid| {
            let id = *id;
            async move {
                Done {
                    prompt: id,
                    result: delete_prompt(id).await.map_err(error_text),
                }
            }
        });
        Self {
            save,
            change,
            delete,
            landed: [
                // A refused version after saved details still changed them.
                landed(save, |s: &Saved| s.result.is_ok() || s.details.is_some()),
                landed(change, |d: &Done| d.result.is_ok()),
                landed(delete, |d: &Done| d.result.is_ok()),
            ],
        }
    }

    /// How many changes have landed, tracked: what shows prompts reloads
    /// when it moves (a refusal changed nothing, so nothing reloads).
    pub fn done(self) -> usize {
        self.landed.iter().map(|m| m.get()).sum()
    }
}

async fn save(request: Save) -> Saved {
    match request {
        Save::Create(new) => Saved {
            prompt: None,
            details: None,
            result: create_prompt(new)
                .await
                .map(|detail| Made::Created(detail.prompt.id))
                .map_err(error_text),
        },
        Save::Details { id, patch } => match update_prompt(id, patch).await {
            Ok(prompt) => Saved {
                prompt: Some(id),
                details: Some(prompt),
                result: Ok(Made::Details),
            },
            Err(e) => Saved {
                prompt: Some(id),
                details: None,
                result: Err(error_text(e)),
            },
        },
        Save::Version {
            id,
            details,
            content,
        } => {
            let details = match details {
                None => None,
                Some(patch) => match update_prompt(id, patch).await {
                    Ok(prompt) => Some(prompt),
                    Err(e) => {
                        return Saved {
                            prompt: Some(id),
                            details: None,
                            result: Err(error_text(e)),
                        }
                    }
                },
            };
            Saved {
                prompt: Some(id),
                details,
                result: save_version(id, content)
                    .await
                    .map(|v| Made::Version(v.version))
                    .map_err(error_text),
            }
        }
    }
}

async fn apply(id: Uuid, change: Change) -> Done {
    let result = match change {
        Change::Lifecycle { version, to } => set_lifecycle(id, version, to).await.map(drop),
        Change::Label { name, version } => set_label(id, name, version).await.map(drop),
        Change::Unlabel { name } => delete_label(id, name).await,
    };
    Done {
        prompt: id,
        result: result.map_err(error_text),
    }
}
