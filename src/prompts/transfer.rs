//! Import and export of prompts as YAML or JSON ([`Bundle`]): reading and
//! writing the text, and checking an import against the same rules as the
//! calls that create prompts, before anything is written.
//!
//! YAML goes through `serde_norway`, the maintained fork of `serde_yaml`,
//! once [`yaml_depth`] has found it no deeper than its parser handles in
//! linear time.

mod yaml_depth;

use std::collections::{BTreeMap, HashSet};

use super::validate;
use super::{
    Bundle, BundlePrompt, BundleVersion, Lifecycle, PromptDetail, PromptError, VersionContent,
    BUNDLE_FORMAT,
};

/// A prompt to import, checked (by [`check`]): versions numbered 1, 2, ...
/// in order, labels naming versions that exist and are not archived.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedPrompt {
    pub name: String,
    pub description: String,
    pub tags: Vec<String>,
    pub versions: Vec<ImportedVersion>,
    /// (label, version number).
    pub labels: Vec<(String, u32)>,
}

/// One version of an imported prompt, with its history kept.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedVersion {
    pub content: VersionContent,
    pub lifecycle: Lifecycle,
    /// RFC 3339; `None`: now.
    pub created_at: Option<String>,
}

/// The most prompts one import may hold.
pub const MAX_IMPORT_PROMPTS: usize = 1_000;

pub use yaml_depth::MAX_YAML_DEPTH;

/// What to do with an imported prompt whose name is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OnConflict {
    /// Import nothing.
    #[default]
    Fail,
    /// Import the others.
    Skip,
}

/// The text forms of a bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Yaml,
    Json,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Yaml => "application/yaml",
            Format::Json => "application/json",
        }
    }

    /// The format a `Content-Type` names: JSON for `application/json` (and
    /// `+json` types), YAML otherwise.
    pub fn of_content_type(content_type: &str) -> Self {
        match crate::media::essence(content_type) {
            Some(essence) if crate::media::is_json(&essence) => Format::Json,
            _ => Format::Yaml,
        }
    }
}

/// Reads a bundle.
pub fn parse(bytes: &[u8], format: Format) -> Result<Bundle, PromptError> {
    let bundle: Bundle = match format {
        Format::Json => {
            serde_json::from_slice(bytes).map_err(|e| PromptError::Unreadable(e.to_string()))?
        }
        Format::Yaml => read_yaml(bytes)?,
    };
    if bundle.format != BUNDLE_FORMAT {
        return Err(PromptError::Unreadable(format!(
            "format {:?}; this version of PEP reads {BUNDLE_FORMAT:?}",
            bundle.format
        )));
    }
    Ok(bundle)
}

/// Reads one prompt (the form of a starter file).
pub fn parse_prompt(bytes: &[u8]) -> Result<BundlePrompt, PromptError> {
    read_yaml(bytes)
}

/// YAML into `T`, refused unread when it nests past [`MAX_YAML_DEPTH`]
/// (the parser's time grows with the square of the depth).
fn read_yaml<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, PromptError> {
    yaml_depth::check_depth(bytes).map_err(|e| PromptError::Unreadable(e.to_string()))?;
    serde_norway::from_slice(bytes).map_err(|e| PromptError::Unreadable(e.to_string()))
}

/// Writes a bundle.
pub fn write(bundle: &Bundle, format: Format) -> Result<String, PromptError> {
    let text = match format {
        Format::Json => serde_json::to_string_pretty(bundle).map_err(|e| e.to_string()),
        Format::Yaml => serde_norway::to_string(bundle).map_err(|e| e.to_string()),
    };
    text.map_err(|e| PromptError::Invalid(format!("the export cannot be written: {e}")))
}

/// The bundle of `prompts`.
pub fn export(prompts: Vec<PromptDetail>) -> Bundle {
    let prompts = prompts
        .into_iter()
        .map(|detail| BundlePrompt {
            name: detail.prompt.name,
            description: detail.prompt.description,
            tags: detail.prompt.tags,
            labels: detail
                .labels
                .into_iter()
                .map(|l| (l.name, l.version))
                .collect(),
            versions: detail
                .versions
                .into_iter()
                .map(|v| BundleVersion {
                    version: Some(v.version),
                    lifecycle: v.lifecycle,
                    created_at: Some(v.created_at),
                    content: v.content,
                })
                .collect(),
        })
        .collect();
    Bundle {
        format: BUNDLE_FORMAT.to_owned(),
        prompts,
    }
}

/// The bundle's prompts, checked and numbered for the store.
pub fn check(bundle: Bundle) -> Result<Vec<ImportedPrompt>, PromptError> {
    if bundle.prompts.len() > MAX_IMPORT_PROMPTS {
        return Err(PromptError::Invalid(format!(
            "an import holds at most {MAX_IMPORT_PROMPTS} prompts"
        )));
    }
    let mut names = HashSet::new();
    let mut out = Vec::with_capacity(bundle.prompts.len());
    for prompt in bundle.prompts {
        let checked = check_prompt(prompt)?;
        if !names.insert(checked.name.to_lowercase()) {
            return Err(PromptError::Invalid(format!(
                "the import names {:?} twice",
                checked.name
            )));
        }
        out.push(checked);
    }
    Ok(out)
}

/// One prompt, checked: the error names the prompt.
pub fn check_prompt(prompt: BundlePrompt) -> Result<ImportedPrompt, PromptError> {
    let name = validate::name(&prompt.name)?;
    let within = |e: PromptError| match e {
        PromptError::Invalid(m) => PromptError::Invalid(format!("prompt {name:?}: {m}")),
        e => e,
    };
    let description = validate::description(&prompt.description).map_err(within)?;
    let tags = validate::tags(&prompt.tags).map_err(within)?;
    let (versions, numbering) = number_versions(prompt.versions).map_err(within)?;
    let mut labels = Vec::with_capacity(prompt.labels.len());
    for (label, given) in prompt.labels {
        validate::label(&label).map_err(within)?;
        let number = numbering.get(&given).copied().ok_or_else(|| {
            within(PromptError::Invalid(format!(
                "label {label:?} names version {given}, which is not in the import"
            )))
        })?;
        let lifecycle = versions
            .get(
                usize::try_from(number)
                    .unwrap_or(usize::MAX)
                    .saturating_sub(1),
            )
            .map(|v: &ImportedVersion| v.lifecycle);
        if lifecycle == Some(Lifecycle::Archived) {
            return Err(within(PromptError::Invalid(format!(
                "label {label:?} names version {given}, which is archived"
            ))));
        }
        labels.push((label, number));
    }
    Ok(ImportedPrompt {
        name,
        description,
        tags,
        versions,
        labels,
    })
}

/// The versions in their order of number (list order when none has one),
/// and the map from the numbers given to the new ones (1, 2, ...).
fn number_versions(
    mut versions: Vec<BundleVersion>,
) -> Result<(Vec<ImportedVersion>, BTreeMap<u32, u32>), PromptError> {
    let numbered = versions.iter().filter(|v| v.version.is_some()).count();
    if numbered != 0 && numbered != versions.len() {
        return Err(PromptError::Invalid(
            "either every version has a number or none has".into(),
        ));
    }
    versions.sort_by_key(|v| v.version);
    let mut numbering = BTreeMap::new();
    let mut out = Vec::with_capacity(versions.len());
    for (new, version) in (1_u32..).zip(versions) {
        let given = version.version.unwrap_or(new);
        if numbering.insert(given, new).is_some() {
            return Err(PromptError::Invalid(format!(
                "version {given} appears twice"
            )));
        }
        validate::content(&version.content)?;
        out.push(ImportedVersion {
            content: version.content,
            lifecycle: version.lifecycle,
            created_at: version.created_at,
        });
    }
    Ok((out, numbering))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::{check, parse, parse_prompt, write, Format};
    use crate::prompts::{Lifecycle, PromptError};

    const YAML: &str = r#"
prompts:
  - name: Summarise
    tags: [Writing]
    labels: { production: 7 }
    versions:
      - version: 7
        lifecycle: published
        template: "Summarise in a {{ tone }} tone:\n{{ text }}"
        defaults: { tone: neutral }
        params: { temperature: 0.3 }
      - version: 3
        lifecycle: archived
        template: "Summarise: {{ text }}"
"#;

    #[test]
    fn yaml_imports_are_renumbered_and_labels_follow() {
        let bundle = parse(YAML.as_bytes(), Format::Yaml).unwrap();
        let prompts = check(bundle).unwrap();
        let p = &prompts[0];
        assert_eq!(p.tags, ["writing"]);
        assert_eq!(p.versions.len(), 2);
        assert_eq!(p.versions[0].content.template, "Summarise: {{ text }}");
        assert_eq!(p.versions[0].lifecycle, Lifecycle::Archived);
        assert_eq!(p.versions[1].content.params.temperature, Some(0.3));
        assert_eq!(p.labels, [("production".to_owned(), 2)]);
    }

    #[test]
    fn whole_numbers_written_as_floats_are_whole_numbers() {
        let text = YAML
            .replace("production: 7", "production: 7.0")
            .replace("version: 3", "version: 3.0");
        let from_floats = check(parse(text.as_bytes(), Format::Yaml).unwrap()).unwrap();
        assert_eq!(
            from_floats,
            check(parse(YAML.as_bytes(), Format::Yaml).unwrap()).unwrap()
        );
        let json = r#"{"prompts": [{"name": "a", "labels": {"p": 1.0},
            "versions": [{"version": 1.0, "template": "x", "params": {"max_tokens": 9.0}}]}]}"#;
        let p = &check(parse(json.as_bytes(), Format::Json).unwrap()).unwrap()[0];
        assert_eq!(p.labels, [("p".to_owned(), 1)]);
        assert_eq!(p.versions[0].content.params.max_tokens, Some(9));
        for bad in ["production: 7.5", "version: -3"] {
            let text = YAML
                .replace("production: 7", bad)
                .replace("version: 3", bad);
            let err = parse(text.as_bytes(), Format::Yaml)
                .unwrap_err()
                .to_string();
            assert!(err.contains("a whole number"), "{bad}: {err}");
        }
    }

    #[test]
    fn yaml_and_json_write_what_they_read() {
        let bundle = parse(YAML.as_bytes(), Format::Yaml).unwrap();
        for format in [Format::Yaml, Format::Json] {
            let text = write(&bundle, format).unwrap();
            assert_eq!(
                parse(text.as_bytes(), format).unwrap(),
                bundle,
                "{format:?}"
            );
        }
    }

    #[test]
    fn bad_imports_are_refused_with_the_reason() {
        let cases = [
            ("prompts: 3", "unreadable"),
            ("format: other/v9\nprompts: []", "other/v9"),
            ("prompts: [{name: a}, {name: A}]", "twice"),
            ("prompts: [{name: a, labels: {prod: 2}, versions: [{template: x}]}]", "version 2"),
            (
                "prompts: [{name: a, labels: {prod: 1}, versions: [{template: x, lifecycle: archived}]}]",
                "archived",
            ),
            ("prompts: [{name: a, versions: [{version: 1, template: x}, {template: y}]}]", "every version"),
            ("prompts: [{name: a, versions: [{version: 1, template: x}, {version: 1, template: y}]}]", "twice"),
            ("prompts: [{name: a, tags: ['a,b']}]", "tag"),
            // YAML's null, numbers and booleans are not names: quote them.
            ("prompts: [{name: null}]", "a string"),
            ("prompts: [{name: a, tags: [12]}]", "a string"),
            ("prompts: [{name: a, description: true}]", "a string"),
            // A misspelt key is named, never read as an empty template.
            ("prompts: [{name: a, versions: [{templat: x}]}]", "templat"),
            ("prompts: [{name: a, versions: [{template: x, lifecycel: archived}]}]", "lifecycel"),
        ];
        for (yaml, expected) in cases {
            let result = parse(yaml.as_bytes(), Format::Yaml).and_then(check);
            let message = match result {
                Err(e @ (PromptError::Invalid(_) | PromptError::Unreadable(_))) => e.to_string(),
                other => panic!("{yaml}: expected a refusal, got {other:?}"),
            };
            assert!(message.contains(expected), "{yaml}: {message}");
        }
    }

    #[test]
    fn deeply_nested_yaml_is_refused_unread() {
        let n = 100_000;
        let flow = format!("prompts: {}{}", "[".repeat(n), "]".repeat(n));
        let block = format!("prompts:\n{}x\n", "- ".repeat(n));
        for text in [flow, block] {
            // How fast: benches/bounds.rs.
            let err = parse(text.as_bytes(), Format::Yaml).unwrap_err();
            assert!(matches!(err, PromptError::Unreadable(_)), "{err:?}");
            assert!(err.to_string().contains("depth limit"), "{err}");
            let err = parse_prompt(text.as_bytes()).unwrap_err();
            assert!(err.to_string().contains("depth limit"), "{err}");
        }
    }

    #[test]
    fn content_types_pick_the_format() {
        assert_eq!(
            Format::of_content_type("application/json; charset=utf-8"),
            Format::Json
        );
        assert_eq!(
            Format::of_content_type("application/vnd.x+json"),
            Format::Json
        );
        assert_eq!(Format::of_content_type("application/yaml"), Format::Yaml);
        assert_eq!(Format::of_content_type("text/plain"), Format::Yaml);
    }
}
