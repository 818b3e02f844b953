//! Why a Prompt Hub call was refused: its input broke a rule, or what it
//! names is not there or not in a state that allows it. The store reports
//! the latter from inside its transactions; the engine's `HubError` adds
//! the failures (a database down) and the edges map each kind once.

use uuid::Uuid;

use super::Lifecycle;

/// A refused Prompt Hub call. Every refusal leaves the store as it was.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error("no prompt {0}")]
    PromptNotFound(Uuid),
    #[error("prompt {prompt} has no version {version}")]
    VersionNotFound { prompt: Uuid, version: u32 },
    #[error("prompt {prompt} has no label {label}")]
    LabelNotFound { prompt: Uuid, label: String },
    #[error("a prompt named {0:?} already exists")]
    NameTaken(String),
    #[error("version {version} cannot move from {from} to {to}: nothing returns to draft")]
    LifecycleMove {
        version: u32,
        from: &'static str,
        to: &'static str,
    },
    #[error("version {version} is archived: labels may only name versions in use")]
    LabelOnArchived { version: u32 },
    #[error(
        "version {version} carries the labels {labels}: move or delete them before archiving it"
    )]
    ArchiveLabelled { version: u32, labels: String },
    /// The input breaks a rule (a blank name, a bad tag, an oversize template).
    #[error("{0}")]
    Invalid(String),
    /// An import that cannot be read (not YAML or JSON of the export format).
    #[error("unreadable import: {0}")]
    Unreadable(String),
    /// A starter prompt file that cannot be read.
    #[error("starter prompt {path}: {reason}")]
    Starter { path: String, reason: String },
}

impl PromptError {
    /// What kind of failure this is (its HTTP status at every edge).
    pub fn kind(&self) -> crate::ErrorKind {
        use crate::ErrorKind;
        match self {
            PromptError::PromptNotFound(_)
            | PromptError::VersionNotFound { .. }
            | PromptError::LabelNotFound { .. } => ErrorKind::NotFound,
            PromptError::NameTaken(_)
            | PromptError::LifecycleMove { .. }
            | PromptError::LabelOnArchived { .. }
            | PromptError::ArchiveLabelled { .. } => ErrorKind::Conflict,
            PromptError::Invalid(_) => ErrorKind::InvalidRequest,
            PromptError::Unreadable(_) => ErrorKind::BadRequest,
            PromptError::Starter { .. } => ErrorKind::Storage,
        }
    }

    pub(crate) fn lifecycle(version: u32, from: Lifecycle, to: Lifecycle) -> Self {
        PromptError::LifecycleMove {
            version,
            from: from.as_str(),
            to: to.as_str(),
        }
    }
}
