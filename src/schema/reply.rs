//! Whether a finished reply kept to its JSON response format. Providers
//! enforce schemas to different degrees (some not at all, none when the
//! reply was cut at the token limit), so every JSON reply is checked and
//! the result travels with the run.

use serde_json::Value;

use crate::chat::ResponseFormat;

use crate::outcome::{SchemaIssue, Validation};

/// Validates `reply` against `format`: JSON object mode needs a JSON
/// object; schema mode needs JSON that the schema accepts, each error at
/// its place in the reply.
pub fn validate_reply(format: &ResponseFormat, reply: &str) -> Validation {
    let value: Value = match serde_json::from_str(reply.trim()) {
        Ok(v) => v,
        Err(e) => {
            return Validation::from_errors(vec![SchemaIssue::new(
                "",
                format!("the reply is not JSON: {e}"),
            )])
        }
    };
    let errors = match format {
        ResponseFormat::JsonObject if value.is_object() => Vec::new(),
        ResponseFormat::JsonObject => vec![SchemaIssue::new(
            "",
            format!(
                "the reply is JSON but not an object: it is {}",
                kind(&value)
            ),
        )],
        ResponseFormat::JsonSchema { schema, .. } => match jsonschema::validator_for(schema) {
            Ok(validator) => validator
                .iter_errors(&value)
                .map(|e| SchemaIssue::new(e.instance_path().as_str(), e.to_string()))
                .collect(),
            Err(e) => vec![SchemaIssue::new(
                "",
                format!("the schema cannot be used to validate: {e}"),
            )],
        },
    };
    Validation::from_errors(errors)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> ResponseFormat {
        ResponseFormat::JsonSchema {
            name: "weather".into(),
            schema: json!({
                "type": "object",
                "properties": {
                    "city": {"type": "string"},
                    "days": {"type": "array", "items": {"type": "integer", "minimum": 0}}
                },
                "required": ["city", "days"],
                "additionalProperties": false
            }),
            strict: true,
        }
    }

    #[test]
    fn a_reply_that_follows_the_schema_is_valid() {
        let v = validate_reply(&schema(), " {\"city\": \"Oslo\", \"days\": [1, 2]}\n");
        assert_eq!(
            v,
            Validation {
                valid: true,
                errors: vec![]
            }
        );
    }

    #[test]
    fn each_error_names_its_place_in_the_reply() {
        let v = validate_reply(&schema(), r#"{"city": 7, "days": [1, -2], "extra": true}"#);
        assert!(!v.valid);
        let mut paths: Vec<&str> = v.errors.iter().map(|e| e.path.as_str()).collect();
        paths.sort_unstable();
        assert_eq!(paths, vec!["", "/city", "/days/1"], "{v:#?}");
        let city = v
            .errors
            .iter()
            .find(|e| e.path == "/city")
            .map(|e| e.message.as_str());
        assert!(city.unwrap_or_default().contains("string"), "{v:#?}");
        let v = validate_reply(&schema(), r#"{"city": "Oslo"}"#);
        assert_eq!(v.errors.len(), 1);
        assert!(v.errors[0].message.contains("days"), "{v:#?}");
    }

    #[test]
    fn a_reply_that_is_not_json_is_invalid() {
        let v = validate_reply(&schema(), "Sure! Here is the JSON: {\"city\": \"Oslo\"}");
        assert!(!v.valid);
        assert_eq!(v.errors[0].path, "");
        assert!(
            v.errors[0].message.starts_with("the reply is not JSON"),
            "{v:?}"
        );
        // Cut off at the token limit.
        let v = validate_reply(&ResponseFormat::JsonObject, "{\"city\": \"Os");
        assert!(!v.valid);
    }

    #[test]
    fn json_object_mode_needs_an_object() {
        assert!(validate_reply(&ResponseFormat::JsonObject, "{\"a\": [1]}").valid);
        let v = validate_reply(&ResponseFormat::JsonObject, "[1, 2]");
        assert_eq!(
            v.errors,
            vec![SchemaIssue::new(
                "",
                "the reply is JSON but not an object: it is an array"
            )]
        );
    }
}
