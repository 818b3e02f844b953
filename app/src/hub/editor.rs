//! The editor: a prompt's name, description and tags, and the version being
//! written (system and user templates, few-shot examples, model and
//! parameters, commit message), beside the variables form and the live
//! preview. Saving never changes a version: it adds the next one.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use pep::catalog::ModelInfo;
use pep::prompts::NewPrompt;
use uuid::Uuid;

use super::actions::{HubActions, Made, Save, Saved};
use super::draft::Draft;
use super::launch::{examples_handoff, hand_over, rendered_handoff};
use super::preview::{LiveRender, Preview};
use super::variables::{VarState, VariablesEditor};
use super::{error_text, Selection};
use crate::action_outcome::on_outcome;
use crate::api::list_models;
use crate::browser_fetch::browser_fetch;
use crate::param_input::ParamInput;

/// The editor for a saved prompt (`id`) or a new one (`None`). `notice`
/// shows what the last action did; saves go through the page's
/// [`HubActions`], so the list and the versions reload when one is done.
#[component]
pub fn Editor(
    id: Option<Uuid>,
    draft: Draft,
    vars: VarState,
    notice: RwSignal<Option<Result<String, String>>>,
    actions: HubActions,
) -> impl IntoView {
    let live = LiveRender::new(draft, vars);
    let saving = actions.save.pending();
    let navigate = use_navigate();

    on_outcome(actions.save, {
        let navigate = navigate.clone();
        move |saved: &Saved| {
            if saved.prompt != id {
                return;
            }
            if let Some(prompt) = &saved.details {
                draft.meta_saved(prompt);
            }
            let said = match &saved.result {
                Ok(Made::Created(new)) => {
                    notice.set(Some(Ok("Prompt created with version 1.".to_owned())));
                    return navigate(&Selection::Prompt(*new).href(), Default::default());
                }
                Ok(Made::Version(n)) => {
                    draft.version_saved();
                    Ok(format!("Saved version {n} (draft)."))
                }
                Ok(Made::Details) => Ok("Details saved.".to_owned()),
                Err(e) => Err(e.clone()),
            };
            notice.set(Some(said));
        }
    });

    let save_version_click = move |_| {
        if saving.get_untracked() {
            return;
        }
        let content = match draft.content() {
            Ok(c) => c,
            Err(e) => return notice.set(Some(Err(e))),
        };
        notice.set(None);
        actions.save.dispatch(match id {
            None => Save::Create(NewPrompt {
                name: draft.name.get_untracked(),
                description: draft.description.get_untracked(),
                tags: draft.tag_list(),
                version: Some(content),
            }),
            Some(id) => Save::Version {
                id,
                details: draft.meta_patch(),
                content,
            },
        });
    };

    let save_details = move |_| {
        let (Some(id), Some(patch)) = (id, draft.meta_patch()) else {
            notice.set(Some(Ok("The details have not changed.".to_owned())));
            return;
        };
        if !saving.get_untracked() {
            notice.set(None);
            actions.save.dispatch(Save::Details { id, patch });
        }
    };

    let paste_rendered = {
        let navigate = navigate.clone();
        move |_| {
            let handoff = live.ready().and_then(|r| {
                let params = draft.params()?;
                rendered_handoff(&r, draft.model.get_untracked(), params)
            });
            if let Err(e) = hand_over(handoff, navigate.clone()) {
                notice.set(Some(Err(e)));
            }
        }
    };
    let paste_examples = move |_| {
        let examples = untrack(|| draft.examples_now());
        if let Err(e) = hand_over(examples_handoff(&examples), navigate.clone()) {
            notice.set(Some(Err(e)));
        }
    };

    view! {
        <section class="hub-editor" aria-label="Prompt editor">
            <div class="hub-meta">
                <div class="field">
                    <label for="prompt_name">"Name"</label>
                    <input
                        id="prompt_name"
                        type="text"
                        required
                        placeholder="Summarise"
                        prop:value=move || draft.name.get()
                        on:input=move |ev| draft.name.set(event_target_value(&ev))
                    />
                </div>
                <div class="field">
                    <label for="prompt_tags">"Tags " <span class="hint">"(comma-separated)"</span></label>
                    <input
                        id="prompt_tags"
                        type="text"
                        placeholder="writing, support"
                        prop:value=move || draft.tags.get()
                        on:input=move |ev| draft.tags.set(event_target_value(&ev))
                    />
                </div>
                <div class="field wide">
                    <label for="prompt_description">"Description"</label>
                    <input
                        id="prompt_description"
                        type="text"
                        placeholder="What the prompt is for"
                        prop:value=move || draft.description.get()
                        on:input=move |ev| draft.description.set(event_target_value(&ev))
                    />
                </div>
                {id.map(|_| view! {
                    <button type="button" id="save_details" on:click=save_details disabled=move || saving.get()>
                        "Save details"
                    </button>
                })}
            </div>
            <div class="hub-columns">
                <div class="hub-content">
                    <label for="prompt_system">"System template"</label>
                    <textarea
                        id="prompt_system"
                        class="code"
                        rows="4"
                        spellcheck="false"
                        placeholder="You are a helpful assistant for {{ audience }}."
                        prop:value=move || draft.system.get()
                        on:input=move |ev| draft.system.set(event_target_value(&ev))
                    ></textarea>
                    <label for="prompt_template">"User template"</label>
                    <textarea
                        id="prompt_template"
                        class="code"
                        rows="6"
                        spellcheck="false"
                        placeholder="Tell me about {{ topic }}."
                        prop:value=move || draft.template.get()
                        on:input=move |ev| draft.template.set(event_target_value(&ev))
                    ></textarea>
                    <Examples draft/>
                    <ModelParams draft/>
                    <label for="commit_message">"Commit message"</label>
                    <input
                        id="commit_message"
                        type="text"
                        placeholder="What changed and why"
                        prop:value=move || draft.message.get()
                        on:input=move |ev| draft.message.set(event_target_value(&ev))
                    />
                    <div class="hub-actions">
                        <button
                            type="button"
                            id="save_version"
                            class="primary"
                            on:click=save_version_click
                            disabled=move || saving.get()
                        >
                            {move || if saving.get() { "Saving…" } else if id.is_some() { "Save as new version" } else { "Create prompt" }}
                        </button>
                    </div>
                    <p id="save_status" aria-live="polite">
                        {move || notice.get().map(|n| match n {
                            Ok(text) => view! { <span class="ok">{text}</span> }.into_any(),
                            Err(text) => view! { <span class="error" role="alert">{text}</span> }.into_any(),
                        })}
                    </p>
                </div>
                <div class="hub-side">
                    <VariablesEditor state=vars fields=live.fields.into()/>
                    <Preview live vars/>
                    <div class="hub-actions handoff" role="group" aria-label="Send to the playground">
                        <button type="button" id="paste_rendered" on:click=paste_rendered>
                            "Paste rendered prompt to chat"
                        </button>
                        <button
                            type="button"
                            id="paste_examples"
                            on:click=paste_examples
                            disabled=move || draft.examples.with(Vec::is_empty)
                        >
                            "Paste examples to context"
                        </button>
                    </div>
                </div>
            </div>
        </section>
    }
}

/// The few-shot examples: input/output pairs, added and removed.
#[component]
fn Examples(draft: Draft) -> impl IntoView {
    view! {
        <fieldset class="hub-examples">
            <legend>"Few-shot examples"</legend>
            <For each=move || draft.examples.get() key=|row| row.key let:row>
                <div class="example">
                    <label>
                        "Input"
                        <textarea
                            class="example-input"
                            rows="2"
                            prop:value=move || row.input.get()
                            on:input=move |ev| row.input.set(event_target_value(&ev))
                        ></textarea>
                    </label>
                    <label>
                        "Output"
                        <textarea
                            class="example-output"
                            rows="2"
                            prop:value=move || row.output.get()
                            on:input=move |ev| row.output.set(event_target_value(&ev))
                        ></textarea>
                    </label>
                    <button
                        type="button"
                        class="remove-example icon"
                        aria-label="Remove this example"
                        on:click=move |_| draft.remove_example(row.key)
                    >
                        "Remove"
                    </button>
                </div>
            </For>
            <button type="button" id="add_example" on:click=move |_| draft.add_example(String::new(), String::new())>
                "Add example"
            </button>
        </fieldset>
    }
}

/// The model the version is written for and its generation parameters.
/// Empty fields mean the model's defaults.
#[component]
fn ModelParams(draft: Draft) -> impl IntoView {
    // Loaded by the browser alone: this sits inside the prompt's streamed
    // Suspense (see `crate::browser_fetch`).
    let models = browser_fetch(|| (), |()| list_models());
    let select = move |list: Vec<ModelInfo>| {
        let saved = draft.model.get_untracked();
        // A saved model the catalog no longer has stays visible and chosen.
        let missing = saved.filter(|m| !list.iter().any(|i| &i.id == m));
        view! {
            <select
                id="prompt_model"
                prop:value=move || draft.model.get().unwrap_or_default()
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    draft.model.set((!v.is_empty()).then_some(v));
                }
            >
                <option value="">"None (pick in the playground)"</option>
                {list.into_iter().map(|m| {
                    let label = match &m.unavailable {
                        None => m.label.clone(),
                        Some(_) => format!("{} (unavailable)", m.label),
                    };
                    view! { <option value=m.id.clone()>{label}</option> }
                }).collect_view()}
                {missing.map(|m| view! { <option value=m.clone()>{format!("{m} (not in the catalog)")}</option> })}
            </select>
        }
    };
    view! {
        <fieldset class="hub-params">
            <legend>"Model and parameters"</legend>
            <label for="prompt_model">"Model"</label>
            {move || match models.get() {
                None => view! { <p class="loading">"Loading models…"</p> }.into_any(),
                Some(Ok(list)) => select(list).into_any(),
                Some(Err(e)) => view! {
                    <p class="error" role="alert">"Could not load the models: " {error_text(e)}</p>
                }.into_any(),
            }}
            <div class="param-grid">
                <ParamInput id="prompt_temperature" param=draft.temperature step="0.05"/>
                <ParamInput id="prompt_top_p" param=draft.top_p step="0.01"/>
                <ParamInput id="prompt_max_tokens" param=draft.max_tokens step="1"/>
                <ParamInput id="prompt_seed" param=draft.seed step="1"/>
            </div>
        </fieldset>
    }
}
