//! The playground page: pick a model, tune it, chat with it, watch the reply
//! stream in and see what the run measured.

mod controls;
mod conversation;
mod turn;

use leptos::prelude::*;
use pep::catalog::ModelInfo;
use pep::chat::Role;

use crate::api::list_models;
use controls::{Controls, Settings};
use conversation::{Conversation, Entry};

/// The playground page.
#[component]
pub fn Playground() -> impl IntoView {
    let models = Resource::new(|| (), |_| list_models());
    let settings = Settings::new();
    let entries: RwSignal<Vec<Entry>> = RwSignal::new(Vec::new());
    let busy = RwSignal::new(false);
    let input = RwSignal::new(String::new());
    let notice: RwSignal<Option<String>> = RwSignal::new(None);
    let turn = turn::TurnState::new();

    // The model in use: the one picked, else the first available one.
    let current = Memo::new(move |_| {
        let list = models.get().and_then(Result::ok).unwrap_or_default();
        pick_model(&list, settings.model.get().as_deref())
    });

    let send = move || {
        if busy.get_untracked() {
            return;
        }
        let text = input.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        let Some(model) = current.get_untracked() else {
            notice.set(Some(
                "No model is available: see the model list for the reason.".into(),
            ));
            return;
        };
        notice.set(None);
        let mut history = conversation::history(&entries.get_untracked());
        let system = settings.system.get_untracked();
        if !system.trim().is_empty() {
            history.insert(0, pep::chat::Message::new(Role::System, system));
        }
        history.push(pep::chat::Message::new(Role::User, text.clone()));
        let request = pep::chat::ChatRequest {
            model: model.id.clone(),
            messages: history,
            params: settings.params(&model),
            session_id: None,
        };
        let user = Entry::new(Role::User, text);
        let reply = Entry::new(Role::Assistant, String::new());
        entries.update(|v| {
            v.push(user);
            v.push(reply);
        });
        input.set(String::new());
        busy.set(true);
        leptos::task::spawn_local(async move {
            turn.run(request, reply).await;
            busy.set(false);
        });
    };

    let stop = move || turn.stop();
    let clear = move || {
        if !busy.get_untracked() {
            entries.set(Vec::new());
            input.set(String::new());
            notice.set(None);
        }
    };

    view! {
        <div class="layout">
            <header class="topbar">
                <h1>"PEP" <span class="subtitle">"Prompt Engineering Playground"</span></h1>
            </header>
            <aside class="sidebar">
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
                <Conversation entries/>
                {move || notice.get().map(|n| view! { <p class="error" role="alert">{n}</p> })}
                <div class="composer">
                    <textarea
                        id="message"
                        aria-label="Message"
                        placeholder="Message (Enter sends, Shift+Enter for a new line, Esc stops)"
                        rows="3"
                        prop:value=move || input.get()
                        on:input=move |ev| input.set(event_target_value(&ev))
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                                ev.prevent_default();
                                send();
                            } else if ev.key() == "Escape" && busy.get_untracked() {
                                ev.prevent_default();
                                stop();
                            }
                        }
                    ></textarea>
                    <div class="actions">
                        <button
                            id="send"
                            class="primary"
                            on:click=move |_| send()
                            disabled=move || busy.get() || input.get().trim().is_empty()
                        >
                            "Send"
                        </button>
                        <button id="stop" on:click=move |_| stop() disabled=move || !busy.get()>
                            "Stop"
                        </button>
                        <button id="clear" on:click=move |_| clear() disabled=move || busy.get()>
                            "Clear"
                        </button>
                    </div>
                </div>
            </main>
        </div>
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
