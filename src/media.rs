//! Media types as a `Content-Type` header carries them, read one way at
//! every edge: the request guard (which bodies a cross-site form can send),
//! the providers (an answer that is not an event stream), the Prompt Hub's
//! import (JSON or YAML).

/// The essence of a media type: `type/subtype`, lowercased (media types are
/// case-insensitive), without parameters; `None` when there is none.
///
/// `essence("Text/HTML; charset=utf-8")` is `Some("text/html")`.
pub fn essence(content_type: &str) -> Option<String> {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    (!essence.is_empty()).then(|| essence.to_ascii_lowercase())
}

/// Whether `essence` is JSON: `application/json` or a `+json` type.
pub fn is_json(essence: &str) -> bool {
    essence == "application/json" || essence.ends_with("+json")
}

#[cfg(test)]
mod tests {
    use super::{essence, is_json};

    #[test]
    fn parameters_and_case_are_ignored() {
        assert_eq!(
            essence("Text/HTML; charset=utf-8").as_deref(),
            Some("text/html")
        );
        assert_eq!(
            essence(" application/json ").as_deref(),
            Some("application/json")
        );
        assert_eq!(essence(""), None);
        assert_eq!(essence("; charset=utf-8"), None);
        assert!(is_json("application/json"));
        assert!(is_json("application/vnd.pep+json"));
        assert!(!is_json("application/yaml"));
    }
}
