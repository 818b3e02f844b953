//! The settings panel: model and endpoint pickers, generation controls,
//! system prompt and context. Controls come from the catalog: a model
//! without a control shows none (no seed for a model that ignores it;
//! reasoning effort and verbosity only for models that take them), and each
//! input is bounded by the model's range. The server checks again and
//! answers out-of-range values with an error, never a silent clamp.

use leptos::prelude::*;
use pep::catalog::{Choice, ModelInfo, Range};
use pep::chat::{GenerationParams, Message, Role};

use super::structured::{ResponseSettings, StructuredOutput};

/// How a turn is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Tokens shown as they are written.
    Stream,
    /// One answer when the model is done.
    Whole,
}

impl Delivery {
    fn key(self) -> &'static str {
        match self {
            Delivery::Stream => "stream",
            Delivery::Whole => "whole",
        }
    }
}

/// What the user has set. `None` means "the model's default".
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub model: RwSignal<Option<String>>,
    pub delivery: RwSignal<Delivery>,
    pub temperature: RwSignal<Option<f32>>,
    pub top_p: RwSignal<Option<f32>>,
    pub max_tokens: RwSignal<Option<u32>>,
    pub seed: RwSignal<Option<u64>>,
    pub reasoning_effort: RwSignal<Option<String>>,
    pub verbosity: RwSignal<Option<String>>,
    pub system: RwSignal<String>,
    pub context: RwSignal<String>,
    pub response: ResponseSettings,
}

impl Settings {
    pub fn new() -> Self {
        Self {
            model: RwSignal::new(None),
            delivery: RwSignal::new(Delivery::Stream),
            temperature: RwSignal::new(None),
            top_p: RwSignal::new(None),
            max_tokens: RwSignal::new(None),
            seed: RwSignal::new(None),
            reasoning_effort: RwSignal::new(None),
            verbosity: RwSignal::new(None),
            system: RwSignal::new(String::new()),
            context: RwSignal::new(String::new()),
            response: ResponseSettings::new(),
        }
    }

    /// The parameters to send for `model`: only controls it has. Fails with
    /// a message for the user when the response format cannot be built
    /// (for example a schema that is not JSON).
    pub fn params(&self, model: &ModelInfo) -> Result<GenerationParams, String> {
        let spec = &model.params;
        let choice = |c: &Option<Choice>, v: RwSignal<Option<String>>| {
            c.as_ref()
                .and_then(|c| v.get_untracked().filter(|v| c.allows(v)))
        };
        Ok(GenerationParams {
            temperature: spec.temperature.and(self.temperature.get_untracked()),
            top_p: spec.top_p.and(self.top_p.get_untracked()),
            max_tokens: self.max_tokens.get_untracked(),
            seed: if spec.seed {
                self.seed.get_untracked()
            } else {
                None
            },
            reasoning_effort: choice(&spec.reasoning_effort, self.reasoning_effort),
            verbosity: choice(&spec.verbosity, self.verbosity),
            response_format: self.response.format()?,
            ..GenerationParams::default()
        })
    }

    /// The system message: the system prompt, then the context fenced off
    /// so the model reads it as material, not instructions. `None` when both
    /// are empty.
    pub fn system_message(&self) -> Option<Message> {
        system_text(&self.system.get_untracked(), &self.context.get_untracked())
            .map(|text| Message::new(Role::System, text))
    }

    /// Fills the fields from the Prompt Hub. A version opened as a whole
    /// (`prompt` set) replaces every field, clearing empty ones; a paste
    /// only replaces what it carries. A model comes with its parameters.
    /// Returns the message for the composer, when it should be replaced.
    pub fn apply_handoff(&self, h: crate::handoff::PlaygroundHandoff) -> Option<String> {
        let whole = h.whole || h.prompt.is_some();
        let put = |signal: RwSignal<String>, value: String| {
            if whole || !value.trim().is_empty() {
                signal.set(value);
            }
        };
        if let Some(model) = h.model {
            self.model.set(Some(model));
            let p = h.params;
            self.temperature.set(p.temperature);
            self.top_p.set(p.top_p);
            self.max_tokens.set(p.max_tokens);
            self.seed.set(p.seed);
            self.reasoning_effort.set(p.reasoning_effort);
            self.verbosity.set(p.verbosity);
            self.response.set_format(p.response_format.as_ref());
        }
        put(self.system, h.system);
        put(self.context, h.context);
        (whole || !h.message.trim().is_empty()).then_some(h.message)
    }

    /// Puts back the setup of a stored run: its model, every parameter and
    /// response mode, and the system prompt and context it was sent with.
    pub fn restore(&self, model: String, params: &GenerationParams, system: Option<&str>) {
        self.model.set(Some(model));
        self.temperature.set(params.temperature);
        self.top_p.set(params.top_p);
        self.max_tokens.set(params.max_tokens);
        self.seed.set(params.seed);
        self.reasoning_effort.set(params.reasoning_effort.clone());
        self.verbosity.set(params.verbosity.clone());
        self.response.set_format(params.response_format.as_ref());
        let (system, context) = system.map(split_system_text).unwrap_or_default();
        self.system.set(system);
        self.context.set(context);
    }

    /// Back to the defaults of a newly picked model.
    fn reset_params(&self) {
        self.temperature.set(None);
        self.top_p.set(None);
        self.max_tokens.set(None);
        self.seed.set(None);
        self.reasoning_effort.set(None);
        self.verbosity.set(None);
    }

    /// Clear: the prompt fields and the response mode (the model and its
    /// parameters stay, as one keeps tuning them across conversations).
    pub fn clear_prompt_fields(&self) {
        self.system.set(String::new());
        self.context.set(String::new());
        self.response.clear();
    }
}

/// System prompt and context joined into one system message.
pub fn system_text(system: &str, context: &str) -> Option<String> {
    let system = system.trim();
    let context = context.trim();
    match (system.is_empty(), context.is_empty()) {
        (true, true) => None,
        (false, true) => Some(system.to_owned()),
        (true, false) => Some(format!(
            "Use the following context.\n<context>\n{context}\n</context>"
        )),
        (false, false) => Some(format!(
            "{system}\n\nUse the following context.\n<context>\n{context}\n</context>"
        )),
    }
}

/// The inverse of [`system_text`]: a stored system message back into the
/// system prompt and the context. A message not written by `system_text`
/// is all system prompt.
pub fn split_system_text(text: &str) -> (String, String) {
    const OPEN: &str = "Use the following context.\n<context>\n";
    const CLOSE: &str = "\n</context>";
    let Some(body) = text.strip_suffix(CLOSE) else {
        return (text.to_owned(), String::new());
    };
    match body.rfind(OPEN) {
        Some(0) => (String::new(), body[OPEN.len()..].to_owned()),
        Some(at) if body[..at].ends_with("\n\n") => (
            body[..at - 2].to_owned(),
            body[at + OPEN.len()..].to_owned(),
        ),
        _ => (text.to_owned(), String::new()),
    }
}

#[component]
pub fn Controls(
    models: Vec<ModelInfo>,
    settings: Settings,
    current: Memo<Option<ModelInfo>>,
) -> impl IntoView {
    let options = models
        .iter()
        .map(|m| {
            let label = match &m.unavailable {
                None => m.label.clone(),
                Some(why) => format!("{} (unavailable: {why})", m.label),
            };
            view! {
                <option value=m.id.clone() disabled=m.unavailable.is_some()>{label}</option>
            }
        })
        .collect_view();
    let unavailable: Vec<_> = models
        .iter()
        .filter_map(|m| m.unavailable.clone().map(|why| (m.label.clone(), why)))
        .collect();
    view! {
        <section class="controls" aria-label="Model settings">
            <label for="model">"Model"</label>
            <select
                id="model"
                prop:value=move || current.get().map(|m| m.id).unwrap_or_default()
                on:change=move |ev| {
                    settings.model.set(Some(event_target_value(&ev)));
                    settings.reset_params();
                }
            >
                {options}
            </select>
            <details class="hint-list">
                <summary class="hint">{format!("{} unavailable", unavailable.len())}</summary>
                {unavailable.into_iter().map(|(label, why)| view! {
                    <p class="hint unavailable">{label} ": " {why}</p>
                }).collect_view()}
            </details>
            <label for="delivery">"Endpoint"</label>
            <select
                id="delivery"
                prop:value=move || settings.delivery.get().key()
                on:change=move |ev| settings.delivery.set(
                    if event_target_value(&ev) == "whole" { Delivery::Whole } else { Delivery::Stream }
                )
            >
                <option value="stream">"Streaming (tokens as they come)"</option>
                <option value="whole">"Non-streaming (whole reply)"</option>
            </select>
            {move || current.get().map(|m| view! { <ParamInputs model=m settings/> })}
            <label for="system">"System prompt"</label>
            <textarea
                id="system"
                rows="4"
                placeholder="Optional instructions for the model"
                prop:value=move || settings.system.get()
                on:input=move |ev| settings.system.set(event_target_value(&ev))
            ></textarea>
            <label for="context">"Context"</label>
            <textarea
                id="context"
                rows="3"
                placeholder="Optional material the model should use (documents, examples)"
                prop:value=move || settings.context.get()
                on:input=move |ev| settings.context.set(event_target_value(&ev))
            ></textarea>
            <StructuredOutput settings=settings.response current/>
        </section>
    }
}

#[component]
fn ParamInputs(model: ModelInfo, settings: Settings) -> impl IntoView {
    let spec = model.params.clone();
    view! {
        {spec.temperature.map(|r| view! { <FloatControl id="temperature" label="Temperature" range=r step=0.05 value=settings.temperature/> })}
        {spec.top_p.map(|r| view! { <FloatControl id="top_p" label="Top-p" range=r step=0.01 value=settings.top_p/> })}
        <IntControl id="max_tokens" label="Max tokens" range=spec.max_tokens value=settings.max_tokens/>
        {spec.seed.then(|| view! { <SeedControl value=settings.seed/> })}
        {spec.reasoning_effort.map(|c| view! { <ChoiceControl id="reasoning_effort" label="Reasoning effort" choice=c value=settings.reasoning_effort/> })}
        {spec.verbosity.map(|c| view! { <ChoiceControl id="verbosity" label="Verbosity" choice=c value=settings.verbosity/> })}
    }
}

#[component]
fn SeedControl(value: RwSignal<Option<u64>>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let on_change = move |ev| {
        let text = event_target_value(&ev);
        let text = text.trim();
        if text.is_empty() {
            error.set(None);
            value.set(None);
            return;
        }
        match text.parse::<u64>() {
            Ok(v) => {
                error.set(None);
                value.set(Some(v));
            }
            Err(_) => error.set(Some(
                "Seed must be a whole number ≥ 0, or empty for random".into(),
            )),
        }
    };
    view! {
        <label for="seed">"Seed"</label>
        <input
            id="seed"
            type="number"
            min="0"
            placeholder="random"
            prop:value=move || value.get().map(|s| s.to_string()).unwrap_or_default()
            on:change=on_change
        />
        {move || error.get().map(|e| view! { <p class="hint error" role="alert">{e}</p> })}
    }
}

#[component]
fn ChoiceControl(
    id: &'static str,
    label: &'static str,
    choice: Choice,
    value: RwSignal<Option<String>>,
) -> impl IntoView {
    let default = choice.default.clone();
    let default_label = match &default {
        Some(d) => format!("model default ({d})"),
        None => "provider default".to_owned(),
    };
    let options = choice
        .values
        .iter()
        .map(|v| view! { <option value=v.clone()>{v.clone()}</option> })
        .collect_view();
    view! {
        <label for=id>{label}</label>
        <select
            id=id
            prop:value=move || value.get().unwrap_or_default()
            on:change=move |ev| {
                let v = event_target_value(&ev);
                value.set((!v.is_empty()).then_some(v));
            }
        >
            <option value="">{default_label}</option>
            {options}
        </select>
    }
}

#[component]
fn FloatControl(
    id: &'static str,
    label: &'static str,
    range: Range<f32>,
    step: f32,
    value: RwSignal<Option<f32>>,
) -> impl IntoView {
    let shown = move || format!("{}", value.get().unwrap_or(range.default));
    let set = move |ev| {
        if let Ok(v) = event_target_value(&ev).parse::<f32>() {
            if range.contains(v) {
                value.set(Some(v));
            }
        }
    };
    view! {
        <label for=id>{label} <output>{shown}</output></label>
        <input
            id=id
            type="range"
            min=range.min.to_string()
            max=range.max.to_string()
            step=step.to_string()
            prop:value=shown
            on:input=set
        />
    }
}

#[component]
fn IntControl(
    id: &'static str,
    label: &'static str,
    range: Range<u32>,
    value: RwSignal<Option<u32>>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    // An out-of-range number is kept (and flagged here): sending it gets the
    // server's explicit refusal rather than a value the user did not choose.
    let on_change = move |ev| match event_target_value(&ev).trim().parse::<u32>() {
        Ok(v) => {
            value.set(Some(v));
            error.set(
                (!range.contains(v)).then(|| format!("between {} and {}", range.min, range.max)),
            );
        }
        Err(_) => error.set(Some(format!(
            "a whole number between {} and {}",
            range.min, range.max
        ))),
    };
    view! {
        <label for=id>{label}</label>
        <input
            id=id
            type="number"
            min=range.min.to_string()
            max=range.max.to_string()
            prop:value=move || value.get().unwrap_or(range.default).to_string()
            on:change=on_change
        />
        {move || error.get().map(|e| view! { <p class="hint error" role="alert">{label} " must be " {e}</p> })}
    }
}

#[cfg(test)]
mod tests {
    use super::{split_system_text, system_text};

    #[test]
    fn a_stored_system_message_splits_back_into_its_fields() {
        for (system, context) in [
            ("Be brief.", ""),
            ("", "Facts"),
            ("Be brief.", "Paris\nis big"),
        ] {
            let text = system_text(system, context).unwrap_or_default();
            assert_eq!(
                split_system_text(&text),
                (system.to_owned(), context.to_owned())
            );
        }
        let foreign = "Answer in French.\n</context>";
        assert_eq!(
            split_system_text(foreign),
            (foreign.to_owned(), String::new())
        );
    }

    #[test]
    fn system_and_context_join_into_one_message() {
        assert_eq!(system_text(" ", "\n"), None);
        assert_eq!(system_text("Be brief.", "").as_deref(), Some("Be brief."));
        let both = system_text("Be brief.", "Paris is in France.").unwrap_or_default();
        assert!(both.starts_with("Be brief.\n\n"), "{both}");
        assert!(
            both.contains("<context>\nParis is in France.\n</context>"),
            "{both}"
        );
        let only = system_text("", "Facts").unwrap_or_default();
        assert!(only.contains("<context>\nFacts\n</context>"), "{only}");
    }
}
