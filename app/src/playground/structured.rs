//! Structured output: the response mode (free text, any JSON object, JSON
//! following a schema), the schema editor with its templates and the strict
//! toggle. A schema is checked before anything is sent: first that it is
//! JSON at all (with line and column), then by the server against what the
//! chosen model's provider accepts; problems are listed under the editor.

use leptos::prelude::*;
use pep::catalog::ModelInfo;
use pep::chat::ResponseFormat;
use pep::schema::SchemaTemplate;

use crate::api::{check_response_format, schema_templates};
use crate::browser_fetch::browser_fetch;

/// The response mode picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    Text,
    JsonObject,
    JsonSchema,
}

impl ResponseKind {
    fn key(self) -> &'static str {
        match self {
            ResponseKind::Text => "text",
            ResponseKind::JsonObject => "json_object",
            ResponseKind::JsonSchema => "json_schema",
        }
    }

    fn from_key(key: &str) -> Self {
        match key {
            "json_object" => ResponseKind::JsonObject,
            "json_schema" => ResponseKind::JsonSchema,
            _ => ResponseKind::Text,
        }
    }
}

/// A problem with the schema, shown under the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaProblem {
    /// JSON pointer into the schema ("" for the whole schema), or
    /// `line L, column C` for a syntax error.
    pub place: String,
    pub message: String,
}

/// The response settings.
#[derive(Debug, Clone, Copy)]
pub struct ResponseSettings {
    pub kind: RwSignal<ResponseKind>,
    pub name: RwSignal<String>,
    pub schema: RwSignal<String>,
    pub strict: RwSignal<bool>,
    /// What the last check found; sending is refused while non-empty.
    pub problems: RwSignal<Vec<SchemaProblem>>,
}

/// A schema to start from when the editor is empty.
const STARTER_SCHEMA: &str = r#"{
  "type": "object",
  "properties": {
    "answer": { "type": "string" },
    "confidence": { "type": "number", "minimum": 0, "maximum": 1 }
  },
  "required": ["answer", "confidence"],
  "additionalProperties": false
}"#;

impl ResponseSettings {
    pub fn new() -> Self {
        Self {
            kind: RwSignal::new(ResponseKind::Text),
            name: RwSignal::new("reply".into()),
            schema: RwSignal::new(STARTER_SCHEMA.into()),
            strict: RwSignal::new(true),
            problems: RwSignal::new(Vec::new()),
        }
    }

    pub fn clear(&self) {
        self.kind.set(ResponseKind::Text);
        self.name.set("reply".into());
        self.schema.set(STARTER_SCHEMA.into());
        self.strict.set(true);
        self.problems.set(Vec::new());
    }

    /// Shows a saved response format (from a prompt version).
    pub fn set_format(&self, format: Option<&ResponseFormat>) {
        match format {
            None => self.kind.set(ResponseKind::Text),
            Some(ResponseFormat::JsonObject) => self.kind.set(ResponseKind::JsonObject),
            Some(ResponseFormat::JsonSchema {
                name,
                schema,
                strict,
            }) => {
                self.kind.set(ResponseKind::JsonSchema);
                self.name.set(name.clone());
                self.schema
                    .set(serde_json::to_string_pretty(schema).unwrap_or_default());
                self.strict.set(*strict);
            }
        }
        self.problems.set(Vec::new());
    }

    /// The response format to send; an error message when the schema is not
    /// JSON (nothing is sent then).
    pub fn format(&self) -> Result<Option<ResponseFormat>, String> {
        match self.kind.get_untracked() {
            ResponseKind::Text => Ok(None),
            ResponseKind::JsonObject => Ok(Some(ResponseFormat::JsonObject)),
            ResponseKind::JsonSchema => {
                let schema = parse_schema(&self.schema.get_untracked()).map_err(|p| {
                    format!(
                        "The JSON schema is not valid JSON ({}): {}",
                        p.place, p.message
                    )
                })?;
                Ok(Some(ResponseFormat::JsonSchema {
                    name: schema_name(&self.name.get_untracked()),
                    schema,
                    strict: self.strict.get_untracked(),
                }))
            }
        }
    }
}

/// Parses the editor's text, locating a syntax error by line and column.
/// The place is said once: serde's message, which repeats it, is cut.
pub fn parse_schema(text: &str) -> Result<serde_json::Value, SchemaProblem> {
    serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        let repeated = format!(" at line {} column {}", e.line(), e.column());
        SchemaProblem {
            place: format!("line {}, column {}", e.line(), e.column()),
            message: message
                .strip_suffix(&repeated)
                .map_or_else(|| message.clone(), str::to_owned),
        }
    })
}

/// The schema's name as providers accept it: `[A-Za-z0-9_-]`, 1–64 chars.
pub fn schema_name(raw: &str) -> String {
    let name: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .take(64)
        .collect();
    if name.is_empty() {
        "reply".into()
    } else {
        name
    }
}

/// Checks the schema: its syntax here, then the server's verdict for this
/// model's provider (strict mode rules and all). Returns true when clean.
pub async fn check(settings: ResponseSettings, model: Option<ModelInfo>) -> bool {
    if settings.kind.get_untracked() != ResponseKind::JsonSchema {
        settings.problems.set(Vec::new());
        return true;
    }
    let format = match settings.format() {
        Ok(Some(f)) => f,
        Ok(None) => return true,
        Err(_) => {
            let problem = parse_schema(&settings.schema.get_untracked()).err();
            settings.problems.set(problem.into_iter().collect());
            return false;
        }
    };
    let Some(model) = model else {
        return true;
    };
    let problems = match check_response_format(model.id, format).await {
        Ok(issues) => issues
            .into_iter()
            .map(|i| SchemaProblem {
                place: i.path,
                message: i.message,
            })
            .collect(),
        Err(e) => vec![SchemaProblem {
            place: String::new(),
            message: format!("the schema could not be checked: {e}"),
        }],
    };
    let clean = problems.is_empty();
    settings.problems.set(problems);
    clean
}

#[component]
pub fn StructuredOutput(
    settings: ResponseSettings,
    current: Memo<Option<ModelInfo>>,
) -> impl IntoView {
    let caps = move || current.get().map(|m| m.capabilities).unwrap_or_default();
    // Loaded by the browser alone: the controls sit inside the models'
    // streamed Suspense (see `crate::browser_fetch`).
    let templates = browser_fetch(|| (), |()| schema_templates());
    // A model that cannot do the picked mode falls back to text, visibly.
    Effect::new(move |_| {
        let c = caps();
        let kind = settings.kind.get();
        if (kind == ResponseKind::JsonObject && !c.json_object)
            || (kind == ResponseKind::JsonSchema && !c.json_schema)
        {
            settings.kind.set(ResponseKind::Text);
        }
    });
    let recheck = move || {
        let model = current.get_untracked();
        leptos::task::spawn_local(async move {
            check(settings, model).await;
        });
    };
    // The verdict depends on the model's provider: check again on a change.
    Effect::new(move |prev: Option<()>| {
        current.track();
        settings.strict.track();
        settings.kind.track();
        if prev.is_some() {
            recheck();
        }
    });
    let use_template = move |name: String| {
        let list: Vec<SchemaTemplate> = templates
            .get_untracked()
            .and_then(Result::ok)
            .unwrap_or_default();
        if let Some(t) = list.into_iter().find(|t| t.name == name) {
            settings.name.set(schema_name(&t.name));
            settings
                .schema
                .set(serde_json::to_string_pretty(&t.schema).unwrap_or_default());
            recheck();
        }
    };
    // The roomy editor: the panel over the page, the schema's problems
    // beside it; Escape or Done puts it back.
    let roomy = RwSignal::new(false);
    let leave_roomy = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" && roomy.get_untracked() {
            ev.stop_propagation();
            roomy.set(false);
        }
    };
    view! {
        <fieldset class="structured" class:roomy=move || roomy.get() on:keydown=leave_roomy>
            <legend>"Response"</legend>
            <label for="response_mode">"Response mode"</label>
            <select
                id="response_mode"
                prop:value=move || settings.kind.get().key()
                on:change=move |ev| settings.kind.set(ResponseKind::from_key(&event_target_value(&ev)))
            >
                <option value="text">"None (free text)"</option>
                <option value="json_object" disabled=move || !caps().json_object>"JSON object"</option>
                <option value="json_schema" disabled=move || !caps().json_schema>"JSON schema"</option>
            </select>
            <Show when=move || settings.kind.get() == ResponseKind::JsonSchema>
                <label for="schema_template">"Template"</label>
                <select
                    id="schema_template"
                    prop:value=""
                    on:change=move |ev| use_template(event_target_value(&ev))
                >
                    <option value="">"Start from a template…"</option>
                    {move || templates.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|t| view! {
                        <option value=t.name.clone() title=t.description.clone()>{t.name.clone()}</option>
                    }).collect_view()}
                </select>
                <label for="schema_name">"Schema name"</label>
                <input
                    id="schema_name"
                    type="text"
                    prop:value=move || settings.name.get()
                    on:change=move |ev| settings.name.set(schema_name(&event_target_value(&ev)))
                />
                <div class="schema-head">
                    <label for="schema">"JSON schema"</label>
                    <button
                        type="button"
                        id="schema_roomy"
                        class="icon"
                        aria-pressed=move || roomy.get().to_string()
                        on:click=move |_| roomy.update(|r| *r = !*r)
                    >
                        {move || if roomy.get() { "Done" } else { "Expand editor" }}
                    </button>
                </div>
                <div class="schema-work">
                    // The numbers and the text scroll together: the text area
                    // is as tall as its lines, its frame scrolls.
                    <div class="code-editor">
                        <pre class="line-numbers" aria-hidden="true">{move || settings.schema.with(|s| line_numbers(s))}</pre>
                        <textarea
                            id="schema"
                            class="code"
                            wrap="off"
                            spellcheck="false"
                            rows=move || settings.schema.with(|s| line_count(s)).to_string()
                            prop:value=move || settings.schema.get()
                            on:input=move |ev| settings.schema.set(event_target_value(&ev))
                            on:blur=move |_| recheck()
                        ></textarea>
                    </div>
                    <div class="schema-side">
                        <label class="inline" for="strict">
                            <input
                                id="strict"
                                type="checkbox"
                                prop:checked=move || settings.strict.get()
                                on:change=move |ev| settings.strict.set(event_target_checked(&ev))
                            />
                            "Strict (the provider enforces the schema)"
                        </label>
                        <ul class="schema-problems" aria-live="polite">
                            {move || settings.problems.get().into_iter().map(|p| view! {
                                <li class="error" role="alert"><code>{if p.place.is_empty() { "/".to_owned() } else { p.place }}</code> " " {p.message}</li>
                            }).collect_view()}
                        </ul>
                    </div>
                </div>
            </Show>
            <Show when=move || settings.kind.get() == ResponseKind::JsonObject>
                <p class="hint">"Ask for JSON in the prompt too; the reply is checked to be a JSON object."</p>
            </Show>
        </fieldset>
    }
}

/// How many lines `text` has as a text area shows it (at least one; a
/// last line break starts an empty line).
pub fn line_count(text: &str) -> usize {
    text.split('\n').count()
}

/// The editor's gutter: one number per line.
pub fn line_numbers(text: &str) -> String {
    (1..=line_count(text))
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gutter_numbers_every_line() {
        assert_eq!(line_count(""), 1);
        assert_eq!(line_count("{\n}"), 2);
        assert_eq!(line_count("{\n}\n"), 3);
        assert_eq!(line_numbers("a\nb\nc"), "1\n2\n3");
    }

    #[test]
    fn syntax_errors_point_at_line_and_column() {
        let err = parse_schema("{\n  \"type\": \"object\",\n  oops\n}").err();
        let (place, message) = err.map(|e| (e.place, e.message)).unwrap_or_default();
        assert_eq!(place, "line 3, column 3");
        assert_eq!(
            message, "key must be a string",
            "the place is not said twice"
        );
        assert!(parse_schema(STARTER_SCHEMA).is_ok());
    }

    #[test]
    fn schema_names_are_cleaned() {
        assert_eq!(schema_name("my schema!"), "myschema");
        assert_eq!(schema_name("  "), "reply");
        assert_eq!(schema_name(&"x".repeat(80)).len(), 64);
    }
}
