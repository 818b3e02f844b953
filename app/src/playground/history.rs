//! The stored conversations beside the playground: search them, reopen one
//! (its address is `/?conversation=<id>`, so it opens in any browser),
//! rename or delete it, or start a new chat.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use pep::conversations::ConversationSummary;
use uuid::Uuid;

use crate::debounce::{debounced, SEARCH_DELAY};
use crate::history_api::{delete_conversation, list_conversations, rename_conversation};
use crate::hub::error_text;

/// How many conversations the list shows.
const SHOWN: u32 = 50;

/// The conversation list. `current` is the open conversation; `changed`
/// moves when a turn ends, so the list shows new titles and order.
#[component]
pub fn ConversationList(current: Signal<Option<Uuid>>, changed: Signal<usize>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let search = debounced(move || text.get(), SEARCH_DELAY);
    // Bumped by a rename or delete made here.
    let edited = RwSignal::new(0_u32);
    // Deleting the open conversation leaves it for a new chat.
    let navigate = use_navigate();
    let leave = Callback::new(move |()| navigate("/", Default::default()));
    let list = LocalResource::new(move || {
        let q = search.get();
        changed.track();
        edited.track();
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
                                {items.into_iter().map(|c| view! { <Item c current edited leave/> }).collect_view()}
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
    edited: RwSignal<u32>,
    leave: Callback<()>,
) -> impl IntoView {
    let id = c.id;
    let mode = RwSignal::new(Mode::Show);
    let title = RwSignal::new(c.title.clone());
    let error = RwSignal::new(None::<String>);
    let is_current = move || current.get() == Some(id);
    let rename = move || {
        let wanted = title.get_untracked().trim().to_owned();
        leptos::task::spawn_local(async move {
            match rename_conversation(id, wanted).await {
                Ok(_) => {
                    error.set(None);
                    mode.set(Mode::Show);
                    edited.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(error_text(e))),
            }
        });
    };
    let delete = move || {
        leptos::task::spawn_local(async move {
            match delete_conversation(id).await {
                Ok(()) => {
                    if current.get_untracked() == Some(id) {
                        leave.run(());
                    }
                    edited.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(error_text(e))),
            }
        });
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
                        <button type="submit">"Save"</button>
                        <button type="button" on:click=move |_| mode.set(Mode::Show)>"Cancel"</button>
                    </form>
                }.into_any(),
                Mode::ConfirmDelete => view! {
                    <div class="confirm" role="group" aria-label="Confirm delete">
                        <span>"Delete “" {original.clone()} "”?"</span>
                        <button type="button" class="danger" on:click=move |_| delete()>"Delete"</button>
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
