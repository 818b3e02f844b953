//! The export format: prompts with all their versions and labels, as YAML
//! or JSON. The same shape is the format of a starter prompt file (one
//! [`BundlePrompt`] per file in `config/prompts/`).
//!
//! ```yaml
//! format: pep.prompts/v1
//! prompts:
//!   - name: Summarise
//!     tags: [writing]
//!     labels: { production: 2 }
//!     versions:
//!       - version: 1
//!         lifecycle: archived
//!         template: "Summarise: {{ text }}"
//!       - version: 2
//!         lifecycle: published
//!         template: "Summarise in a {{ tone }} tone: {{ text }}"
//!         defaults: { tone: neutral }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Lifecycle, VersionContent};

/// The value of [`Bundle::format`] this build writes and reads.
pub const BUNDLE_FORMAT: &str = "pep.prompts/v1";

/// Prompts as exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// [`BUNDLE_FORMAT`]; absent is read as it.
    #[serde(default = "bundle_format")]
    #[cfg_attr(feature = "openapi", schema(value_type = super::document::BundleFormat))]
    pub format: String,
    pub prompts: Vec<BundlePrompt>,
}

fn bundle_format() -> String {
    BUNDLE_FORMAT.to_owned()
}

/// One prompt with its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BundlePrompt {
    #[serde(deserialize_with = "crate::strict::string")]
    #[cfg_attr(feature = "openapi", schema(value_type = super::document::PromptName))]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[serde(deserialize_with = "crate::strict::string")]
    #[cfg_attr(feature = "openapi", schema(value_type = super::document::Description))]
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[serde(deserialize_with = "crate::strict::strings")]
    #[cfg_attr(feature = "openapi", schema(value_type = super::document::Tags))]
    pub tags: Vec<String>,
    /// Label name → version number (as numbered in `versions`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[serde(deserialize_with = "crate::strict::whole_values")]
    pub labels: BTreeMap<String, u32>,
    #[serde(default)]
    pub versions: Vec<BundleVersion>,
}

/// One version. On import, versions are numbered 1, 2, ... in the order of
/// their `version` (or of the list, when no version has one) and the labels
/// follow them.
///
/// Read strictly: a misspelt key (`templat:`) is an error naming it, not a
/// version with an empty template (see [`crate::strict`]). Its API schema
/// is written in `super::document`, as [`super::PromptVersion`]'s is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleVersion {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    #[serde(default)]
    pub lifecycle: Lifecycle,
    /// RFC 3339; kept on import, `now` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(flatten)]
    pub content: VersionContent,
}

/// A [`BundleVersion`]'s own fields, beside its content.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionHead {
    #[serde(default, deserialize_with = "crate::strict::whole_opt")]
    version: Option<u32>,
    #[serde(default)]
    lifecycle: Lifecycle,
    #[serde(default)]
    created_at: Option<String>,
}

impl<'de> Deserialize<'de> for BundleVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (head, content): (VersionHead, VersionContent) =
            crate::strict::split_fields(deserializer, &["version", "lifecycle", "created_at"])?;
        Ok(Self {
            version: head.version,
            lifecycle: head.lifecycle,
            created_at: head.created_at,
            content,
        })
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// The prompts created, with their new ids.
    pub imported: Vec<ImportedName>,
    /// The names skipped because a prompt of that name exists
    /// (`on_conflict=skip`).
    pub skipped: Vec<String>,
}

/// A prompt created by an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedName {
    pub name: String,
    pub id: Uuid,
}
