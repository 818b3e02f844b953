//! The stored conversations beside the playground: search them, reopen one
//! (its address is `/?conversation=<id>`, so it opens in any browser),
//! rename or delete it, or start a new chat.
//!
//! Renames and deletions are one Leptos action owned by the list: the list
//! is a resource keyed on the edits that landed, so it reloads after each
//! one, and a refused edit leaves the item as it was, with the reason.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use pep::conversations::ConversationSummary;
use uuid::Uuid;

use crate::action_outcome::{landed, on_outcome};
use crate::debounce::{debounced, SEARCH_DELAY};
use crate::history_api::{delete_conversation, list_conversations, rename_conversation};
use crate::hub::error_text;

/// How many conversations the list shows.
const SHOWN: u32 = 50;

/// A change made from the list.
#[derive(Debug, Clone)]
enum Edit {
    Rename { id: Uuid, title: String },
    Delete(Uuid),
}

impl Edit {
    fn id(&self) -> Uuid {
        match self {
            Self::Rename { id, .. } | Self::Delete(id) => *id,
        }
    }
}

/// What an edit did, with the conversation it was for.
#[derive(Debug, Clone)]
struct Edited {
    id: Uuid,
    deleted: bool,
    result: Result<(), String>,
}

async fn apply(edit: Edit) -> Edited {
    match edit {
        Edit::Rename { id, title } => Edited {
            id,
            deleted: false,
            result: rename_conversation(id, title)
                .await
                .map(drop)
                .map_err(error_text),
        },
        Edit::Delete(id) => Edited {
            id,
            deleted: true,
            result: delete_conversation(id).await.map_err(error_text),
        },
    }
}

/// The conversation list. `current` is the open conversation; `changed`
/// moves when a turn ends, so the list shows new titles and order.
#[component]
pub fn ConversationList(current: Signal<Option<Uuid>>, changed: Signal<usize>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let search = debounced(move || text.get(), SEARCH_DELAY);
    let edit = Action::new(|e: &Edit| apply(e.clone()));
    // Only edits that landed reload the list: a refused rename keeps its
    // form open with what was typed.
    let landed = landed(edit, |o: &Edited| o.result.is_ok());
    // Deleting the open conversation leaves it for a new chat.
    let navigate = use_navigate();
    on_outcome(edit, move |o: &Edited| {
        if o.deleted && o.result.is_ok() && current.get_untracked() == Some(o.id) {
            navigate("/", Default::default());
        }
    });
    let list = LocalResource::new(move || {
        let q = search.get();
        changed.track();
        landed.track();
        async move {
            list_conversations(q, Some(SHOWN), 0)
                .await
                .map_err(error_text)
        }
    });
    view! {
        <details class="history" open>
            <summary>"Conversations"</summary>
            <div class="history-tools">
                <A href="/" attr:class="button new-chat">"New chat"</A>
                <input
                    type="search"
                    class="history-search"
                    placeholder="Search titles"
                    aria-label="Search conversations"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
            </div>
            // A fixed-height region, and the old list kept while a new one
            // loads: the controls below never move when a turn adds to it.
            <div class="history-body">
            <Transition fallback=|| view! { <p class="loading">"Loading conversations…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(items) if items.is_empty() => {
                            let wanted = search.get_untracked().trim().to_owned();
                            let words = if wanted.is_empty() {
                                "No stored conversations yet: each chat is kept here as you send it.".to_owned()
                            } else {
                                format!("No conversation title contains “{wanted}”.")
                            };
                            view! { <p class="empty history-empty">{words}</p> }.into_any()
                        }
                        Ok(items) => view! {
                            <ul class="history-list">
                                {items.into_iter().map(|c| view! { <Item c current edit/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! {
                            <p class="error" role="alert">"Could not list the conversations: " {e}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
            </div>
        </details>
    }
}

/// What an item is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Show,
    Rename,
    ConfirmDelete,
}

#[component]
fn Item(
    c: ConversationSummary,
    current: Signal<Option<Uuid>>,
    edit: Action<Edit, Edited>,
) -> impl IntoView {
    let id = c.id;
    let mode = RwSignal::new(Mode::Show);
    let title = RwSignal::new(c.title.clone());
    // The reason this item's last edit was refused (a landed one reloads
    // the list, which makes the item again).
    let error = RwSignal::new(None::<String>);
    on_outcome(edit, move |o: &Edited| {
        if o.id == id {
            error.set(o.result.clone().err());
        }
    });
    let busy = move || {
        edit.input()
            .with(|e| e.as_ref().is_some_and(|e| e.id() == id))
    };
    let is_current = move || current.get() == Some(id);
    let rename = move || {
        let title = title.get_untracked().trim().to_owned();
        edit.dispatch(Edit::Rename { id, title });
    };
    let delete = move || {
        edit.dispatch(Edit::Delete(id));
    };
    let meta = format!(
        "{} · {} messages · {}",
        c.model.clone().unwrap_or_else(|| "no model".into()),
        c.message_count,
        short_time(&c.updated_at)
    );
    let original = c.title.clone();
    view! {
        <li class="history-item" class:current=is_current data-conversation-id=id.to_string()>
            {move || match mode.get() {
                Mode::Rename => view! {
                    <form class="rename" on:submit=move |ev| { ev.prevent_default(); rename(); }>
                        <input
                            type="text"
                            maxlength="200"
                            aria-label="New title"
                            prop:value=move || title.get()
                            on:input=move |ev| title.set(event_target_value(&ev))
                            on:keydown=move |ev| if ev.key() == "Escape" { mode.set(Mode::Show); }
                            autofocus
                        />
                        <button type="submit" disabled=busy>"Save"</button>
                        <button type="button" on:click=move |_| mode.set(Mode::Show)>"Cancel"</button>
                    </form>
                }.into_any(),
                Mode::ConfirmDelete => view! {
                    <div class="confirm" role="group" aria-label="Confirm delete">
                        <span>"Delete “" {original.clone()} "”?"</span>
                        <button type="button" class="danger" disabled=busy on:click=move |_| delete()>"Delete"</button>
                        <button type="button" on:click=move |_| mode.set(Mode::Show)>"Keep"</button>
                    </div>
                }.into_any(),
                Mode::Show => { let shown = original.clone(); view! {
                    <A href=format!("/?conversation={id}") attr:class="history-title" attr:aria-current=move || is_current().then_some("true")>
                        {shown}
                    </A>
                    <span class="history-meta">{meta.clone()}</span>
                    <span class="history-actions">
                        <button type="button" class="icon" aria-label="Rename conversation" on:click=move |_| mode.set(Mode::Rename)>"Rename"</button>
                        <button type="button" class="icon" aria-label="Delete conversation" on:click=move |_| mode.set(Mode::ConfirmDelete)>"Delete"</button>
                    </span>
                }.into_any() }
            }}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </li>
    }
}

/// `2026-11-27T05:12:51.123Z` → `2026-11-27 05:12` (UTC, as stored).
pub fn short_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time}"),
        _ => rfc3339.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::short_time;

    #[test]
    fn times_are_shortened_to_the_minute() {
        assert_eq!(short_time("2026-11-27T05:12:51.123Z"), "2026-11-27 05:12");
        assert_eq!(short_time("soon"), "soon");
    }
}
