//! The Prompt Hub's rows as stored, and their reading into the shared
//! types. A row that does not read back (a JSON column edited by hand, an
//! unknown lifecycle) is reported as corrupt, never guessed at.

use uuid::Uuid;

use crate::prompts::{Label, Lifecycle, Prompt, PromptVersion, VersionContent};
use crate::store::StoreError;

/// The columns of a prompt (table alias `p`), in the order of [`PromptRow`].
macro_rules! prompt_columns {
    () => {
        "p.id, p.name, p.description, p.tags, p.created_at, p.updated_at, \
         (SELECT MAX(v.version) FROM prompt_versions v WHERE v.prompt_id = p.id) AS latest_version"
    };
}

/// The columns of a version (table alias `v`), in the order of
/// [`VersionRow`].
macro_rules! version_columns {
    () => {
        "v.prompt_id, v.version, v.user_template, v.system_template, v.examples, v.model, \
         v.params, v.variable_defaults, v.message, v.lifecycle, v.created_at"
    };
}

pub(super) use {prompt_columns, version_columns};

#[derive(sqlx::FromRow)]
pub(super) struct PromptRow {
    id: String,
    name: String,
    description: String,
    tags: String,
    created_at: String,
    updated_at: String,
    latest_version: Option<i64>,
}

#[derive(sqlx::FromRow)]
pub(super) struct VersionRow {
    prompt_id: String,
    version: i64,
    user_template: String,
    system_template: String,
    examples: String,
    model: Option<String>,
    params: String,
    variable_defaults: String,
    message: String,
    lifecycle: String,
    created_at: String,
}

#[derive(sqlx::FromRow)]
pub(super) struct LabelRow {
    prompt_id: String,
    name: String,
    version: i64,
    updated_at: String,
}

/// The JSON columns of a version, ready to bind.
pub(super) struct VersionJson {
    pub examples: String,
    pub params: String,
    pub defaults: String,
}

impl VersionJson {
    pub(super) fn of(prompt: Uuid, content: &VersionContent) -> Result<Self, StoreError> {
        let encode = |what: &str, value: Result<String, serde_json::Error>| {
            value.map_err(|e| StoreError::Unencodable {
                id: prompt.to_string(),
                reason: format!("{what}: {e}"),
            })
        };
        Ok(Self {
            examples: encode("examples", serde_json::to_string(&content.examples))?,
            params: encode("params", serde_json::to_string(&content.params))?,
            defaults: encode("defaults", serde_json::to_string(&content.defaults))?,
        })
    }
}

pub(super) fn tags_json(tags: &[String]) -> String {
    // A list of strings always encodes.
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".to_owned())
}

fn corrupt(id: &str, reason: String) -> StoreError {
    StoreError::Corrupt {
        id: id.to_owned(),
        reason,
    }
}

fn uuid(id: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(id).map_err(|e| corrupt(id, e.to_string()))
}

fn number(id: &str, what: &str, n: i64) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| corrupt(id, format!("{what} = {n}")))
}

impl PromptRow {
    pub(super) fn into_prompt(self) -> Result<Prompt, StoreError> {
        let id = self.id;
        Ok(Prompt {
            id: uuid(&id)?,
            tags: serde_json::from_str(&self.tags)
                .map_err(|e| corrupt(&id, format!("tags: {e}")))?,
            latest_version: self
                .latest_version
                .map(|n| number(&id, "latest version", n))
                .transpose()?,
            name: self.name,
            description: self.description,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

impl VersionRow {
    pub(super) fn into_version(self) -> Result<PromptVersion, StoreError> {
        let id = self.prompt_id;
        let json = |what: &str, e: serde_json::Error| corrupt(&id, format!("{what}: {e}"));
        Ok(PromptVersion {
            prompt_id: uuid(&id)?,
            version: number(&id, "version", self.version)?,
            content: VersionContent {
                template: self.user_template,
                system: self.system_template,
                examples: serde_json::from_str(&self.examples).map_err(|e| json("examples", e))?,
                model: self.model,
                params: serde_json::from_str(&self.params).map_err(|e| json("params", e))?,
                defaults: serde_json::from_str(&self.variable_defaults)
                    .map_err(|e| json("defaults", e))?,
                message: self.message,
            },
            lifecycle: Lifecycle::parse(&self.lifecycle)
                .ok_or_else(|| corrupt(&id, format!("lifecycle {}", self.lifecycle)))?,
            created_at: self.created_at,
        })
    }
}

impl LabelRow {
    pub(super) fn into_label(self) -> Result<Label, StoreError> {
        Ok(Label {
            prompt_id: uuid(&self.prompt_id)?,
            version: number(&self.prompt_id, "label version", self.version)?,
            name: self.name,
            updated_at: self.updated_at,
        })
    }
}
