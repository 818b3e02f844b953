//! The settings panel: model and endpoint pickers, generation controls,
//! system prompt and context, over the model in [`super::settings`].
//! Controls come from the catalog: a model
//! without a control shows none (no seed for a model that ignores it;
//! reasoning effort and verbosity only for models that take them), and each
//! number is typed through [`crate::param_input`], bounded by the model's
//! range. The server checks again and answers out-of-range values with an
//! error, never a silent clamp.

use leptos::prelude::*;
use pep::catalog::{Choice, ModelInfo};

use super::settings::{Delivery, Settings};
use super::structured::StructuredOutput;
use crate::param_input::{Entry, ParamInput};

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
        {spec.temperature.map(|r| view! { <ParamInput id="temperature" param=settings.temperature range=r entry=Entry::Slider step="0.05"/> })}
        {spec.top_p.map(|r| view! { <ParamInput id="top_p" param=settings.top_p range=r entry=Entry::Slider step="0.01"/> })}
        <ParamInput id="max_tokens" param=settings.max_tokens range=spec.max_tokens step="1"/>
        {spec.seed.then(|| view! { <ParamInput id="seed" param=settings.seed step="1"/> })}
        {spec.reasoning_effort.map(|c| view! { <ChoiceControl id="reasoning_effort" label="Reasoning effort" choice=c value=settings.reasoning_effort/> })}
        {spec.verbosity.map(|c| view! { <ChoiceControl id="verbosity" label="Verbosity" choice=c value=settings.verbosity/> })}
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
