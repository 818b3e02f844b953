//! Whether a response format can be used with a model: the model has the
//! mode, the schema is JSON Schema, and, when `strict`, the schema is inside
//! the subset that the model's provider enforces. The playground calls this
//! while the schema is edited; `Engine::chat` calls it before running, so a
//! schema the provider would refuse never costs a request.

use crate::catalog::{Capabilities, ModelInfo};
use crate::chat::ResponseFormat;

use super::bounds::check_bounds;
use super::strict::{self, Dialect};
use crate::outcome::SchemaIssue;

/// Every problem of `format` for `model`; empty when it can be used.
pub fn check_format(model: &ModelInfo, format: &ResponseFormat) -> Vec<SchemaIssue> {
    if let Some(problem) = unsupported(&model.id, &model.capabilities, format) {
        return vec![SchemaIssue::new("", problem)];
    }
    let ResponseFormat::JsonSchema {
        name,
        schema,
        strict,
    } = format
    else {
        return Vec::new();
    };
    let mut issues = Vec::new();
    if let Err(problem) = check_name("the JSON schema name", name) {
        issues.push(SchemaIssue::new("", problem));
    }
    issues.extend(compile(schema));
    if !issues.is_empty() {
        return issues;
    }
    if *strict {
        if let Some(dialect) = dialect(&model.provider) {
            issues.extend(strict::check(dialect, schema));
        }
    }
    issues
}

/// Why `model` has no such mode, with the nearest thing it does have.
pub(crate) fn unsupported(
    model: &str,
    caps: &Capabilities,
    format: &ResponseFormat,
) -> Option<String> {
    match format {
        ResponseFormat::JsonObject if !caps.json_object => {
            Some(format!("{model} has no JSON object mode"))
        }
        ResponseFormat::JsonSchema { .. } if !caps.json_schema => {
            let hint = if caps.json_object {
                "; use json_object and describe the shape in the prompt"
            } else if caps.tools {
                "; a tool whose parameters are the schema gets the same result"
            } else {
                ""
            };
            Some(format!("{model} does not support JSON schema output{hint}"))
        }
        _ => None,
    }
}

/// A schema that JSON Schema validators (and so providers) accept: an
/// object within the limits of [`bounds`](super::bounds) (checked first,
/// since compiling follows every `$ref`), that compiles. Compiling also
/// rejects a `$ref` to anywhere but the schema itself, since nothing is
/// fetched.
pub(crate) fn compile(schema: &serde_json::Value) -> Vec<SchemaIssue> {
    if !schema.is_object() {
        return vec![SchemaIssue::new(
            "",
            "the schema must be a JSON object, e.g. {\"type\": \"object\", \"properties\": {...}}",
        )];
    }
    if let Err(over) = check_bounds(schema) {
        return vec![over.issue()];
    }
    match jsonschema::validator_for(schema) {
        Ok(_) => Vec::new(),
        Err(e) => vec![SchemaIssue::new(
            e.instance_path().as_str(),
            format!("not valid JSON Schema: {e}"),
        )],
    }
}

/// Names every provider accepts (for schemas and tools):
/// `[A-Za-z0-9_-]`, 1 to 64 characters. `what` names the name in the error.
pub(crate) fn check_name(what: &str, name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{what} must be 1 to 64 letters, digits, _ or -; got {name:?}"
        ))
    }
}

/// The strict rules of a provider (its catalog short name). The local model
/// turns any schema into a grammar, so it adds none.
fn dialect(provider: &str) -> Option<Dialect> {
    match provider {
        "openai" | "openai_compatible" => Some(Dialect::OpenAi),
        "gemini" => Some(Dialect::Gemini),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{ParamSpec, Pricing, Range};
    use serde_json::json;

    fn model(provider: &str, caps: Capabilities) -> ModelInfo {
        ModelInfo {
            id: "m".into(),
            label: "M".into(),
            provider: provider.into(),
            params: ParamSpec {
                temperature: None,
                top_p: None,
                max_tokens: Range {
                    min: 1,
                    max: 10,
                    default: 5,
                },
                seed: false,
                stop: false,
                repeat_penalty: None,
                reasoning_effort: None,
                verbosity: None,
            },
            pricing: Pricing::default(),
            capabilities: caps,
            unavailable: None,
        }
    }

    fn all() -> Capabilities {
        Capabilities {
            tools: true,
            json_object: true,
            json_schema: true,
            tools_with_structured_output: true,
        }
    }

    fn format(schema: serde_json::Value, strict: bool) -> ResponseFormat {
        ResponseFormat::JsonSchema {
            name: "answer".into(),
            schema,
            strict,
        }
    }

    /// Open object with an optional property: fine for JSON Schema and
    /// Gemini, not for OpenAI strict.
    fn loose() -> serde_json::Value {
        json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}, "required": ["a"]})
    }

    #[test]
    fn the_model_must_have_the_mode() {
        let issues = check_format(
            &model("openai", Capabilities::default()),
            &ResponseFormat::JsonObject,
        );
        assert_eq!(
            issues,
            vec![SchemaIssue::new("", "m has no JSON object mode")]
        );
        let caps = Capabilities {
            json_object: true,
            ..Capabilities::default()
        };
        let issues = check_format(&model("openai_compatible", caps), &format(loose(), false));
        assert_eq!(issues.len(), 1);
        assert!(issues[0].message.contains("use json_object"), "{issues:?}");
        assert_eq!(
            check_format(&model("gemini", caps), &ResponseFormat::JsonObject),
            vec![]
        );
    }

    #[test]
    fn the_schema_must_compile() {
        let issues = check_format(
            &model("local", all()),
            &format(
                json!({"type": "object", "properties": {"a": {"type": "strng"}}}),
                false,
            ),
        );
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].path, "/properties/a/type");
        assert!(
            issues[0].message.starts_with("not valid JSON Schema"),
            "{issues:?}"
        );
        let issues = check_format(&model("local", all()), &format(json!(["x"]), false));
        assert!(issues[0].message.contains("JSON object"));
        let issues = check_format(
            &model("local", all()),
            &format(json!({"$ref": "https://example.com/s.json"}), false),
        );
        assert_eq!(
            issues.len(),
            1,
            "remote references are not fetched: {issues:?}"
        );
    }

    #[test]
    fn strict_rules_depend_on_the_provider() {
        let openai = check_format(&model("openai", all()), &format(loose(), true));
        assert_eq!(openai.len(), 2, "{openai:?}");
        assert!(openai.iter().all(|i| i.path.is_empty()));
        assert!(openai.iter().any(|i| i.message.contains("missing: b")));
        let compatible = check_format(&model("openai_compatible", all()), &format(loose(), true));
        assert_eq!(compatible, openai);
        assert_eq!(
            check_format(&model("gemini", all()), &format(loose(), true)),
            vec![]
        );
        assert_eq!(
            check_format(&model("local", all()), &format(loose(), true)),
            vec![]
        );
        // Without strict only JSON Schema itself counts.
        assert_eq!(
            check_format(&model("openai", all()), &format(loose(), false)),
            vec![]
        );
    }

    #[test]
    fn schema_bombs_are_refused_before_compiling() {
        use crate::schema::hostile::{any_of_bomb, ref_chain};
        let issues = check_format(&model("local", all()), &format(ref_chain(2_000), false));
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert!(issues[0].message.contains("$ref chain limit"), "{issues:?}");
        let issues = check_format(&model("local", all()), &format(any_of_bomb(30), false));
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert!(issues[0].message.contains("expansion limit"), "{issues:?}");
        let mut deep = json!({"type": "string"});
        for _ in 0..100 {
            deep = json!({"type": "array", "items": deep});
        }
        let issues = check_format(&model("openai", all()), &format(deep, true));
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert!(issues[0].message.contains("depth limit"), "{issues:?}");
    }

    #[test]
    fn the_name_is_checked() {
        let f = ResponseFormat::JsonSchema {
            name: "my schema".into(),
            schema: json!({"type": "object"}),
            strict: false,
        };
        let issues = check_format(&model("openai", all()), &f);
        assert_eq!(issues.len(), 1);
        assert!(issues[0].message.contains("name"), "{issues:?}");
    }
}
