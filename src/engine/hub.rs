//! The Prompt Hub's service, as the REST API and the server functions call
//! it: each call checks its input ([`validate`]) and makes one store call,
//! or renders, diffs or converts. The store reports what it refused inside
//! its transaction (a name taken, a version not there) as a
//! [`StoreError::Prompt`]; [`HubError`] turns that back into the refusal.

use std::collections::BTreeMap;
use std::path::Path;

use uuid::Uuid;

use crate::prompts::transfer::{self, Format, OnConflict};
use crate::prompts::{
    diff, render, starters, validate, Bundle, ImportReport, ImportedName, Label, Lifecycle,
    NewPrompt, Prompt, PromptDetail, PromptError, PromptPatch, PromptQuery, PromptVersion,
    RenderRequest, RenderedPrompt, VersionContent, VersionDiff,
};
use crate::query::{LimitError, Page};
use crate::store::{Store, StoreError};
use crate::ErrorKind;

/// The prompts a list returns when the query names no limit: the Hub's
/// page shows them all at once (a playground holds hundreds, not
/// millions).
pub const DEFAULT_LIST: u32 = 100;

/// Why a Prompt Hub call was refused or failed. Every refusal leaves the
/// store as it was.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(transparent)]
    Refused(#[from] PromptError),
    /// A list's page size out of range: a bad query, as for every list.
    #[error(transparent)]
    Limit(#[from] LimitError),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for HubError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Prompt(refused) => HubError::Refused(refused),
            e => HubError::Store(e),
        }
    }
}

impl HubError {
    /// What kind of failure this is (its HTTP status at every edge).
    pub fn kind(&self) -> ErrorKind {
        match self {
            HubError::Refused(e) => e.kind(),
            HubError::Limit(_) => ErrorKind::BadRequest,
            HubError::Store(_) => ErrorKind::Storage,
        }
    }

    /// The refusal, when the call was refused (not failed).
    pub fn refusal(&self) -> Option<&PromptError> {
        match self {
            HubError::Refused(e) => Some(e),
            _ => None,
        }
    }
}

/// The Prompt Hub over a store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Hub {
    store: Store,
}

impl Hub {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// The prompts that match `query`, most recently changed first. Tags
    /// are matched after the text search: a playground holds hundreds of
    /// prompts, not millions.
    pub async fn list(&self, query: &PromptQuery) -> Result<Vec<Prompt>, HubError> {
        let page = Page::parse_or(query.limit, 0, DEFAULT_LIST)?;
        let tags: Vec<String> = query.tags.iter().map(|t| validate::filter_tag(t)).collect();
        let found = self.store.find_prompts(query.text.trim()).await?;
        Ok(found
            .into_iter()
            .filter(|p| tags.iter().all(|t| p.tags.contains(t)))
            .take(usize::try_from(page.limit()).unwrap_or(usize::MAX))
            .collect())
    }

    pub async fn create(&self, new: NewPrompt) -> Result<PromptDetail, HubError> {
        let new = NewPrompt {
            name: validate::name(&new.name)?,
            description: validate::description(&new.description)?,
            tags: validate::tags(&new.tags)?,
            version: new.version,
        };
        if let Some(content) = &new.version {
            validate::content(content)?;
        }
        Ok(self.store.create_prompt(&new).await?)
    }

    pub async fn get(&self, id: Uuid) -> Result<PromptDetail, HubError> {
        Ok(self.store.prompt_detail(id).await?)
    }

    pub async fn update(&self, id: Uuid, patch: PromptPatch) -> Result<Prompt, HubError> {
        let patch = PromptPatch {
            name: patch.name.as_deref().map(validate::name).transpose()?,
            description: patch
                .description
                .as_deref()
                .map(validate::description)
                .transpose()?,
            tags: patch.tags.as_deref().map(validate::tags).transpose()?,
        };
        Ok(self.store.update_prompt(id, &patch).await?)
    }

    pub async fn delete(&self, id: Uuid) -> Result<(), HubError> {
        Ok(self.store.delete_prompt(id).await?)
    }

    pub async fn versions(&self, id: Uuid) -> Result<Vec<PromptVersion>, HubError> {
        Ok(self.store.versions(id).await?)
    }

    pub async fn version(&self, id: Uuid, number: u32) -> Result<PromptVersion, HubError> {
        Ok(self.store.version(id, number).await?)
    }

    /// Saves `content` as the prompt's next version (a draft).
    pub async fn save_version(
        &self,
        id: Uuid,
        content: VersionContent,
    ) -> Result<PromptVersion, HubError> {
        validate::content(&content)?;
        Ok(self.store.save_version(id, &content).await?)
    }

    pub async fn set_lifecycle(
        &self,
        id: Uuid,
        number: u32,
        to: Lifecycle,
    ) -> Result<PromptVersion, HubError> {
        Ok(self.store.set_lifecycle(id, number, to).await?)
    }

    pub async fn labels(&self, id: Uuid) -> Result<Vec<Label>, HubError> {
        Ok(self.store.labels(id).await?)
    }

    pub async fn set_label(&self, id: Uuid, label: &str, number: u32) -> Result<Label, HubError> {
        validate::label(label)?;
        Ok(self.store.set_label(id, label, number).await?)
    }

    pub async fn delete_label(&self, id: Uuid, label: &str) -> Result<(), HubError> {
        validate::label(label)?;
        Ok(self.store.delete_label(id, label).await?)
    }

    /// The version label `label` points at.
    pub async fn labelled(&self, id: Uuid, label: &str) -> Result<PromptVersion, HubError> {
        validate::label(label)?;
        Ok(self.store.labelled_version(id, label).await?)
    }

    /// Renders a template that is not saved (it may still be empty).
    pub fn render(&self, request: &RenderRequest) -> Result<RenderedPrompt, HubError> {
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
    ) -> Result<RenderedPrompt, HubError> {
        let version = self.store.version(id, number).await?;
        Ok(render::render(&render::request_for(
            &version.content,
            variables,
        )))
    }

    /// What changed from version `from` to version `to`.
    pub async fn diff(&self, id: Uuid, from: u32, to: u32) -> Result<VersionDiff, HubError> {
        let a = self.store.version(id, from).await?;
        let b = self.store.version(id, to).await?;
        Ok(diff::diff(&a, &b))
    }

    /// The prompts `ids` (every prompt in use when empty) with their
    /// versions and labels.
    pub async fn export(&self, ids: &[Uuid]) -> Result<Bundle, HubError> {
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
    ) -> Result<ImportReport, HubError> {
        self.import(transfer::parse(bytes, format)?, on_conflict)
            .await
    }

    /// Creates the prompts of `bundle`, all or none.
    pub async fn import(
        &self,
        bundle: Bundle,
        on_conflict: OnConflict,
    ) -> Result<ImportReport, HubError> {
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

    /// Loads the starter prompts of `dir` if no prompt was ever created;
    /// returns how many were created.
    pub async fn load_starters(&self, dir: &Path) -> Result<usize, HubError> {
        if self.store.count_prompts_ever().await? > 0 {
            return Ok(0);
        }
        let starters = starters::read_dir(dir)?;
        // Skipping taken names makes two servers starting together on one
        // new database harmless: the second finds the first's prompts.
        let done = self.store.import_prompts(&starters, true).await?;
        Ok(done.iter().filter(|(_, id)| id.is_some()).count())
    }
}
