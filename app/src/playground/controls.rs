//! The settings panel: model picker, generation controls and system prompt.
//! Controls come from the catalog: a model without a control shows none, and
//! each input is bounded by the model's range (the server checks again).

use leptos::prelude::*;
use pep::catalog::{ModelInfo, Range};
use pep::chat::GenerationParams;

/// What the user has set. `None` means "the model's default".
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub model: RwSignal<Option<String>>,
    pub temperature: RwSignal<Option<f32>>,
    pub top_p: RwSignal<Option<f32>>,
    pub max_tokens: RwSignal<Option<u32>>,
    pub seed: RwSignal<Option<u64>>,
    pub system: RwSignal<String>,
}

impl Settings {
    pub fn new() -> Self {
        Self {
            model: RwSignal::new(None),
            temperature: RwSignal::new(None),
            top_p: RwSignal::new(None),
            max_tokens: RwSignal::new(None),
            seed: RwSignal::new(None),
            system: RwSignal::new(String::new()),
        }
    }

    /// The parameters to send for `model`: only controls it has.
    pub fn params(&self, model: &ModelInfo) -> GenerationParams {
        let spec = &model.params;
        GenerationParams {
            temperature: spec.temperature.and(self.temperature.get_untracked()),
            top_p: spec.top_p.and(self.top_p.get_untracked()),
            max_tokens: self.max_tokens.get_untracked(),
            seed: if spec.seed {
                self.seed.get_untracked()
            } else {
                None
            },
            ..GenerationParams::default()
        }
    }

    /// Back to the defaults of a newly picked model.
    fn reset_params(&self) {
        self.temperature.set(None);
        self.top_p.set(None);
        self.max_tokens.set(None);
        self.seed.set(None);
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
            {unavailable.into_iter().map(|(label, why)| view! {
                <p class="hint unavailable">{label} ": " {why}</p>
            }).collect_view()}
            {move || current.get().map(|m| view! { <ParamInputs model=m settings/> })}
            <label for="system">"System prompt"</label>
            <textarea
                id="system"
                rows="4"
                placeholder="Optional instructions for the model"
                prop:value=move || settings.system.get()
                on:input=move |ev| settings.system.set(event_target_value(&ev))
            ></textarea>
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
        {spec.seed.then(|| view! {
            <label for="seed">"Seed"</label>
            <input
                id="seed"
                type="number"
                min="0"
                placeholder="random"
                prop:value=move || settings.seed.get().map(|s| s.to_string()).unwrap_or_default()
                on:change=move |ev| settings.seed.set(event_target_value(&ev).trim().parse().ok())
            />
        })}
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
    let on_change = move |ev| match event_target_value(&ev).trim().parse::<u32>() {
        Ok(v) if range.contains(v) => {
            error.set(None);
            value.set(Some(v));
        }
        _ => error.set(Some(format!("between {} and {}", range.min, range.max))),
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
        {move || error.get().map(|e| view! { <p class="hint error">{label} " must be " {e}</p> })}
    }
}
