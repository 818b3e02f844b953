//! What the editor holds: the prompt's name, description and tags and the
//! content of the version being written, one signal per field. Numbers are
//! [`ParamText`]s, as in the playground: kept as typed and read when saving,
//! so a half-typed value is shown with its error instead of being lost.

use std::collections::BTreeMap;

use leptos::prelude::*;
use pep::chat::GenerationParams;
use pep::prompts::{FewShot, Prompt, PromptDetail, PromptPatch, PromptVersion, VersionContent};

use crate::param_input::{ParamText, SEED, TEMPERATURE, TOP_P, WHOLE};

/// One worked example in the editor. `key` keeps rows apart in the list
/// when one is removed.
#[derive(Debug, Clone, Copy)]
pub struct ExampleRow {
    pub key: u32,
    pub input: RwSignal<String>,
    pub output: RwSignal<String>,
}

/// The editor's fields.
#[derive(Debug, Clone, Copy)]
pub struct Draft {
    pub name: RwSignal<String>,
    pub description: RwSignal<String>,
    /// Comma-separated, as typed.
    pub tags: RwSignal<String>,
    pub system: RwSignal<String>,
    pub template: RwSignal<String>,
    pub examples: RwSignal<Vec<ExampleRow>>,
    next_key: StoredValue<u32>,
    pub model: RwSignal<Option<String>>,
    pub temperature: ParamText<f32>,
    pub top_p: ParamText<f32>,
    pub max_tokens: ParamText<u32>,
    pub seed: ParamText<u64>,
    /// Why this version is saved.
    pub message: RwSignal<String>,
    /// The parameters the editor has no field for (response format, stop
    /// sequences, ...), kept from the version it started from.
    pub other_params: StoredValue<GenerationParams>,
    /// The variables' default values, kept from that version.
    pub defaults: StoredValue<BTreeMap<String, serde_json::Value>>,
    /// Name, description and tags as saved, to send only what changed.
    saved_meta: StoredValue<(String, String, Vec<String>)>,
}

impl Draft {
    /// An empty editor for a new prompt.
    pub fn empty() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            tags: RwSignal::new(String::new()),
            system: RwSignal::new(String::new()),
            template: RwSignal::new(String::new()),
            examples: RwSignal::new(Vec::new()),
            next_key: StoredValue::new(0),
            model: RwSignal::new(None),
            temperature: ParamText::new("Temperature", TEMPERATURE),
            top_p: ParamText::new("Top-p", TOP_P),
            max_tokens: ParamText::new("Max tokens", WHOLE),
            seed: ParamText::new("Seed", SEED),
            message: RwSignal::new(String::new()),
            other_params: StoredValue::new(GenerationParams::default()),
            defaults: StoredValue::new(BTreeMap::new()),
            saved_meta: StoredValue::new(Default::default()),
        }
    }

    /// Fills the editor with `detail`: the prompt and its newest version.
    pub fn fill(&self, detail: &PromptDetail) {
        let p = &detail.prompt;
        self.name.set(p.name.clone());
        self.description.set(p.description.clone());
        self.tags.set(p.tags.join(", "));
        self.saved_meta
            .set_value((p.name.clone(), p.description.clone(), p.tags.clone()));
        if let Some(v) = detail.versions.last() {
            self.load(v);
        }
    }

    /// Replaces the version fields with `version`'s content, to write the
    /// next version from it. The commit message starts empty.
    pub fn load(&self, version: &PromptVersion) {
        let c = &version.content;
        self.examples.set(Vec::new());
        self.message.set(String::new());
        self.system.set(c.system.clone());
        self.template.set(c.template.clone());
        for e in &c.examples {
            self.add_example(e.input.clone(), e.output.clone());
        }
        self.model.set(c.model.clone());
        self.temperature.set(c.params.temperature);
        self.top_p.set(c.params.top_p);
        self.max_tokens.set(c.params.max_tokens);
        self.seed.set(c.params.seed);
        self.other_params.set_value(c.params.clone());
        self.defaults.set_value(c.defaults.clone());
    }

    pub fn add_example(&self, input: String, output: String) {
        let key = self.next_key.get_value();
        self.next_key.set_value(key.wrapping_add(1));
        let row = ExampleRow {
            key,
            input: RwSignal::new(input),
            output: RwSignal::new(output),
        };
        self.examples.update(|rows| rows.push(row));
    }

    pub fn remove_example(&self, key: u32) {
        self.examples.update(|rows| rows.retain(|r| r.key != key));
    }

    /// The examples as written (tracked, for the live preview).
    pub fn examples_now(&self) -> Vec<FewShot> {
        self.examples
            .get()
            .iter()
            .map(|r| FewShot {
                input: r.input.get(),
                output: r.output.get(),
            })
            .collect()
    }

    /// The tags as a list.
    pub fn tag_list(&self) -> Vec<String> {
        parse_tags(&self.tags.get_untracked())
    }

    /// What changed in the name, description and tags since they were
    /// saved; `None` when nothing did.
    pub fn meta_patch(&self) -> Option<PromptPatch> {
        let (name, description, tags) = self.saved_meta.get_value();
        meta_patch(
            (&name, &description, &tags),
            (
                &self.name.get_untracked(),
                &self.description.get_untracked(),
                &self.tag_list(),
            ),
        )
    }

    /// Notes the name, description and tags as saved.
    pub fn meta_saved(&self, prompt: &Prompt) {
        self.saved_meta.set_value((
            prompt.name.clone(),
            prompt.description.clone(),
            prompt.tags.clone(),
        ));
        self.tags.set(prompt.tags.join(", "));
    }

    /// After a save: the next version gets its own commit message.
    pub fn version_saved(&self) {
        self.message.set(String::new());
    }

    /// The generation parameters: the typed numbers over those the editor
    /// has no field for, or what is wrong with a typed number. The ranges
    /// are the model's, checked by the server when the prompt runs.
    pub fn params(&self) -> Result<GenerationParams, String> {
        Ok(GenerationParams {
            temperature: self.temperature.read_untracked()?,
            top_p: self.top_p.read_untracked()?,
            max_tokens: self.max_tokens.read_untracked()?,
            seed: self.seed.read_untracked()?,
            ..self.other_params.get_value()
        })
    }

    /// The version to save, or what is wrong with a typed number.
    pub fn content(&self) -> Result<VersionContent, String> {
        Ok(VersionContent {
            template: self.template.get_untracked(),
            system: self.system.get_untracked(),
            examples: untrack(|| self.examples_now()),
            model: self.model.get_untracked(),
            params: self.params()?,
            defaults: self.defaults.get_value(),
            message: self.message.get_untracked().trim().to_owned(),
        })
    }
}

/// The patch from `saved` to `now` (name, description, tags), compared as
/// the Hub stores them (trimmed; tags lowercased, sorted, unique).
pub fn meta_patch(
    saved: (&str, &str, &[String]),
    now: (&str, &str, &[String]),
) -> Option<PromptPatch> {
    let norm_tags = |tags: &[String]| {
        let mut t: Vec<String> = tags.iter().map(|t| t.trim().to_lowercase()).collect();
        t.sort();
        t.dedup();
        t
    };
    let patch = PromptPatch {
        name: (saved.0.trim() != now.0.trim()).then(|| now.0.trim().to_owned()),
        description: (saved.1.trim() != now.1.trim()).then(|| now.1.trim().to_owned()),
        tags: (norm_tags(saved.2) != norm_tags(now.2)).then(|| now.2.to_vec()),
    };
    (patch != PromptPatch::default()).then_some(patch)
}

/// Tags typed as a comma-separated list; blanks dropped. (The Hub
/// lowercases, sorts and checks them.)
pub fn parse_tags(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_split_on_commas() {
        assert_eq!(parse_tags(" a, b c ,,"), ["a", "b c"]);
        assert!(parse_tags("  ").is_empty());
    }

    #[test]
    fn only_changed_details_are_sent() {
        let tags = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(
            meta_patch(("N", "d", &tags), ("N ", "d", &["B".into(), "a".into()])),
            None
        );
        let patch = meta_patch(("N", "d", &tags), ("M", "d", &tags)).unwrap();
        assert_eq!(patch.name.as_deref(), Some("M"));
        assert_eq!(patch.description, None);
        assert_eq!(patch.tags, None);
    }

    #[test]
    fn typed_numbers_become_params_and_blanks_the_defaults() {
        Owner::new().with(|| {
            let draft = Draft::empty();
            draft.other_params.set_value(GenerationParams {
                stop: vec!["END".into()],
                temperature: Some(1.0),
                ..GenerationParams::default()
            });
            draft.temperature.set(Some(0.25));
            draft.max_tokens.text_signal().set(" 200 ".into());
            let params = draft.params().unwrap();
            assert_eq!(params.temperature, Some(0.25));
            assert_eq!(params.max_tokens, Some(200));
            assert_eq!(params.top_p, None);
            assert_eq!(params.stop, ["END"]);

            draft.max_tokens.text_signal().set("lots".into());
            let err = draft.params().unwrap_err();
            assert!(
                err.starts_with("Max tokens must be a whole number"),
                "{err}"
            );
        });
    }
}
