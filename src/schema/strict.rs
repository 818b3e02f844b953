//! The JSON Schema subsets that providers enforce. A schema outside its
//! provider's subset is refused by the provider (OpenAI answers 400) or
//! silently not enforced (Gemini ignores what it does not know), so PEP
//! names every offending place before anything is sent.
//!
//! The subsets, as the providers document them:
//! - OpenAI strict mode (Chat Completions, Responses, and OpenAI-compatible
//!   servers, which copy it): the root is an object (not `anyOf`); every
//!   object sets `additionalProperties: false` and lists every property in
//!   `required` (optional means nullable: `"type": ["string", "null"]`);
//!   keywords limited to types, `enum`, `const`, `anyOf`, `$ref`/`$defs`,
//!   `pattern`, `format`, the numeric bounds, `multipleOf`,
//!   `minItems`/`maxItems`; at most 10 levels of nested objects, 5000
//!   properties and 1000 enum values.
//! - Gemini `responseJsonSchema`: `$id`, `$defs`, `$ref`, `$anchor`, `type`,
//!   `format`, `title`, `description`, `enum` (strings and numbers),
//!   `items`, `prefixItems`, `minItems`, `maxItems`, `minimum`, `maximum`,
//!   `anyOf`, `oneOf`, `properties`, `additionalProperties`, `required`,
//!   `propertyOrdering`; a `$ref` stands alone (only `$` keywords beside it).

use serde_json::{Map, Value};

use super::pointer::child;
use crate::outcome::SchemaIssue;

/// Whose rules a strict schema must follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    OpenAi,
    Gemini,
}

const OPENAI_KEYWORDS: &[&str] = &[
    "$schema",
    "$ref",
    "$defs",
    "definitions",
    "type",
    "title",
    "description",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "anyOf",
    "pattern",
    "format",
    "multipleOf",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
];

const GEMINI_KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "$defs",
    "$ref",
    "$anchor",
    "type",
    "format",
    "title",
    "description",
    "enum",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "anyOf",
    "oneOf",
    "properties",
    "additionalProperties",
    "required",
    "propertyOrdering",
];

/// OpenAI's documented limits.
const OPENAI_MAX_OBJECT_DEPTH: usize = 10;
const OPENAI_MAX_PROPERTIES: usize = 5000;
const OPENAI_MAX_ENUM_VALUES: usize = 1000;

/// Every place where `schema` leaves the dialect's subset.
pub(super) fn check(dialect: Dialect, schema: &Value) -> Vec<SchemaIssue> {
    let mut walk = Walk {
        dialect,
        issues: Vec::new(),
        properties: 0,
        enum_values: 0,
    };
    if dialect == Dialect::OpenAi {
        walk.openai_root(schema);
    }
    walk.node(schema, "", 0);
    if dialect == Dialect::OpenAi {
        if walk.properties > OPENAI_MAX_PROPERTIES {
            walk.issue(
                "",
                format!(
                    "the schema has {} properties; OpenAI strict mode allows at most {OPENAI_MAX_PROPERTIES}",
                    walk.properties
                ),
            );
        }
        if walk.enum_values > OPENAI_MAX_ENUM_VALUES {
            walk.issue(
                "",
                format!(
                    "the schema has {} enum values; OpenAI strict mode allows at most {OPENAI_MAX_ENUM_VALUES}",
                    walk.enum_values
                ),
            );
        }
    }
    walk.issues
}

struct Walk {
    dialect: Dialect,
    issues: Vec<SchemaIssue>,
    properties: usize,
    enum_values: usize,
}

impl Walk {
    fn issue(&mut self, path: &str, message: String) {
        self.issues.push(SchemaIssue::new(path, message));
    }

    fn provider(&self) -> &'static str {
        match self.dialect {
            Dialect::OpenAi => "OpenAI strict mode",
            Dialect::Gemini => "Gemini's responseJsonSchema",
        }
    }

    fn openai_root(&mut self, schema: &Value) {
        let Some(root) = schema.as_object() else {
            return;
        };
        if root.contains_key("anyOf") {
            self.issue(
                "/anyOf",
                "the root cannot be anyOf in OpenAI strict mode; wrap the alternatives in a property of an object".into(),
            );
        }
        if root.get("type").and_then(Value::as_str) != Some("object") {
            self.issue(
                "",
                "the root must be an object in OpenAI strict mode: set \"type\": \"object\" and put other values in a property".into(),
            );
        }
    }

    /// Checks one subschema at `path`, `depth` objects deep.
    fn node(&mut self, schema: &Value, path: &str, depth: usize) {
        let Some(map) = schema.as_object() else {
            if schema.is_boolean() {
                self.issue(
                    path,
                    format!(
                        "{} needs a schema object here, not {schema}",
                        self.provider()
                    ),
                );
            }
            return;
        };
        self.keywords(map, path);
        let depth = if is_object_schema(map) {
            self.object(map, path, depth + 1);
            depth + 1
        } else {
            depth
        };
        if let Some(values) = map.get("enum").and_then(Value::as_array) {
            self.enum_values += values.len();
            if self.dialect == Dialect::Gemini {
                for (i, v) in values.iter().enumerate() {
                    if !(v.is_string() || v.is_number()) {
                        let at = child(&child(path, "enum"), &i.to_string());
                        self.issue(
                            &at,
                            format!("Gemini accepts only strings and numbers in enum, not {v}"),
                        );
                    }
                }
            }
        }
        for name in ["properties", "$defs", "definitions"] {
            if let Some(Value::Object(children)) = map.get(name) {
                let here = child(path, name);
                for (key, sub) in children {
                    self.node(sub, &child(&here, key), depth);
                }
            }
        }
        for name in ["anyOf", "oneOf", "prefixItems"] {
            if let Some(Value::Array(children)) = map.get(name) {
                let here = child(path, name);
                for (i, sub) in children.iter().enumerate() {
                    self.node(sub, &child(&here, &i.to_string()), depth);
                }
            }
        }
        match map.get("items") {
            Some(Value::Array(_)) => self.issue(
                &child(path, "items"),
                "items must be one schema, not a list (a tuple); describe every element with one schema".into(),
            ),
            Some(items) => self.node(items, &child(path, "items"), depth),
            None => {}
        }
        if self.dialect == Dialect::Gemini {
            if let Some(extra @ Value::Object(_)) = map.get("additionalProperties") {
                self.node(extra, &child(path, "additionalProperties"), depth);
            }
        }
    }

    /// Keywords outside the dialect's list, and what must stand alone.
    fn keywords(&mut self, map: &Map<String, Value>, path: &str) {
        let allowed = match self.dialect {
            Dialect::OpenAi => OPENAI_KEYWORDS,
            Dialect::Gemini => GEMINI_KEYWORDS,
        };
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                let hint = match key.as_str() {
                    "allOf" => "; merge the schemas into one",
                    "oneOf" => "; use anyOf",
                    "minLength" | "maxLength" => "; describe the length in the description",
                    "nullable" => "; use \"type\": [\"string\", \"null\"]",
                    _ => "",
                };
                self.issue(
                    &child(path, key),
                    format!(
                        "{key} is not supported by {}; remove it or turn strict off{hint}",
                        self.provider()
                    ),
                );
            }
        }
        if self.dialect == Dialect::Gemini && map.contains_key("$ref") {
            for key in map.keys().filter(|k| !k.starts_with('$')) {
                self.issue(
                    &child(path, key),
                    format!("Gemini allows only $ keywords next to $ref; move {key} into the referenced definition"),
                );
            }
        }
    }

    /// OpenAI's rules for every object: closed, every property required,
    /// not too deep.
    fn object(&mut self, map: &Map<String, Value>, path: &str, depth: usize) {
        let properties = map.get("properties").and_then(Value::as_object);
        self.properties += properties.map_or(0, Map::len);
        if self.dialect != Dialect::OpenAi {
            return;
        }
        if depth == OPENAI_MAX_OBJECT_DEPTH + 1 {
            self.issue(
                path,
                format!("objects nest more than {OPENAI_MAX_OBJECT_DEPTH} levels deep; OpenAI strict mode allows at most {OPENAI_MAX_OBJECT_DEPTH}"),
            );
        }
        match map.get("additionalProperties") {
            Some(Value::Bool(false)) => {}
            Some(_) => self.issue(
                &child(path, "additionalProperties"),
                "OpenAI strict mode needs \"additionalProperties\": false on every object".into(),
            ),
            None => self.issue(
                path,
                "add \"additionalProperties\": false: OpenAI strict mode needs it on every object"
                    .into(),
            ),
        }
        let required: Vec<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let missing: Vec<&str> = properties
            .into_iter()
            .flat_map(|p| p.keys())
            .map(String::as_str)
            .filter(|k| !required.contains(k))
            .collect();
        if !missing.is_empty() {
            self.issue(
                path,
                format!(
                    "list every property in \"required\" (missing: {}); OpenAI strict mode has no optional properties, so make one nullable instead, e.g. \"type\": [\"string\", \"null\"]",
                    missing.join(", ")
                ),
            );
        }
    }
}

/// Whether a subschema describes an object (`type` names it, or it lists
/// properties).
fn is_object_schema(map: &Map<String, Value>) -> bool {
    let typed = match map.get("type") {
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
        _ => false,
    };
    typed || map.contains_key("properties")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The issues' paths, sorted (object keys may iterate in any order).
    fn paths(issues: &[SchemaIssue]) -> Vec<&str> {
        let mut paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
        paths.sort_unstable();
        paths
    }

    fn says(issues: &[SchemaIssue], path: &str, words: &str) -> bool {
        issues
            .iter()
            .any(|i| i.path == path && i.message.contains(words))
    }

    #[test]
    fn a_closed_fully_required_schema_passes_openai() {
        let schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "who"},
                "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "maxItems": 3},
                "age": {"type": ["integer", "null"], "minimum": 0},
                "address": {"$ref": "#/$defs/address"}
            },
            "required": ["name", "tags", "age", "address"],
            "additionalProperties": false,
            "$defs": {
                "address": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                    "additionalProperties": false
                }
            }
        });
        assert_eq!(check(Dialect::OpenAi, &schema), vec![]);
    }

    #[test]
    fn openai_names_every_open_object_and_optional_property() {
        let schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "address": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
                    "required": ["city"]
                }
            },
            "required": ["name"],
            "additionalProperties": true
        });
        let issues = check(Dialect::OpenAi, &schema);
        assert_eq!(
            paths(&issues),
            vec![
                "",
                "/additionalProperties",
                "/properties/address",
                "/properties/address",
                "/properties/name/minLength",
            ],
            "{issues:#?}"
        );
        assert!(says(&issues, "", "missing: address"), "{issues:#?}");
        assert!(says(&issues, "/properties/address", "missing: zip"));
        assert!(says(
            &issues,
            "/properties/address",
            "\"additionalProperties\": false"
        ));
        assert!(says(
            &issues,
            "/properties/name/minLength",
            "minLength is not supported"
        ));
    }

    #[test]
    fn openai_root_must_be_an_object_not_any_of() {
        let issues = check(
            Dialect::OpenAi,
            &json!({"anyOf": [{"type": "string"}, {"type": "number"}]}),
        );
        assert_eq!(paths(&issues), vec!["", "/anyOf"]);
        let issues = check(
            Dialect::OpenAi,
            &json!({"type": "array", "items": {"type": "string"}}),
        );
        assert_eq!(paths(&issues), vec![""]);
        assert!(issues[0].message.contains("root must be an object"));
    }

    #[test]
    fn openai_refuses_composition_and_tuples() {
        let schema = json!({
            "type": "object",
            "properties": {
                "x": {"allOf": [{"type": "string"}]},
                "pair": {"type": "array", "items": [{"type": "string"}, {"type": "number"}]},
                "n": {"not": {"type": "null"}}
            },
            "required": ["x", "pair", "n"],
            "additionalProperties": false
        });
        let issues = check(Dialect::OpenAi, &schema);
        assert_eq!(
            paths(&issues),
            vec![
                "/properties/n/not",
                "/properties/pair/items",
                "/properties/x/allOf"
            ],
            "{issues:#?}"
        );
    }

    #[test]
    fn openai_limits_nesting_depth() {
        let mut schema = json!({"type": "string"});
        for _ in 0..11 {
            schema = json!({
                "type": "object",
                "properties": {"a": schema},
                "required": ["a"],
                "additionalProperties": false
            });
        }
        let issues = check(Dialect::OpenAi, &schema);
        assert_eq!(issues.len(), 1, "{issues:#?}");
        assert_eq!(issues[0].path, "/properties/a".repeat(10));
        assert!(issues[0].message.contains("10 levels"));
    }

    #[test]
    fn gemini_has_its_own_subset() {
        // Optional properties and open objects are fine for Gemini.
        let fine = json!({
            "type": "object",
            "properties": {
                "kind": {"type": "string", "enum": ["a", "b"]},
                "score": {"type": "number", "minimum": 0, "maximum": 1},
                "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                "pair": {"type": "array", "prefixItems": [{"type": "string"}]}
            },
            "required": ["kind"],
            "propertyOrdering": ["kind", "score"]
        });
        assert_eq!(check(Dialect::Gemini, &fine), vec![]);
        let bad = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z]+$"},
                "flag": {"enum": [true, "x"]},
                "ref": {"$ref": "#/$defs/x", "description": "d"}
            },
            "$defs": {"x": {"type": "string", "const": "x"}}
        });
        let issues = check(Dialect::Gemini, &bad);
        assert_eq!(
            paths(&issues),
            vec![
                "/$defs/x/const",
                "/properties/flag/enum/0",
                "/properties/name/pattern",
                "/properties/ref/description",
            ],
            "{issues:#?}"
        );
    }
}
