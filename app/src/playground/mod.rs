//! The playground page: pick a model, tune it, chat with it, watch the reply
//! stream in and see what the run measured.

mod clipboard;
mod composer;
mod controls;
mod conversation;
mod delimiters;
mod history;
mod markdown;
mod resume;
mod session;
mod settings;
mod structured;
mod turn;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use pep::catalog::ModelInfo;
use pep::chat::{ChatRequest, Message, Role};
use pep::outcome::PromptRef;
use uuid::Uuid;

use crate::action_outcome::on_outcome;
use crate::api::{list_models, ui_settings};
pub use history::short_time;
pub use settings::{split_system_text, system_text};

use composer::Composer;
use controls::Controls;
use conversation::{Actions, Conversation, Entry};
use settings::{Delivery, Settings};

/// The playground page.
#[component]
pub fn Playground() -> impl IntoView {
    let models = Resource::new(|| (), |_| list_models());
    let settings = Settings::new();
    let entries: RwSignal<Vec<Entry>> = RwSignal::new(Vec::new());
    let input = RwSignal::new(String::new());
    let notice: RwSignal<Option<String>> = RwSignal::new(None);
    let turn = turn::TurnState::new();
    let session = session::Session::new();
    // The stored conversation the next turn joins (made on the first turn),
    // and the saved prompt version the setup came from.
    let conversation_id: RwSignal<Option<Uuid>> = RwSignal::new(None);
    let prompt_ref: RwSignal<Option<PromptRef>> = RwSignal::new(None);
    // Entries are made under the page's owner: one made under a message's
    // button handler would be disposed with that message (a regenerate
    // removes the message whose button was clicked).
    // Thread-safe storage: the server renders a page on whichever worker
    // thread polls it, and a thread-local value dropped on another panics.
    let page_owner = StoredValue::new(Owner::current());
    let new_entry =
        move |role: Role, text: String| within(page_owner.get_value(), || Entry::new(role, text));
    // The address names the open conversation, so a reload (or another
    // browser) resumes it.
    let navigate = use_navigate();
    let show_in_url = Callback::new(move |id: Option<Uuid>| {
        let url = id.map_or_else(|| "/".to_owned(), |id| format!("/?conversation={id}"));
        navigate(
            &url,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    });

    // The model in use: the one picked, else the first available one.
    let current = Memo::new(move |_| {
        let list = models.get().and_then(Result::ok).unwrap_or_default();
        pick_model(&list, settings.model.get().as_deref())
    });

    // A turn, from the request to its stored run; and the server's check
    // of the response format before a message goes. Both hold the page
    // busy; the conversation list reloads when a turn ends.
    let turns = Action::new_unsync(
        move |(request, reply, delivery): &(ChatRequest, Entry, Delivery)| {
            turn.run(request.clone(), *reply, *delivery)
        },
    );
    let checks = Action::new_unsync(move |text: &String| {
        let text = text.clone();
        async move {
            let approved = structured::check(settings.response, current.get_untracked()).await;
            (text, approved)
        }
    });
    let busy = Signal::derive(move || turns.pending().get() || checks.pending().get());
    on_outcome(turns, move |()| session.touch());

    // Starts a turn answering `history` (which ends with the user's
    // message). Returns false, with a notice, when nothing could be sent.
    let start_turn = move |history: Vec<Message>| -> bool {
        let Some(model) = current.get_untracked() else {
            notice.set(Some(
                "No model is available: see the model list for the reason.".into(),
            ));
            return false;
        };
        let params = match settings.params(&model) {
            Ok(p) => p,
            Err(e) => {
                notice.set(Some(e));
                return false;
            }
        };
        if !settings.response.problems.with_untracked(Vec::is_empty) {
            notice.set(Some(
                "Fix the JSON schema first: its problems are listed under the editor.".into(),
            ));
            return false;
        }
        notice.set(None);
        session.notice.set(None);
        session.touch();
        let mut messages: Vec<Message> = settings.system_message().into_iter().collect();
        messages.extend(history);
        let request = ChatRequest {
            model: model.id.clone(),
            messages,
            params,
            session_id: session.current(),
            conversation_id: Some(conversation_id.get_untracked().unwrap_or_else(|| {
                let id = session::new_uuid();
                conversation_id.set(Some(id));
                show_in_url.run(Some(id));
                id
            })),
            prompt: prompt_ref.get_untracked(),
        };
        let reply = new_entry(Role::Assistant, String::new());
        entries.update(|v| v.push(reply));
        turns.dispatch_local((request, reply, settings.delivery.get_untracked()));
        true
    };

    // Sends the composer's message once the server has approved the
    // response format (a schema is checked against the model's provider).
    let send = move || {
        let text = input.get_untracked();
        if !busy.get_untracked() && !text.trim().is_empty() {
            checks.dispatch_local(text);
        }
    };
    on_outcome(checks, move |(text, approved): &(String, bool)| {
        if !approved {
            notice.set(Some(
                "Fix the JSON schema first: its problems are listed under the editor.".into(),
            ));
            return;
        }
        let mut history = conversation::history(&entries.get_untracked());
        history.push(Message::new(Role::User, text.clone()));
        let user = new_entry(Role::User, text.clone());
        entries.update(|v| v.push(user));
        if start_turn(history) {
            input.set(String::new());
        } else {
            // Nothing was sent: the message stays in the composer.
            entries.update(|v| {
                v.pop();
            });
        }
    });

    // Drops the last exchange and puts its message back in the composer.
    let edit_last = move || {
        if busy.get_untracked() {
            return;
        }
        let mut list = entries.get_untracked();
        let Some(pos) = list.iter().rposition(|e| e.role == Role::User) else {
            return;
        };
        input.set(list[pos].text.get_untracked());
        list.truncate(pos);
        entries.set(list);
    };

    // Asks again for the last reply, from the same conversation.
    let regenerate = move || {
        if busy.get_untracked() {
            return;
        }
        let mut list = entries.get_untracked();
        if list.last().is_some_and(|e| e.role == Role::Assistant) {
            list.pop();
        }
        if !list.last().is_some_and(|e| e.role == Role::User) {
            return;
        }
        let history = conversation::history(&list);
        entries.set(list);
        start_turn(history);
    };

    let stop = move || turn.stop();
    // A new conversation: the next turn starts a new stored one.
    let forget_conversation = move || {
        entries.set(Vec::new());
        notice.set(None);
        if conversation_id.get_untracked().is_some() {
            conversation_id.set(None);
            show_in_url.run(None);
        }
    };
    let clear = move || {
        if !busy.get_untracked() {
            forget_conversation();
            input.set(String::new());
            prompt_ref.set(None);
            settings.clear_prompt_fields();
        }
    };
    // A prompt handed over from the Prompt Hub (or a run from the runs
    // page) fills the fields once.
    Effect::new(move |_| {
        let Some(mut handoff) = crate::handoff::take_handoff() else {
            return;
        };
        let earlier = std::mem::take(&mut handoff.history);
        if handoff.whole || handoff.prompt.is_some() {
            forget_conversation();
            entries.set(
                earlier
                    .into_iter()
                    .filter(|m| m.role != Role::System)
                    .map(|m| new_entry(m.role, m.content))
                    .collect(),
            );
        }
        prompt_ref.set(
            handoff
                .prompt
                .map(|(prompt_id, version)| PromptRef { prompt_id, version }),
        );
        if let Some(message) = settings.apply_handoff(handoff) {
            input.set(message);
        }
    });

    // `/?conversation=<id>` opens a stored conversation; going back to `/`
    // (New chat) leaves it.
    let query = use_query_map();
    let wanted = Memo::new(move |_| {
        query.with(|q| {
            q.get_str("conversation")
                .and_then(|s| Uuid::parse_str(s).ok())
        })
    });
    Effect::new(move |_| {
        let wanted = wanted.get();
        if wanted == conversation_id.get_untracked() {
            return;
        }
        if busy.get_untracked() {
            turn.stop();
        }
        match wanted {
            None => forget_conversation(),
            Some(id) => {
                notice.set(None);
                leptos::task::spawn_local(async move {
                    match resume::load(id).await {
                        Ok(opened) => {
                            conversation_id.set(Some(id));
                            prompt_ref.set(opened.prompt);
                            if let Some((model, params)) = &opened.setup {
                                settings.restore(model.clone(), params, opened.system.as_deref());
                            }
                            entries.set(
                                opened
                                    .messages
                                    .iter()
                                    .map(|m| within(page_owner.get_value(), || Entry::stored(m)))
                                    .collect(),
                            );
                        }
                        Err(e) => notice.set(Some(e)),
                    }
                });
            }
        }
    });

    // The session begins in the browser; its idle limit comes from the server.
    let idle = LocalResource::new(ui_settings);
    Effect::new(move |started: Option<bool>| {
        if started == Some(true) {
            return true;
        }
        session.begin();
        match idle.get() {
            Some(Ok(s)) => {
                session.watch_idle(
                    s.session_idle_minutes,
                    Signal::derive(move || entries.with(|v| !v.is_empty())),
                    Callback::new(move |()| forget_conversation()),
                );
                true
            }
            _ => false,
        }
    });
    let actions = Actions {
        edit_last: Callback::new(move |()| edit_last()),
        regenerate: Callback::new(move |()| regenerate()),
        busy,
    };

    // The first stop of the Tab key: straight to the message box, past the
    // links, the conversation list and every control.
    let skip_to_message = move |ev: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        ev.prevent_default();
        if let Some(el) = document()
            .get_element_by_id("message")
            .and_then(|el| el.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        {
            let _ = el.focus();
        }
    };
    // On a narrow screen the conversations and settings are a drawer, so
    // the chat and its composer come first; on a wide one they are a column
    // and the toggle is hidden.
    let drawer = RwSignal::new(false);
    // Opening a conversation (or a new chat) from the drawer shows it.
    Effect::new(move |_| {
        wanted.track();
        drawer.set(false);
    });
    let close_on_escape = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" && drawer.get_untracked() {
            drawer.set(false);
        }
    };
    view! {
        <div class="layout playground-layout" class:drawer-open=move || drawer.get() on:keydown=close_on_escape>
            <a class="skip-link" href="#message" on:click=skip_to_message>"Skip to the message box"</a>
            <crate::nav::TopBar>
                <button
                    type="button"
                    class="drawer-toggle"
                    aria-controls="sidebar"
                    aria-expanded=move || drawer.get().to_string()
                    on:click=move |_| drawer.update(|open| *open = !*open)
                >
                    "Settings & chats"
                </button>
                <span class="session">
                    {move || {
                        let id = session.id.get();
                        (!id.is_empty()).then(|| view! {
                            <span class="session-id" data-session-id=id.clone() title=format!("session {id}")>
                                "session " {session::short(&id).to_owned()}
                            </span>
                        })
                    }}
                </span>
            </crate::nav::TopBar>
            <div class="drawer-backdrop" aria-hidden="true" on:click=move |_| drawer.set(false)></div>
            <aside id="sidebar" class="sidebar" aria-label="Conversations and model settings">
                <button type="button" class="drawer-close" on:click=move |_| drawer.set(false)>"Close"</button>
                <history::ConversationList current=conversation_id.into() changed=turns.version().into()/>
                <Suspense fallback=|| view! { <p class="loading">"Loading models…"</p> }>
                    {move || Suspend::new(async move {
                        match models.await {
                            Ok(list) => view! { <Controls models=list settings current/> }.into_any(),
                            Err(e) => view! {
                                <p class="error" role="alert">"Could not load the models: " {e.to_string()}</p>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </aside>
            <main class="chat">
                {move || session.notice.get().map(|n| view! { <p class="session-notice" role="status">{n}</p> })}
                <Conversation entries actions/>
                {move || notice.get().map(|n| view! { <p class="error notice" role="alert">{n}</p> })}
                <Composer
                    input
                    busy
                    on_send=Callback::new(move |()| send())
                    on_stop=Callback::new(move |()| stop())
                    on_clear=Callback::new(move |()| clear())
                />
            </main>
        </div>
    }
}

/// Runs `make` under `owner` when there is one, so that what it creates
/// lives as long as that owner rather than the current one.
fn within<T>(owner: Option<Owner>, make: impl FnOnce() -> T) -> T {
    match owner {
        Some(owner) => owner.with(make),
        None => make(),
    }
}

/// The picked model if it is available, else the first available one.
fn pick_model(list: &[ModelInfo], picked: Option<&str>) -> Option<ModelInfo> {
    let available = |m: &&ModelInfo| m.unavailable.is_none();
    picked
        .and_then(|id| list.iter().filter(available).find(|m| m.id == id))
        .or_else(|| list.iter().find(available))
        .cloned()
}
