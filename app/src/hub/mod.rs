//! The Prompt Hub page (`/prompts`): find, write, version, label, diff and
//! render prompt templates, and hand them over to the playground.
//!
//! The selected prompt is in the URL (`/prompts?id=<uuid>`, `?id=new` for a
//! new one), so a prompt can be linked to and Back works. The page is made
//! of one part per file: [`list`] (search, tags, delete), [`editor`] (the
//! prompt and the version being written), [`variables`] and [`preview`]
//! (the live render), [`versions`] (lifecycle, labels), [`diff`] and
//! [`launch`] (the handoff to the playground).

mod diff;
mod draft;
mod editor;
mod launch;
mod list;
mod preview;
mod variables;
mod versions;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFnError;
use uuid::Uuid;

use crate::hub_api::get_prompt;
use crate::nav::TopBar;
use draft::Draft;
use editor::Editor;
use list::PromptList;
use variables::VarState;
use versions::VersionsPanel;

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
    // Bumped after every change that the list shows (save, rename, delete).
    let refresh = RwSignal::new(0_u32);
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
        Selection::New => view! { <NewPrompt vars refresh/> }.into_any(),
        Selection::Prompt(id) => view! { <PromptPage id vars refresh/> }.into_any(),
    }
    };
    view! {
        <div class="layout hub">
            <TopBar/>
            <aside class="sidebar hub-sidebar">
                <PromptList selection refresh/>
            </aside>
            <main class="hub-main">{body}</main>
        </div>
    }
}

/// A prompt being created: an empty editor; saving creates the prompt with
/// its version 1 and opens it.
#[component]
fn NewPrompt(vars: VarState, refresh: RwSignal<u32>) -> impl IntoView {
    let draft = Draft::empty();
    let notice = RwSignal::new(None);
    let on_saved = Callback::new(move |()| refresh.update(|n| *n += 1));
    view! { <Editor id=None draft vars notice on_saved/> }
}

/// A saved prompt: its editor and its versions.
///
/// The editor's fields are filled once, from the first load; later reloads
/// (after a save, a lifecycle change, a label) only refresh the versions
/// panel, so edits in progress are never replaced behind one's back.
#[component]
fn PromptPage(id: Uuid, vars: VarState, refresh: RwSignal<u32>) -> impl IntoView {
    let draft = Draft::empty();
    let filled = StoredValue::new(false);
    let notice = RwSignal::new(None);
    let reload = RwSignal::new(0_u32);
    let first = Resource::new(|| (), move |_| get_prompt(id));
    let detail = Resource::new(move || reload.get(), move |_| get_prompt(id));
    let on_saved = Callback::new(move |()| {
        reload.update(|n| *n += 1);
        refresh.update(|n| *n += 1);
    });
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
                        view! { <Editor id=Some(id) draft vars notice on_saved/> }.into_any()
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
                    Ok(detail) => view! { <VersionsPanel detail draft vars notice on_changed=on_saved/> }.into_any(),
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
