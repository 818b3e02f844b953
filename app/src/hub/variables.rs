//! The values of the template's variables: a form with one field per
//! variable the templates use (as the server found them), or JSON for
//! values that are not text (numbers, lists, objects) and for extra values.
//! A JSON syntax error is shown with its line and column, and nothing is
//! rendered with it.

use std::collections::BTreeMap;

use leptos::prelude::*;
use serde_json::Value;

/// How the values are entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarMode {
    Form,
    Json,
}

/// The values as entered, in both modes.
#[derive(Debug, Clone, Copy)]
pub struct VarState {
    pub mode: RwSignal<VarMode>,
    /// The form's fields, by variable name, as typed.
    pub fields: RwSignal<BTreeMap<String, String>>,
    /// The JSON mode's text.
    pub json: RwSignal<String>,
}

impl VarState {
    pub fn new() -> Self {
        Self {
            mode: RwSignal::new(VarMode::Form),
            fields: RwSignal::new(BTreeMap::new()),
            json: RwSignal::new("{}".to_owned()),
        }
    }

    /// The values to render with (tracked), or the JSON error.
    pub fn values(&self) -> Result<BTreeMap<String, Value>, JsonError> {
        match self.mode.get() {
            VarMode::Form => Ok(self.fields.with(form_values)),
            VarMode::Json => parse_values(&self.json.get()),
        }
    }

    /// The values for templates using `names`: in form mode only their
    /// fields (the form keeps values of other prompts' variables, which are
    /// not this one's business); in JSON mode all, as written, so an extra
    /// value is reported.
    pub fn values_for(&self, names: &[String]) -> Result<BTreeMap<String, Value>, JsonError> {
        let mut values = self.values()?;
        if self.mode.get() == VarMode::Form {
            values.retain(|k, _| names.contains(k));
        }
        Ok(values)
    }

    /// Switches mode, carrying the values over. Leaving JSON mode with a
    /// syntax error is refused (the error stays on screen) so no value is
    /// lost.
    pub fn switch(&self, to: VarMode) -> Result<(), JsonError> {
        match (self.mode.get_untracked(), to) {
            (VarMode::Form, VarMode::Json) => {
                let values = self.fields.with_untracked(form_values);
                self.json.set(values_to_json(&values));
            }
            (VarMode::Json, VarMode::Form) => {
                let values = parse_values(&self.json.get_untracked())?;
                self.fields.set(values_to_fields(&values));
            }
            _ => {}
        }
        self.mode.set(to);
        Ok(())
    }
}

/// A JSON text that is not an object of values, located for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{} {}", self.line, self.column, self.message)
    }
}

/// The form's values: each filled field as a string. An empty field is no
/// value, so the template's default (or an "undefined" issue) applies.
pub fn form_values(fields: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
    fields
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect()
}

/// Parses the JSON mode's text: an object of values (blank is none).
pub fn parse_values(text: &str) -> Result<BTreeMap<String, Value>, JsonError> {
    if text.trim().is_empty() {
        return Ok(BTreeMap::new());
    }
    let value: Value = serde_json::from_str(text).map_err(|e| JsonError {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    match value {
        Value::Object(map) => Ok(map.into_iter().collect()),
        _ => {
            let (line, column) = first_char(text);
            Err(JsonError {
                line,
                column,
                message: "the values must be a JSON object, such as {\"topic\": \"tides\"}"
                    .to_owned(),
            })
        }
    }
}

/// Line and column (1-based) of the first character that is not blank.
fn first_char(text: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        if let Some(col) = line.chars().position(|c| !c.is_whitespace()) {
            return (i + 1, col + 1);
        }
    }
    (1, 1)
}

/// The values as the JSON mode shows them.
pub fn values_to_json(values: &BTreeMap<String, Value>) -> String {
    serde_json::to_string_pretty(values).unwrap_or_else(|_| "{}".to_owned())
}

/// The values as form fields: text as it is, anything else as JSON.
pub fn values_to_fields(values: &BTreeMap<String, Value>) -> BTreeMap<String, String> {
    values
        .iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect()
}

/// One field of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    /// Shown when the field is empty: the default, if the version has one.
    pub placeholder: String,
}

/// The form for `variables` (as the templates use them, sorted), with each
/// one's default as its placeholder.
pub fn form_fields(variables: &[String], defaults: &BTreeMap<String, Value>) -> Vec<Field> {
    variables
        .iter()
        .map(|name| Field {
            name: name.clone(),
            placeholder: match defaults.get(name) {
                Some(Value::String(s)) => format!("default: {s}"),
                Some(other) => format!("default: {other}"),
                None => String::new(),
            },
        })
        .collect()
}

/// The values' editor: the generated form or the JSON text.
#[component]
pub fn VariablesEditor(state: VarState, fields: Signal<Vec<Field>>) -> impl IntoView {
    let switch_error = RwSignal::new(None::<JsonError>);
    let json_error = move || match state.mode.get() {
        VarMode::Json => parse_values(&state.json.get()).err(),
        VarMode::Form => None,
    };
    let toggle = move |ev: leptos::ev::Event| {
        let to = if event_target_checked(&ev) {
            VarMode::Json
        } else {
            VarMode::Form
        };
        switch_error.set(state.switch(to).err());
    };
    let form = move || {
        let list = fields.get();
        if list.is_empty() {
            return view! { <p class="hint">"The templates use no variables."</p> }.into_any();
        }
        list.into_iter()
            .map(|f| {
                let name = f.name.clone();
                let key = f.name.clone();
                let id = format!("var-{}", f.name);
                let value = move || {
                    state
                        .fields
                        .with(|m| m.get(&name).cloned().unwrap_or_default())
                };
                view! {
                    <label for=id.clone()><code>{f.name.clone()}</code></label>
                    <input
                        id=id
                        class="var-input"
                        type="text"
                        data-var=f.name.clone()
                        placeholder=f.placeholder
                        prop:value=value
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            state.fields.update(|m| {
                                m.insert(key.clone(), v);
                            });
                        }
                    />
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <fieldset id="variables" class="hub-variables">
            <legend>"Variables"</legend>
            <label class="inline" for="variables_json_mode">
                <input
                    id="variables_json_mode"
                    type="checkbox"
                    prop:checked=move || state.mode.get() == VarMode::Json
                    on:change=toggle
                />
                "JSON mode"
            </label>
            <Show
                when=move || state.mode.get() == VarMode::Json
                fallback=move || view! { <div class="var-form">{form}</div> }
            >
                <textarea
                    id="variables_json"
                    class="code"
                    rows="6"
                    spellcheck="false"
                    aria-label="Variables as a JSON object"
                    prop:value=move || state.json.get()
                    on:input=move |ev| {
                        state.json.set(event_target_value(&ev));
                        switch_error.set(None);
                    }
                ></textarea>
            </Show>
            {move || json_error().or_else(|| switch_error.get()).map(|e| view! {
                <p id="variables_json_error" class="hint error" role="alert">
                    "JSON error at " <code class="issue-place">{format!("{}:{}", e.line, e.column)}</code> " " {e.message}
                </p>
            })}
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_form_has_one_field_per_variable_with_its_default() {
        let defaults = BTreeMap::from([("tone".to_owned(), json!("neutral"))]);
        let fields = form_fields(&["text".into(), "tone".into()], &defaults);
        assert_eq!(fields.len(), 2);
        assert_eq!(fields[0].placeholder, "");
        assert_eq!(fields[1].placeholder, "default: neutral");
    }

    #[test]
    fn empty_fields_give_no_value() {
        let fields = BTreeMap::from([
            ("a".to_owned(), "x".to_owned()),
            ("b".to_owned(), String::new()),
        ]);
        assert_eq!(
            form_values(&fields),
            BTreeMap::from([("a".into(), json!("x"))])
        );
    }

    #[test]
    fn json_errors_have_line_and_column() {
        let err = parse_values("{\n  \"topic\": \"tides\",\n  oops\n}").unwrap_err();
        assert_eq!((err.line, err.column), (3, 3));
        let err = parse_values("\n  [1, 2]").unwrap_err();
        assert_eq!((err.line, err.column), (2, 3));
        assert!(err.message.contains("JSON object"));
        assert_eq!(parse_values(" ").unwrap(), BTreeMap::new());
    }

    #[test]
    fn the_form_sends_only_the_current_variables() {
        let owner = Owner::new();
        owner.set();
        let state = VarState::new();
        state.fields.set(BTreeMap::from([
            ("topic".to_owned(), "tides".to_owned()),
            ("old".to_owned(), "x".to_owned()),
        ]));
        let values = state.values_for(&["topic".into()]).unwrap();
        assert_eq!(values, BTreeMap::from([("topic".into(), json!("tides"))]));
        state.json.set(r#"{"topic": "a", "extra": 1}"#.into());
        state.mode.set(VarMode::Json);
        assert_eq!(state.values_for(&["topic".into()]).unwrap().len(), 2);
    }

    #[test]
    fn values_go_between_the_modes_unchanged() {
        let values = parse_values(r#"{"n": 3, "topic": "tides", "list": [1]}"#).unwrap();
        let fields = values_to_fields(&values);
        assert_eq!(fields["n"], "3");
        assert_eq!(fields["topic"], "tides");
        assert_eq!(fields["list"], "[1]");
        assert_eq!(parse_values(&values_to_json(&values)).unwrap(), values);
    }
}
