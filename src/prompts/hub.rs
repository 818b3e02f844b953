//! The Prompt Hub's calls, as the REST API and the server functions make
//! them: each checks its input ([`super::validate`]) and makes one store
//! call, or renders, diffs or converts.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::transfer::{self, Format};
use super::{
    diff, render, validate, Bundle, ImportReport, ImportedName, Label, Lifecycle, NewPrompt,
    Prompt, PromptDetail, PromptError, PromptPatch, PromptQuery, PromptVersion, RenderRequest,
    RenderedPrompt, VersionContent, VersionDiff,
};
use crate::store::Store;

/// The most prompts a list returns.
pub const MAX_LIST: u32 = 500;
/// A list's length when the query gives none.
pub const DEFAULT_LIST: u32 = 100;

/// The Prompt Hub over a store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Hub {
    store: Store,
}

/// What to do with an imported prompt whose name is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnConflict {
    /// Import nothing.
    #[default]
    Fail,
    /// Import the others.
    Skip,
}

impl Hub {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// The prompts that match `query`, most recently changed first. Tags
    /// are matched after the text search: a playground holds hundreds of
    /// prompts, not millions.
    pub async fn list(&self, query: &PromptQuery) -> Result<Vec<Prompt>, PromptError> {
        let limit = query.limit.unwrap_or(DEFAULT_LIST);
        if limit == 0 || limit > MAX_LIST {
            return Err(PromptError::Invalid(format!(
                "limit must be 1..={MAX_LIST}"
            )));
        }
        let tags = validate::tags(&query.tags)?;
        let found = self.store.find_prompts(query.text.trim()).await?;
        Ok(found
            .into_iter()
            .filter(|p| tags.iter().all(|t| p.tags.contains(t)))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .collect())
    }

    pub async fn create(&self, new: NewPrompt) -> Result<PromptDetail, PromptError> {
        let new = NewPrompt {
            name: validate::name(&new.name)?,
            description: validate::description(&new.description)?,
            tags: validate::tags(&new.tags)?,
            version: new.version,
        };
        if let Some(content) = &new.version {
            validate::content(content)?;
        }
        self.store.create_prompt(&new).await
    }

    pub async fn get(&self, id: Uuid) -> Result<PromptDetail, PromptError> {
        self.store.prompt_detail(id).await
    }

    pub async fn update(&self, id: Uuid, patch: PromptPatch) -> Result<Prompt, PromptError> {
        let patch = PromptPatch {
            name: patch.name.as_deref().map(validate::name).transpose()?,
            description: patch
                .description
                .as_deref()
                .map(validate::description)
                .transpose()?,
            tags: patch.tags.as_deref().map(validate::tags).transpose()?,
        };
        self.store.update_prompt(id, &patch).await
    }

    pub async fn delete(&self, id: Uuid) -> Result<(), PromptError> {
        self.store.delete_prompt(id).await
    }

    pub async fn versions(&self, id: Uuid) -> Result<Vec<PromptVersion>, PromptError> {
        self.store.versions(id).await
    }

    pub async fn version(&self, id: Uuid, number: u32) -> Result<PromptVersion, PromptError> {
        self.store.version(id, number).await
    }

    /// Saves `content` as the prompt's next version (a draft).
    pub async fn save_version(
        &self,
        id: Uuid,
        content: VersionContent,
    ) -> Result<PromptVersion, PromptError> {
        validate::content(&content)?;
        self.store.save_version(id, &content).await
    }

    pub async fn set_lifecycle(
        &self,
        id: Uuid,
        number: u32,
        to: Lifecycle,
    ) -> Result<PromptVersion, PromptError> {
        self.store.set_lifecycle(id, number, to).await
    }

    pub async fn labels(&self, id: Uuid) -> Result<Vec<Label>, PromptError> {
        self.store.labels(id).await
    }

    pub async fn set_label(
        &self,
        id: Uuid,
        label: &str,
        number: u32,
    ) -> Result<Label, PromptError> {
        validate::label(label)?;
        self.store.set_label(id, label, number).await
    }

    pub async fn delete_label(&self, id: Uuid, label: &str) -> Result<(), PromptError> {
        validate::label(label)?;
        self.store.delete_label(id, label).await
    }

    /// The version label `label` points at.
    pub async fn labelled(&self, id: Uuid, label: &str) -> Result<PromptVersion, PromptError> {
        validate::label(label)?;
        self.store.labelled_version(id, label).await
    }

    /// Renders a template that is not saved (it may still be empty).
    pub fn render(&self, request: &RenderRequest) -> Result<RenderedPrompt, PromptError> {
        validate::sizes(&VersionContent {
            template: request.template.clone(),
            system: request.system.clone(),
            examples: request.examples.clone(),
            ..VersionContent::default()
        })?;
        Ok(render::render(request))
    }

    /// Renders a saved version with `variables` over its defaults.
    pub async fn render_version(
        &self,
        id: Uuid,
        number: u32,
        variables: BTreeMap<String, serde_json::Value>,
    ) -> Result<RenderedPrompt, PromptError> {
        let version = self.store.version(id, number).await?;
        Ok(render::render(&render::request_for(
            &version.content,
            variables,
        )))
    }

    /// What changed from version `from` to version `to`.
    pub async fn diff(&self, id: Uuid, from: u32, to: u32) -> Result<VersionDiff, PromptError> {
        let a = self.store.version(id, from).await?;
        let b = self.store.version(id, to).await?;
        Ok(diff::diff(&a, &b))
    }

    /// The prompts `ids` (every prompt in use when empty) with their
    /// versions and labels.
    pub async fn export(&self, ids: &[Uuid]) -> Result<Bundle, PromptError> {
        let ids = if ids.is_empty() {
            let all = self.store.find_prompts("").await?;
            all.into_iter().rev().map(|p| p.id).collect()
        } else {
            ids.to_vec()
        };
        let mut details = Vec::with_capacity(ids.len());
        for id in ids {
            details.push(self.store.prompt_detail(id).await?);
        }
        Ok(transfer::export(details))
    }

    /// Creates the prompts of a bundle in its text form.
    pub async fn import_text(
        &self,
        bytes: &[u8],
        format: Format,
        on_conflict: OnConflict,
    ) -> Result<ImportReport, PromptError> {
        self.import(transfer::parse(bytes, format)?, on_conflict)
            .await
    }

    /// Creates the prompts of `bundle`, all or none.
    pub async fn import(
        &self,
        bundle: Bundle,
        on_conflict: OnConflict,
    ) -> Result<ImportReport, PromptError> {
        let prompts = transfer::check(bundle)?;
        let done = self
            .store
            .import_prompts(&prompts, on_conflict == OnConflict::Skip)
            .await?;
        let mut report = ImportReport::default();
        for (name, id) in done {
            match id {
                Some(id) => report.imported.push(ImportedName { name, id }),
                None => report.skipped.push(name),
            }
        }
        Ok(report)
    }
}
