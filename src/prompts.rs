//! The Prompt Hub's data model: prompts, their immutable versions, labels,
//! rendering results and version diffs.
//!
//! These are serde-only types shared by the browser, the server functions
//! and the REST API. The server-only parts are in the submodules: [`render`]
//! (Jinja templates with minijinja), [`diff`] (version diffs with
//! `similar`), [`transfer`] (import and export as YAML or JSON), [`starters`]
//! (the prompts a new installation starts with), [`validate`] and the
//! refusals ([`PromptError`]). They use no store: the service the edges call
//! is the engine's `Hub`.
//!
//! A prompt is a named, tagged container. Its content lives in versions:
//! every save makes a new version numbered 1, 2, 3, ... that is never
//! changed afterwards, except for its [`Lifecycle`]. Labels ("production",
//! "staging") name one version of a prompt each and can be moved, so a
//! caller asks for "the production version" instead of a number.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::chat::{GenerationParams, Message, Role};

mod bundle;
#[cfg(feature = "engine")]
pub mod diff;
#[cfg(feature = "openapi")]
pub mod document;
#[cfg(feature = "engine")]
mod error;
pub mod limits;
#[cfg(feature = "engine")]
pub mod render;
#[cfg(feature = "engine")]
mod scan;
#[cfg(feature = "engine")]
pub mod starters;
#[cfg(feature = "engine")]
pub mod transfer;
#[cfg(feature = "engine")]
pub mod validate;

pub use bundle::{Bundle, BundlePrompt, BundleVersion, ImportReport, ImportedName, BUNDLE_FORMAT};
#[cfg(feature = "engine")]
pub use error::PromptError;

/// Where a version is in its life.
///
/// Moves: draft → published, draft → archived, published → archived, and
/// archived → published (putting a retired version back into service is how
/// a rollback is done without copying it). Nothing returns to draft: a
/// draft is a version nobody has relied on yet, and a published one has
/// been. Setting the current state again is accepted and changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    #[default]
    Draft,
    Published,
    Archived,
}

impl Lifecycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Draft => "draft",
            Lifecycle::Published => "published",
            Lifecycle::Archived => "archived",
        }
    }

    /// Parses the stored form written by [`Lifecycle::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(Lifecycle::Draft),
            "published" => Some(Lifecycle::Published),
            "archived" => Some(Lifecycle::Archived),
            _ => None,
        }
    }

    /// Whether a version may move from `self` to `to` (see the type's doc).
    pub fn can_move_to(self, to: Lifecycle) -> bool {
        use Lifecycle::{Archived, Draft, Published};
        self == to
            || matches!(
                (self, to),
                (Draft, Published)
                    | (Draft, Archived)
                    | (Published, Archived)
                    | (Archived, Published)
            )
    }
}

/// One worked example: what the user said and what the model should answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FewShot {
    pub input: String,
    pub output: String,
}

/// A prompt: the named container of versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Prompt {
    pub id: Uuid,
    /// Unique among the prompts that are not deleted.
    pub name: String,
    pub description: String,
    /// Lowercase words, sorted, without repeats.
    pub tags: Vec<String>,
    /// RFC 3339 time of creation.
    pub created_at: String,
    /// RFC 3339 time of the latest change to the prompt, its versions or
    /// its labels.
    pub updated_at: String,
    /// The number of the newest version; `None` before the first save.
    pub latest_version: Option<u32>,
}

/// The content of a version: what a save sends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct VersionContent {
    /// The user message, a Jinja template (`{{ text }}`); not blank.
    #[cfg_attr(feature = "openapi", schema(required = true, pattern = r"\S"))]
    pub template: String,
    /// The system message, a Jinja template; empty for none.
    pub system: String,
    /// Worked examples sent before the user message, as alternating user and
    /// assistant turns. Their text is sent as written, not as a template.
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub examples: Vec<FewShot>,
    /// The catalog id of the model the prompt was written for, if any.
    pub model: Option<String>,
    /// Generation parameters, the response format included
    /// (`params.response_format`).
    pub params: GenerationParams,
    /// Values the template's variables take when the caller gives none.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub defaults: BTreeMap<String, serde_json::Value>,
    /// Why this version was saved: the "commit message".
    pub message: String,
}

/// One saved version of a prompt. Only its lifecycle ever changes. (Its
/// API schema is written in `document`: a derived one would flatten a
/// closed `VersionContent` and forbid the fields beside it.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromptVersion {
    pub prompt_id: Uuid,
    /// 1 for the first save, then one more for each save.
    pub version: u32,
    #[serde(flatten)]
    pub content: VersionContent,
    pub lifecycle: Lifecycle,
    /// RFC 3339 time of the save.
    pub created_at: String,
}

/// A movable name for one version of a prompt ("production").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Label {
    pub prompt_id: Uuid,
    /// Lowercase letters, digits, `.`, `_` and `-`; unique per prompt.
    pub name: String,
    pub version: u32,
    /// RFC 3339 time the label was last set or moved.
    pub updated_at: String,
}

/// A prompt with all its versions (oldest first) and labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PromptDetail {
    pub prompt: Prompt,
    pub versions: Vec<PromptVersion>,
    pub labels: Vec<Label>,
}

/// What creating a prompt takes; `version`, when given, is saved as its
/// version 1 in the same transaction.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPrompt {
    #[cfg_attr(feature = "openapi", schema(value_type = document::PromptName))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = document::Description))]
    pub description: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = document::Tags))]
    pub tags: Vec<String>,
    #[serde(default)]
    pub version: Option<VersionContent>,
}

/// A change to a prompt's name, description or tags; absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct PromptPatch {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<document::PromptName>))]
    pub name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<document::Description>))]
    pub description: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<document::Tags>))]
    pub tags: Option<Vec<String>>,
}

/// How to find prompts: `text` in the name, description or tags (case does
/// not matter) and every tag of `tags`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct PromptQuery {
    pub text: String,
    pub tags: Vec<String>,
    /// At most this many, most recently changed first; `None`: 100.
    pub limit: Option<u32>,
}

/// A template to render on its own, without saving it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct RenderRequest {
    /// The user message template.
    pub template: String,
    /// The system message template; empty for none.
    pub system: String,
    pub examples: Vec<FewShot>,
    /// Values used when `variables` lacks a name.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub defaults: BTreeMap<String, serde_json::Value>,
    /// The values of the template's variables.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub variables: BTreeMap<String, serde_json::Value>,
}

/// Which of a prompt's two templates an issue is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TemplatePart {
    System,
    User,
}

/// What is wrong with a template or its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// The template does not parse. Blocks rendering.
    Syntax,
    /// A variable the template uses has no value and no default. Blocks
    /// rendering.
    Undefined,
    /// A value was given that no template uses. A warning only.
    Unused,
    /// Rendering failed (a filter refused its input, a loop ran too long).
    /// Blocks rendering.
    Render,
}

impl IssueKind {
    /// Whether the prompt cannot be sent with this issue.
    pub fn is_error(self) -> bool {
        !matches!(self, IssueKind::Unused)
    }
}

/// One problem found before anything is sent to a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateIssue {
    pub kind: IssueKind,
    /// The template it is in; `None` for an unused value (in neither).
    pub part: Option<TemplatePart>,
    pub message: String,
    /// The variable concerned, for undefined and unused ones.
    pub variable: Option<String>,
    /// 1-based line in the template, when known.
    pub line: Option<u32>,
    /// 1-based column (in characters) in that line, when known.
    pub column: Option<u32>,
}

/// A rendered prompt, ready to send, or the issues that stop it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenderedPrompt {
    /// The rendered system message; `None` when there is none or when
    /// rendering failed.
    pub system: Option<String>,
    /// The examples as alternating user/assistant messages, then the
    /// rendered user message; empty when rendering failed.
    pub messages: Vec<Message>,
    /// Every variable the templates use, sorted.
    pub variables: Vec<String>,
    pub issues: Vec<TemplateIssue>,
}

impl RenderedPrompt {
    /// Whether the prompt rendered: no issue other than a warning.
    pub fn is_ok(&self) -> bool {
        !self.issues.iter().any(|i| i.kind.is_error())
    }

    /// The whole conversation to send: the system message first, if any.
    pub fn conversation(&self) -> Vec<Message> {
        let system = self
            .system
            .as_ref()
            .map(|s| Message::new(Role::System, s.clone()));
        system.into_iter().chain(self.messages.clone()).collect()
    }
}

/// One setting that differs between two versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    /// A dotted path: `model`, `params.temperature`, `defaults.tone`,
    /// `examples`.
    pub field: String,
    /// `null` when the setting is absent on that side.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub from: serde_json::Value,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub to: serde_json::Value,
}

/// What changed from one version of a prompt to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionDiff {
    pub prompt_id: Uuid,
    pub from: u32,
    pub to: u32,
    /// Unified diff of the user templates; empty when they are equal.
    pub template: String,
    /// Unified diff of the system templates; empty when they are equal.
    pub system: String,
    /// The other settings that differ, in field order.
    pub changes: Vec<FieldChange>,
}

impl VersionDiff {
    /// Whether the two versions have the same content.
    pub fn is_empty(&self) -> bool {
        self.template.is_empty() && self.system.is_empty() && self.changes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::Lifecycle::{self, Archived, Draft, Published};

    #[test]
    fn lifecycle_moves_forward_and_may_restore_an_archived_version() {
        let all = [Draft, Published, Archived];
        let allowed: Vec<(Lifecycle, Lifecycle)> = all
            .iter()
            .flat_map(|&a| all.iter().map(move |&b| (a, b)))
            .filter(|(a, b)| a != b && a.can_move_to(*b))
            .collect();
        assert_eq!(
            allowed,
            [
                (Draft, Published),
                (Draft, Archived),
                (Published, Archived),
                (Archived, Published)
            ]
        );
        for state in all {
            assert!(state.can_move_to(state));
            assert_eq!(Lifecycle::parse(state.as_str()), Some(state));
        }
        assert_eq!(Lifecycle::parse("deleted"), None);
    }
}
