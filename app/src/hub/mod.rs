//! The Prompt Hub page (`/prompts`): find, write, version, label, diff and
//! render prompt templates, and hand them over to the playground.
//!
//! The selected prompt is in the URL (`/prompts?id=<uuid>`, `?id=new` for a
//! new one), so a prompt can be linked to and Back works. The page is made
//! of one part per file: [`list`] (search, tags, delete), [`editor`] (the
//! prompt and the version being written), [`variables`] and [`preview`]
//! (the live render), [`versions`] (lifecycle, labels), [`diff`] and
//! [`launch`] (the handoff to the playground). Every change is one of the
//! page's [`actions`].

mod actions;
mod diff;
mod draft;
mod editor;
mod launch;
mod list;
mod preview;
mod variables;
mod versions;

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use pep::prompts::PromptVersion;
use server_fn::ServerFnError;
use uuid::Uuid;

use crate::action_outcome::on_outcome;
use crate::handoff::PlaygroundHandoff;
use crate::hub_api::{get_prompt, render_version};
use crate::nav::TopBar;
use actions::{Done, HubActions};
use draft::Draft;
use editor::Editor;
use launch::{hand_over, version_handoff};
use list::PromptList;
use variables::VarState;
use versions::{PanelState, VersionsPanel};

/// What the URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Nothing yet: the page invites to pick or create a prompt.
    Nothing,
    /// A prompt being created.
    New,
    /// A saved prompt.
    Prompt(Uuid),
}

impl Selection {
    /// Reads the `id` query parameter; anything unreadable selects nothing.
    pub fn from_query(id: Option<&str>) -> Self {
        match id.map(str::trim) {
            Some("new") => Selection::New,
            Some(id) => Uuid::parse_str(id).map_or(Selection::Nothing, Selection::Prompt),
            None => Selection::Nothing,
        }
    }

    /// The page's address for this selection.
    pub fn href(self) -> String {
        match self {
            Selection::Nothing => "/prompts".to_owned(),
            Selection::New => "/prompts?id=new".to_owned(),
            Selection::Prompt(id) => format!("/prompts?id={id}"),
        }
    }
}

/// A server function's error as the person reads it: the Hub's own message
/// without the transport's prefix.
pub fn error_text(e: ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(message) => message,
        other => other.to_string(),
    }
}

/// The Prompt Hub page.
#[component]
pub fn PromptHub() -> impl IntoView {
    let query = use_query_map();
    let selection = Memo::new(move |_| query.with(|q| Selection::from_query(q.get_str("id"))));
    let actions = HubActions::new();
    // The variables' values live as long as the page: they survive saving
    // a new prompt, and a prompt using the same names finds them filled.
    let vars = VarState::new();
    let body = move || {
        match selection.get() {
        Selection::Nothing => view! {
            <div class="hub-empty">
                <p>"Pick a prompt on the left, or create a new one."</p>
                <p class="hint">"Templates use Jinja syntax: " <code>"{{ topic }}"</code> " is a variable."</p>
            </div>
        }
        .into_any(),
        Selection::New => view! { <NewPrompt vars actions/> }.into_any(),
        Selection::Prompt(id) => view! { <PromptPage id vars actions/> }.into_any(),
    }
    };
    view! {
        <div class="layout hub">
            <TopBar/>
            <aside class="sidebar hub-sidebar">
                <PromptList selection actions/>
            </aside>
            <main class="hub-main">{body}</main>
        </div>
    }
}

/// A prompt being created: an empty editor; saving creates the prompt with
/// its version 1 and opens it.
#[component]
fn NewPrompt(vars: VarState, actions: HubActions) -> impl IntoView {
    let draft = Draft::empty();
    let notice = RwSignal::new(None);
    view! { <Editor id=None draft vars notice actions/> }
}

/// A saved prompt: its editor and its versions.
///
/// The editor's fields are filled once, from the first load; later reloads
/// (after a save, a lifecycle change, a label) only refresh the versions
/// panel, so edits in progress are never replaced behind one's back. The
/// panel is made again on every reload, so what it says lives here.
#[component]
fn PromptPage(id: Uuid, vars: VarState, actions: HubActions) -> impl IntoView {
    let draft = Draft::empty();
    let filled = StoredValue::new(false);
    let notice = RwSignal::new(None);
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let first = Resource::new(|| (), move |_| get_prompt(id));
    let detail = Resource::new(move || actions.done(), move |_| get_prompt(id));
    // "Open in playground": the version rendered with the values, handed
    // over once it renders.
    let open = Action::new(
        move |(version, values): &(PromptVersion, BTreeMap<String, serde_json::Value>)| {
            let (version, values) = (version.clone(), values.clone());
            async move {
                let rendered = render_version(id, version.version, values)
                    .await
                    .map_err(error_text);
                rendered
                    .and_then(|r| version_handoff(&version, &r))
                    .map_err(|e| format!("v{}: {e}", version.version))
            }
        },
    );
    on_outcome(open, move |handoff: &Result<PlaygroundHandoff, String>| {
        if let Err(e) = hand_over(handoff.clone(), navigate.clone()) {
            error.set(Some(e));
        }
    });
    on_outcome(actions.change, move |done: &Done| {
        if done.prompt == id {
            error.set(done.result.clone().err());
        }
    });
    let panel = PanelState {
        error,
        busy: Signal::derive(move || actions.change.pending().get() || open.pending().get()),
        open,
    };
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading the prompt…"</p> }>
            {move || Suspend::new(async move {
                match first.await {
                    Ok(loaded) => {
                        // The same on the server and in the browser, so the
                        // hydrated page matches the rendered one.
                        if !filled.get_value() {
                            draft.fill(&loaded);
                            filled.set_value(true);
                        }
                        view! { <Editor id=Some(id) draft vars notice actions/> }.into_any()
                    }
                    Err(e) => view! {
                        <p class="error" role="alert">"Could not load the prompt: " {error_text(e)}</p>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
        <Transition fallback=|| view! { <p class="loading">"Loading the versions…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <VersionsPanel detail draft vars notice actions panel/> }.into_any(),
                    // The editor above already says why.
                    Err(_) => ().into_any(),
                }
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_selects_a_prompt_a_new_one_or_nothing() {
        assert_eq!(Selection::from_query(None), Selection::Nothing);
        assert_eq!(Selection::from_query(Some("new")), Selection::New);
        assert_eq!(Selection::from_query(Some("junk")), Selection::Nothing);
        let id = Uuid::nil();
        let read = Selection::from_query(Some(&id.to_string()));
        assert_eq!(read, Selection::Prompt(id));
        assert_eq!(
            Selection::from_query(Some(&read.href()["/prompts?id=".len()..])),
            read
        );
        assert_eq!(Selection::New.href(), "/prompts?id=new");
    }
}
