//! The settings panel: model and endpoint pickers, generation controls,
//! system prompt and context, over the model in [`super::settings`].
//! Controls come from the catalog: a model
//! without a control shows none (no seed for a model that ignores it;
//! reasoning effort and verbosity only for models that take them), and each
//! input is bounded by the model's range. The server checks again and
//! answers out-of-range values with an error, never a silent clamp.

use leptos::prelude::*;
use pep::catalog::{Choice, ModelInfo, Range};

use super::settings::{Delivery, Settings};
use super::structured::StructuredOutput;

#[component]
pub fn Controls(
    models: Vec<ModelInfo>,
    settings: Settings,
    current: Memo<Option<ModelInfo>>,
) -> impl IntoView {
    let options = models
        .iter()
        .map(|m| {
            // The reason is listed below the picker: in the option it
            // would be cut off by the sidebar's width.
            let label = match &m.unavailable {
                None => m.label.clone(),
                Some(_) => format!("{} (unavailable)", m.label),
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
                // The whole name, for a label too long for the sidebar.
                title=move || current.get().map(|m| m.label).unwrap_or_default()
                prop:value=move || current.get().map(|m| m.id).unwrap_or_default()
                on:change=move |ev| {
                    settings.model.set(Some(event_target_value(&ev)));
                    settings.reset_params();
                }
            >
                {options}
            </select>
            // Said only when some model cannot be used.
            {(!unavailable.is_empty()).then(|| view! {
                <details class="hint-list">
                    <summary class="hint">{format!("{} unavailable", unavailable.len())}</summary>
                    {unavailable.into_iter().map(|(label, why)| view! {
                        <p class="hint unavailable">{label} ": " {why}</p>
                    }).collect_view()}
                </details>
            })}
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
