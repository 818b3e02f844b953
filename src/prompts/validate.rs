//! The rules a prompt, a version and a label name follow, checked before
//! anything is written: a refused input changes nothing.

use super::{PromptError, VersionContent};

/// The longest prompt name, in characters.
pub const MAX_NAME_CHARS: usize = 120;
/// The longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4_000;
/// The most tags a prompt has.
pub const MAX_TAGS: usize = 20;
/// The longest tag or label name, in characters.
pub const MAX_TAG_CHARS: usize = 40;
/// The largest template (user or system), in bytes.
pub const MAX_TEMPLATE_BYTES: usize = 64 * 1024;
/// The most few-shot examples a version has.
pub const MAX_EXAMPLES: usize = 50;
/// The largest version (all its text, as JSON), in bytes.
pub const MAX_VERSION_BYTES: usize = 512 * 1024;

/// The name, trimmed; refused when blank, too long or multi-line.
pub fn name(name: &str) -> Result<String, PromptError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(invalid("a prompt needs a name"));
    }
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

/// Tags lowercased, trimmed, sorted and without repeats. A tag is letters,
/// digits, spaces, `_`, `-` and `.`, so it reads the same in a URL's
/// comma-separated list and in the stored JSON.
pub fn tags(tags: &[String]) -> Result<Vec<String>, PromptError> {
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags {
        let tag = tag.trim().to_lowercase();
        let valid = !tag.is_empty()
            && tag.chars().count() <= MAX_TAG_CHARS
            && tag
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.'));
        if !valid {
            return Err(invalid(format!(
                "tag {tag:?}: 1 to {MAX_TAG_CHARS} letters, digits, spaces, '_', '-' or '.'"
            )));
        }
        out.push(tag);
    }
    out.sort();
    out.dedup();
    if out.len() > MAX_TAGS {
        return Err(invalid(format!("a prompt has at most {MAX_TAGS} tags")));
    }
    Ok(out)
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

/// A version's content: a user message template, within the size limits.
pub fn content(content: &VersionContent) -> Result<(), PromptError> {
    if content.template.trim().is_empty() {
        return Err(invalid("a version needs a user message template"));
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
        assert!(name(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
    }

    #[test]
    fn tags_are_normalised() {
        let given = ["JSON".to_owned(), " extract ".into(), "json".into()];
        assert_eq!(tags(&given).unwrap(), ["extract", "json"]);
        assert!(tags(&["a,b".to_owned()]).is_err());
        assert!(tags(&["\"q\"".to_owned()]).is_err());
        assert!(tags(&[String::new()]).is_err());
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
