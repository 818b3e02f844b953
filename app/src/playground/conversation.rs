//! The message list. Each entry owns its own signals so a streamed token
//! updates one message, not the whole list. Replies render as sanitized
//! Markdown; every message can be copied; the last user message can be
//! edited and resent, the last reply regenerated.

use leptos::prelude::*;
use pep::chat::{Message, Role, Usage};
use pep::runs::{RunMetrics, RunStatus};
use uuid::Uuid;

use super::clipboard;
use super::markdown;

/// The end of an assistant turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub run_id: Option<Uuid>,
    pub status: RunStatus,
    pub usage: Usage,
    pub metrics: Option<RunMetrics>,
    pub error: Option<String>,
}

/// One message on screen.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub key: u64,
    pub role: Role,
    pub text: RwSignal<String>,
    /// Deltas received so far (live progress while streaming).
    pub deltas: RwSignal<u32>,
    pub run_id: RwSignal<Option<Uuid>>,
    /// `None` while the reply is still streaming.
    pub outcome: RwSignal<Option<Outcome>>,
}

impl Entry {
    pub fn new(role: Role, text: String) -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let key = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let done = (role == Role::User).then(|| Outcome {
            run_id: None,
            status: RunStatus::Ok,
            usage: Usage::default(),
            metrics: None,
            error: None,
        });
        Self {
            key,
            role,
            text: RwSignal::new(text),
            deltas: RwSignal::new(0),
            run_id: RwSignal::new(None),
            outcome: RwSignal::new(done),
        }
    }
}

/// The conversation to send with the next turn: every user message, and
/// every assistant reply that produced text (a stopped reply counts with what
/// arrived; a failed one is left out).
pub fn history(entries: &[Entry]) -> Vec<Message> {
    entries
        .iter()
        .filter_map(|e| {
            let text = e.text.get_untracked();
            let keep = match e.role {
                Role::User => true,
                _ => {
                    !text.is_empty()
                        && e.outcome
                            .get_untracked()
                            .is_some_and(|o| o.status != RunStatus::Failed)
                }
            };
            keep.then(|| Message::new(e.role, text))
        })
        .collect()
}

/// What the message actions ask the page to do.
#[derive(Debug, Clone, Copy)]
pub struct Actions {
    /// Put the last user message back in the composer, dropping it and the
    /// reply after it.
    pub edit_last: Callback<()>,
    /// Ask again for the last reply.
    pub regenerate: Callback<()>,
    /// A turn is running: actions that would change the history wait.
    pub busy: Signal<bool>,
}

#[component]
pub fn Conversation(entries: RwSignal<Vec<Entry>>, actions: Actions) -> impl IntoView {
    let last_user = Memo::new(move |_| {
        entries.with(|v| v.iter().rev().find(|e| e.role == Role::User).map(|e| e.key))
    });
    let last_reply = Memo::new(move |_| {
        entries.with(|v| {
            v.last()
                .filter(|e| e.role == Role::Assistant)
                .map(|e| e.key)
        })
    });
    view! {
        <section class="messages" aria-live="polite" aria-label="Conversation">
            <Show when=move || entries.with(Vec::is_empty)>
                <p class="empty">"Send a message to start. Replies stream in as the model writes them."</p>
            </Show>
            <For each=move || entries.get() key=|e| e.key let:entry>
                <MessageView
                    entry
                    is_last_user=Signal::derive(move || last_user.get() == Some(entry.key))
                    is_last_reply=Signal::derive(move || last_reply.get() == Some(entry.key))
                    actions
                />
            </For>
        </section>
    }
}

#[component]
fn MessageView(
    entry: Entry,
    is_last_user: Signal<bool>,
    is_last_reply: Signal<bool>,
    actions: Actions,
) -> impl IntoView {
    let (class, who) = match entry.role {
        Role::User => ("msg msg-user", "You"),
        Role::Assistant => ("msg msg-assistant", "Model"),
        Role::System => ("msg msg-system", "System"),
    };
    let status = move || match entry.outcome.get() {
        None => "streaming".to_owned(),
        Some(o) => o.status.as_str().to_owned(),
    };
    let copied = RwSignal::new(false);
    let copy = move |_| {
        clipboard::copy(entry.text.get_untracked(), copied);
    };
    // Clicks on a code block's copy button, handled once per message.
    let on_body_click = move |ev: leptos::ev::MouseEvent| clipboard::copy_code_block(&ev);
    let body = if entry.role == Role::Assistant {
        view! {
            <div
                class="text markdown"
                on:click=on_body_click
                inner_html=move || markdown::to_html(&entry.text.get())
            ></div>
        }
        .into_any()
    } else {
        view! { <div class="text plain">{move || entry.text.get()}</div> }.into_any()
    };
    let idle = move || !actions.busy.get();
    view! {
        <article class=class data-status=status data-run-id=move || entry.run_id.get().map(|id| id.to_string())>
            <header class="who">
                {(entry.role == Role::Assistant).then(|| view! { <span class="avatar" aria-hidden="true">"◆"</span> })}
                <span class="name">{who}</span>
                <span class="msg-actions">
                    <button type="button" class="icon copy" on:click=copy aria-label=format!("Copy {} message", who.to_lowercase())>
                        {move || if copied.get() { "Copied" } else { "Copy" }}
                    </button>
                    <Show when=move || is_last_user.get() && idle()>
                        <button type="button" class="icon edit" on:click=move |_| actions.edit_last.run(()) aria-label="Edit and resend">
                            "Edit"
                        </button>
                    </Show>
                    <Show when=move || is_last_reply.get() && idle()>
                        <button type="button" class="icon regenerate" on:click=move |_| actions.regenerate.run(()) aria-label="Regenerate reply">
                            "Regenerate"
                        </button>
                    </Show>
                </span>
            </header>
            {body}
            {move || (entry.role == Role::Assistant).then(|| view! { <Badges entry/> })}
        </article>
    }
}

/// Figures under an assistant reply: live progress, then what the run measured.
#[component]
fn Badges(entry: Entry) -> impl IntoView {
    move || {
        match entry.outcome.get() {
        None => view! {
            <footer class="badges">
                <span class="badge live">"streaming · " {move || entry.deltas.get()} " chunks"</span>
            </footer>
        }
        .into_any(),
        Some(o) => {
            let status = o.status.as_str();
            let m = o.metrics.unwrap_or_default();
            let fmt_ms = |v: f64| format!("{v:.0} ms");
            view! {
                <footer class="badges">
                    <span class=format!("badge status-{status}")>{status}</span>
                    {o.metrics.and(m.ttft_ms).map(|t| view! { <span class="badge" title="time to first token">"TTFT " {fmt_ms(t)}</span> })}
                    {o.metrics.map(|_| view! { <span class="badge" title="total latency">"latency " {fmt_ms(m.latency_ms)}</span> })}
                    {m.tokens_per_second.map(|t| view! { <span class="badge" title="decode speed">{format!("{t:.1} tok/s")}</span> })}
                    {o.metrics.map(|_| view! {
                        <span class="badge" title="tokens in / out">{format!("{} in · {} out", o.usage.input_tokens, o.usage.output_tokens)}</span>
                        <span class="badge" title="cost">{format!("${:.6}", m.cost_usd)}</span>
                    })}
                    {o.error.map(|e| view! { <span class="error" role="alert">{e}</span> })}
                </footer>
            }
            .into_any()
        }
    }
    }
}
