//! What changed between two versions of a prompt: unified text diffs of the
//! templates (by `similar`) and the settings that differ, field by field.
//! The commit message and the lifecycle are not content and are left out.

use std::collections::BTreeSet;

use serde_json::Value;
use similar::TextDiff;

use super::{FieldChange, PromptVersion, VersionDiff};

/// Lines of context around each change in the text diffs.
const CONTEXT: usize = 3;

/// The changes from `from` to `to` (versions of the same prompt, in either
/// order).
pub fn diff(from: &PromptVersion, to: &PromptVersion) -> VersionDiff {
    let (a, b) = (&from.content, &to.content);
    let names = (format!("v{}", from.version), format!("v{}", to.version));
    let mut changes = Vec::new();
    change(&mut changes, "model", json(&a.model), json(&b.model));
    fields(&mut changes, "params", json(&a.params), json(&b.params));
    fields(
        &mut changes,
        "defaults",
        json(&a.defaults),
        json(&b.defaults),
    );
    change(
        &mut changes,
        "examples",
        json(&a.examples),
        json(&b.examples),
    );
    VersionDiff {
        prompt_id: to.prompt_id,
        from: from.version,
        to: to.version,
        template: unified(&a.template, &b.template, &names),
        system: unified(&a.system, &b.system, &names),
        changes,
    }
}

/// A unified diff of two texts, empty when they are equal.
pub fn unified(a: &str, b: &str, (from, to): &(String, String)) -> String {
    if a == b {
        return String::new();
    }
    TextDiff::from_lines(a, b)
        .unified_diff()
        .context_radius(CONTEXT)
        .header(from, to)
        .to_string()
}

fn json<T: serde::Serialize>(value: &T) -> Value {
    // The version types serialise infallibly (string keys, finite numbers
    // or null); `Null` is a safe reading should that ever change.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn change(changes: &mut Vec<FieldChange>, field: &str, from: Value, to: Value) {
    if from != to {
        changes.push(FieldChange {
            field: field.to_owned(),
            from,
            to,
        });
    }
}

/// One change per differing key of two JSON objects, keys in order.
fn fields(changes: &mut Vec<FieldChange>, prefix: &str, from: Value, to: Value) {
    let (Value::Object(a), Value::Object(b)) = (&from, &to) else {
        change(changes, prefix, from, to);
        return;
    };
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for key in keys {
        let get = |o: &serde_json::Map<String, Value>| o.get(key).cloned().unwrap_or(Value::Null);
        change(changes, &format!("{prefix}.{key}"), get(a), get(b));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use uuid::Uuid;

    use super::diff;
    use crate::prompts::{FewShot, Lifecycle, PromptVersion, VersionContent};

    fn version(n: u32, content: VersionContent) -> PromptVersion {
        PromptVersion {
            prompt_id: Uuid::nil(),
            version: n,
            content,
            lifecycle: Lifecycle::Draft,
            created_at: String::new(),
        }
    }

    #[test]
    fn templates_diff_as_unified_text_and_settings_field_by_field() {
        let mut a = VersionContent {
            template: "Summarise:\n{{ text }}\nBe brief.\n".into(),
            system: "You are terse.".into(),
            model: Some("local/x".into()),
            message: "first".into(),
            ..VersionContent::default()
        };
        a.params.temperature = Some(0.5);
        a.defaults.insert("tone".into(), json!("neutral"));
        let mut b = a.clone();
        b.template = "Summarise:\n{{ text }}\nBe very brief.\n".into();
        b.message = "second".into();
        b.params.temperature = Some(0.25);
        b.params.max_tokens = Some(64);
        b.defaults.insert("tone".into(), json!("warm"));
        b.examples.push(FewShot {
            input: "i".into(),
            output: "o".into(),
        });

        let d = diff(&version(1, a.clone()), &version(2, b));
        assert_eq!((d.from, d.to), (1, 2));
        assert_eq!(
            d.template,
            "--- v1\n+++ v2\n@@ -1,3 +1,3 @@\n Summarise:\n {{ text }}\n-Be brief.\n+Be very brief.\n"
        );
        assert_eq!(d.system, "");
        let fields: Vec<(&str, serde_json::Value, serde_json::Value)> = d
            .changes
            .iter()
            .map(|c| (c.field.as_str(), c.from.clone(), c.to.clone()))
            .collect();
        assert_eq!(
            fields,
            [
                ("params.max_tokens", json!(null), json!(64)),
                ("params.temperature", json!(0.5), json!(0.25)),
                ("defaults.tone", json!("neutral"), json!("warm")),
                (
                    "examples",
                    json!([]),
                    json!([{"input": "i", "output": "o"}])
                ),
            ]
        );
        assert!(!d.is_empty());

        // The same content (only the message differs) diffs empty.
        let mut same = a.clone();
        same.message = "again".into();
        assert!(diff(&version(1, a), &version(3, same)).is_empty());
    }
}
