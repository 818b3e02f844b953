//! The rules a prompt, a version and a label name follow, checked before
//! anything is written: a refused input changes nothing.

pub use super::limits::*;
use super::{PromptError, VersionContent};
use crate::chat::{ResponseFormat, MAX_SEED};

/// The name, trimmed; refused when blank, too long or multi-line. The
/// length is that of the name as given, so the API's document can state
/// the limit exactly (`maxLength`).
pub fn name(name: &str) -> Result<String, PromptError> {
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(format!(
            "a prompt name has at most {MAX_NAME_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid(
            "a prompt name is one line without control characters",
        ));
    }
    let name = name.trim();
    if name.is_empty() {
        return Err(invalid("a prompt needs a name"));
    }
    Ok(name.to_owned())
}

pub fn description(text: &str) -> Result<String, PromptError> {
    if text.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(invalid(format!(
            "a description has at most {MAX_DESCRIPTION_CHARS} characters"
        )));
    }
    Ok(text.trim().to_owned())
}

/// Tags lowercased, trimmed, sorted and without repeats. A tag is one line
/// of at most [`MAX_TAG_CHARS`] characters, not blank, without a comma (a
/// URL's tag filter is a comma-separated list). The limits apply to the
/// tags as given, so the API's document states them exactly.
pub fn tags(tags: &[String]) -> Result<Vec<String>, PromptError> {
    if tags.len() > MAX_TAGS {
        return Err(invalid(format!("a prompt has at most {MAX_TAGS} tags")));
    }
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags {
        let valid = tag.chars().count() <= MAX_TAG_CHARS
            && !tag.chars().any(|c| c.is_control() || c == ',')
            && !tag.trim().is_empty();
        if !valid {
            return Err(invalid(format!(
                "tag {tag:?}: 1 to {MAX_TAG_CHARS} characters on one line, not blank, \
                 without a comma"
            )));
        }
        out.push(filter_tag(tag));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// A tag as stored and as matched: trimmed and lowercased. A search's tag
/// filter takes any text this way; one no prompt can carry finds nothing.
pub fn filter_tag(tag: &str) -> String {
    tag.trim().to_lowercase()
}

/// A label name: lowercase ASCII letters and digits, then also `.`, `_`
/// and `-`, at most [`MAX_TAG_CHARS`]; it appears in URLs as it is.
pub fn label(name: &str) -> Result<(), PromptError> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok =
        chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if first_ok && rest_ok && name.len() <= MAX_TAG_CHARS {
        Ok(())
    } else {
        Err(invalid(format!(
            "label {name:?}: a lowercase letter or digit, then letters, digits, '.', '_' or '-', \
             at most {MAX_TAG_CHARS} characters"
        )))
    }
}

/// A version's content: a user message template, within the size limits,
/// and a response format a provider can take (checked when saved, so a
/// stored version always reads back).
pub fn content(content: &VersionContent) -> Result<(), PromptError> {
    if content.template.trim().is_empty() {
        return Err(invalid("a version needs a user message template"));
    }
    if let Some(seed) = content.params.seed.filter(|&seed| seed > MAX_SEED) {
        return Err(invalid(format!(
            "seed {seed} is above the largest seed, {MAX_SEED}"
        )));
    }
    if let Some(ResponseFormat::JsonSchema { name, schema, .. }) = &content.params.response_format {
        crate::schema::check::check_name("response_format.name", name).map_err(invalid)?;
        if !schema.is_object() {
            return Err(invalid(format!(
                "response_format.schema must be a JSON object, got {schema}"
            )));
        }
    }
    sizes(content)
}

/// The size limits alone: what an unsaved template being edited (perhaps
/// still empty) must keep to.
pub fn sizes(content: &VersionContent) -> Result<(), PromptError> {
    for (what, text) in [("template", &content.template), ("system", &content.system)] {
        if text.len() > MAX_TEMPLATE_BYTES {
            return Err(invalid(format!(
                "the {what} has {} bytes; at most {MAX_TEMPLATE_BYTES}",
                text.len()
            )));
        }
    }
    if content.examples.len() > MAX_EXAMPLES {
        return Err(invalid(format!(
            "a version has at most {MAX_EXAMPLES} examples"
        )));
    }
    let size = serde_json::to_vec(content).map_or(usize::MAX, |json| json.len());
    if size > MAX_VERSION_BYTES {
        return Err(invalid(format!(
            "the version is {size} bytes as JSON; at most {MAX_VERSION_BYTES}"
        )));
    }
    Ok(())
}

fn invalid(message: impl Into<String>) -> PromptError {
    PromptError::Invalid(message.into())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn names_are_trimmed_and_must_be_one_line() {
        assert_eq!(name("  Summarise ").unwrap(), "Summarise");
        assert!(name("   ").is_err());
        assert!(name("a\nb").is_err());
        let padded = format!(" {} ", "x".repeat(MAX_NAME_CHARS - 1));
        assert!(name(&padded).is_err(), "the limit is on the name as given");
        assert!(name(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
    }

    #[test]
    fn tags_are_normalised() {
        let given = ["JSON".to_owned(), " extract ".into(), "json".into()];
        assert_eq!(tags(&given).unwrap(), ["extract", "json"]);
        assert_eq!(tags(&["C++ & Rust".to_owned()]).unwrap(), ["c++ & rust"]);
        assert!(tags(&["a,b".to_owned()]).is_err());
        assert!(tags(&["a\tb".to_owned()]).is_err());
        assert!(tags(&[String::new()]).is_err());
        assert!(tags(&["  ".to_owned()]).is_err());
        assert!(tags(&["x".repeat(MAX_TAG_CHARS + 1)]).is_err());
        let many: Vec<String> = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect();
        assert!(tags(&many).is_err());
    }

    #[test]
    fn label_names_fit_in_a_url() {
        for good in ["production", "v1.2", "a_b-c", "0"] {
            assert!(label(good).is_ok(), "{good}");
        }
        for bad in ["", "Prod", "-x", "a b", "a/b", &"x".repeat(41)] {
            assert!(label(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_saved_response_format_is_one_a_provider_takes() {
        let with = |name: &str, schema: serde_json::Value| VersionContent {
            template: "t".into(),
            params: crate::chat::GenerationParams {
                response_format: Some(ResponseFormat::JsonSchema {
                    name: name.into(),
                    schema,
                    strict: false,
                }),
                ..Default::default()
            },
            ..VersionContent::default()
        };
        assert!(content(&with("reply", serde_json::json!({"type": "object"}))).is_ok());
        assert!(content(&with("", serde_json::json!({}))).is_err());
        assert!(content(&with("a b", serde_json::json!({}))).is_err());
        assert!(content(&with("reply", serde_json::json!([null]))).is_err());
    }

    #[test]
    fn a_saved_seed_is_one_a_provider_takes() {
        let with = |seed| VersionContent {
            template: "t".into(),
            params: crate::chat::GenerationParams {
                seed: Some(seed),
                ..Default::default()
            },
            ..VersionContent::default()
        };
        assert!(content(&with(crate::chat::MAX_SEED)).is_ok());
        let err = content(&with(crate::chat::MAX_SEED + 1)).unwrap_err();
        assert!(err.to_string().contains("9223372036854775807"), "{err}");
    }

    #[test]
    fn content_size_is_limited() {
        let mut c = VersionContent {
            template: "x".repeat(MAX_TEMPLATE_BYTES),
            ..VersionContent::default()
        };
        assert!(content(&c).is_ok());
        c.template.push('x');
        assert!(content(&c).is_err());
        assert!(content(&VersionContent::default()).is_err());
        assert!(sizes(&VersionContent::default()).is_ok());
    }
}
