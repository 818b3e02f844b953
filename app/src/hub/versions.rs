//! The versions of a prompt, newest first: their lifecycle (with a button
//! for each allowed move), the labels pointing at them (set, move, delete),
//! editing from one, opening one in the playground, and the diff between
//! any two.

use std::collections::BTreeMap;

use leptos::prelude::*;
use pep::prompts::{Label, Lifecycle, PromptDetail, PromptVersion};
use serde_json::Value;
use uuid::Uuid;

use super::actions::{Change, HubActions};
use super::diff::DiffView;
use super::draft::Draft;
use super::variables::VarState;
use crate::handoff::PlaygroundHandoff;

/// The moves a version in state `from` may make, with their buttons' words.
pub fn moves(from: Lifecycle) -> Vec<(Lifecycle, &'static str)> {
    [
        (
            Lifecycle::Published,
            if from == Lifecycle::Archived {
                "Restore"
            } else {
                "Publish"
            },
        ),
        (Lifecycle::Archived, "Archive"),
    ]
    .into_iter()
    .filter(|(to, _)| *to != from && from.can_move_to(*to))
    .collect()
}

/// What the versions panel shares with its prompt's page, which outlives
/// it (the panel is made again on every reload): what to say, whether a
/// change or an opening runs, and the opening itself.
#[derive(Clone, Copy)]
pub struct PanelState {
    pub error: RwSignal<Option<String>>,
    pub busy: Signal<bool>,
    pub open: Action<(PromptVersion, BTreeMap<String, Value>), Result<PlaygroundHandoff, String>>,
}

impl PanelState {
    /// Sends `change` to the server; the page reloads the panel when it is
    /// done, and says why when it was refused.
    fn change(self, actions: HubActions, id: Uuid, change: Change) {
        self.error.set(None);
        actions.change.dispatch((id, change));
    }
}

/// The versions panel.
#[component]
pub fn VersionsPanel(
    detail: PromptDetail,
    draft: Draft,
    vars: VarState,
    notice: RwSignal<Option<Result<String, String>>>,
    actions: HubActions,
    panel: PanelState,
) -> impl IntoView {
    let id = detail.prompt.id;
    let labels = detail.labels.clone();
    let numbers: Vec<u32> = detail.versions.iter().map(|v| v.version).collect();

    let rows = detail
        .versions
        .iter()
        .rev()
        .map(|v| {
            let here: Vec<Label> = labels.iter().filter(|l| l.version == v.version).cloned().collect();
            let open = {
                let version = v.clone();
                move |_| match vars.values() {
                    Ok(values) => {
                        panel.error.set(None);
                        panel.open.dispatch((version.clone(), values));
                    }
                    Err(e) => panel.error.set(Some(format!("Fix the JSON values first: {e}"))),
                }
            };
            let edit = {
                let version = v.clone();
                move |_| {
                    draft.load(&version);
                    notice.set(Some(Ok(format!(
                        "Editing from version {}: saving makes a new version.",
                        version.version
                    ))));
                }
            };
            view! { <VersionRow version=v.clone() labels=here actions panel open=Callback::new(open) edit=Callback::new(edit)/> }
        })
        .collect_view();

    view! {
        <section id="versions" class="hub-versions" aria-label="Versions">
            <h2>"Versions"</h2>
            {move || panel.error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <ul class="version-list">{rows}</ul>
            <Labels id labels=detail.labels.clone() versions=detail.versions.clone() actions panel/>
            <DiffView id versions=numbers/>
        </section>
    }
}

#[component]
fn VersionRow(
    version: PromptVersion,
    labels: Vec<Label>,
    actions: HubActions,
    panel: PanelState,
    open: Callback<leptos::ev::MouseEvent>,
    edit: Callback<leptos::ev::MouseEvent>,
) -> impl IntoView {
    let id = version.prompt_id;
    let n = version.version;
    let state = version.lifecycle;
    let message = if version.content.message.is_empty() {
        "(no commit message)".to_owned()
    } else {
        version.content.message.clone()
    };
    let when = version
        .created_at
        .chars()
        .take(16)
        .collect::<String>()
        .replace('T', " ");
    let model = version.content.model.clone();
    let buttons = moves(state)
        .into_iter()
        .map(|(to, word)| {
            view! {
                <button
                    type="button"
                    class="set-lifecycle"
                    data-to=to.as_str()
                    disabled=move || panel.busy.get()
                    on:click=move |_| panel.change(actions, id, Change::Lifecycle { version: n, to })
                >
                    {word}
                </button>
            }
        })
        .collect_view();
    view! {
        <li class="version" data-version=n.to_string() data-lifecycle=state.as_str()>
            <div class="version-head">
                <strong class="version-number">{format!("v{n}")}</strong>
                <span class=format!("badge lifecycle lifecycle-{}", state.as_str())>{state.as_str()}</span>
                {labels.into_iter().map(|l| view! { <span class="badge label-chip">{l.name}</span> }).collect_view()}
                <span class="hint version-when">{when}</span>
            </div>
            <p class="version-message">{message}</p>
            {model.map(|m| view! { <p class="hint">"Model: " <code>{m}</code></p> })}
            <div class="version-actions">
                {buttons}
                <button type="button" class="edit-version" on:click=move |ev| edit.run(ev)>"Edit from here"</button>
                <button type="button" class="open-version" disabled=move || panel.busy.get() on:click=move |ev| open.run(ev)>
                    "Open in playground"
                </button>
            </div>
        </li>
    }
}

/// The labels: where each points, with a delete button, and a form to set
/// or move one.
#[component]
fn Labels(
    id: Uuid,
    labels: Vec<Label>,
    versions: Vec<PromptVersion>,
    actions: HubActions,
    panel: PanelState,
) -> impl IntoView {
    // An archived version takes no label.
    let targets: Vec<u32> = versions
        .iter()
        .rev()
        .filter(|v| v.lifecycle != Lifecycle::Archived)
        .map(|v| v.version)
        .collect();
    let name = RwSignal::new(String::new());
    let target = RwSignal::new(targets.first().copied());
    let set = move || {
        let label = name.get_untracked().trim().to_owned();
        let Some(version) = target.get_untracked() else {
            return panel
                .error
                .set(Some("Pick a version that is not archived.".to_owned()));
        };
        if label.is_empty() {
            return panel
                .error
                .set(Some("Name the label, for example production.".to_owned()));
        }
        panel.change(
            actions,
            id,
            Change::Label {
                name: label,
                version,
            },
        );
    };
    let list = labels
        .into_iter()
        .map(|l| {
            let label = l.name.clone();
            view! {
                <li class="label" data-label=l.name.clone()>
                    <span class="badge label-chip">{l.name.clone()}</span>
                    " → " <span class="label-version">{format!("v{}", l.version)}</span>
                    <button
                        type="button"
                        class="delete-label icon"
                        aria-label=format!("Delete label {}", l.name)
                        disabled=move || panel.busy.get()
                        on:click=move |_| panel.change(actions, id, Change::Unlabel { name: label.clone() })
                    >
                        "Delete"
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="hub-labels">
            <h3>"Labels"</h3>
            <ul class="label-list">{list}</ul>
            <div class="label-form" role="group" aria-label="Set or move a label">
                <input
                    id="label_name"
                    type="text"
                    aria-label="Label name"
                    placeholder="production"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                    on:keydown=move |ev| if ev.key() == "Enter" { set() }
                />
                <select
                    id="label_version"
                    aria-label="Version the label points at"
                    prop:value=move || target.get().map(|n| n.to_string()).unwrap_or_default()
                    on:change=move |ev| target.set(event_target_value(&ev).parse().ok())
                >
                    {targets.iter().map(|n| view! { <option value=n.to_string()>{format!("v{n}")}</option> }).collect_view()}
                </select>
                <button type="button" id="set_label" disabled=move || panel.busy.get() on:click=move |_| set()>
                    "Set label"
                </button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Lifecycle::{Archived, Draft, Published};

    #[test]
    fn buttons_offer_only_the_allowed_moves() {
        assert_eq!(
            moves(Draft),
            [(Published, "Publish"), (Archived, "Archive")]
        );
        assert_eq!(moves(Published), [(Archived, "Archive")]);
        assert_eq!(moves(Archived), [(Published, "Restore")]);
    }
}
