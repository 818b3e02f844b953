//! The message list. Each entry owns its own signals so a streamed token
//! updates one text node, not the whole list.

use leptos::prelude::*;
use pep::chat::{Message, Role, Usage};
use pep::runs::{RunMetrics, RunStatus};
use uuid::Uuid;

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

#[component]
pub fn Conversation(entries: RwSignal<Vec<Entry>>) -> impl IntoView {
    view! {
        <section class="messages" aria-live="polite">
            <Show when=move || entries.with(Vec::is_empty)>
                <p class="empty">"Send a message to start. Replies stream in as the model writes them."</p>
            </Show>
            <For each=move || entries.get() key=|e| e.key let:entry>
                <MessageView entry/>
            </For>
        </section>
    }
}

#[component]
fn MessageView(entry: Entry) -> impl IntoView {
    let (class, who) = match entry.role {
        Role::User => ("msg msg-user", "You"),
        Role::Assistant => ("msg msg-assistant", "Model"),
        Role::System => ("msg msg-system", "System"),
    };
    let status = move || match entry.outcome.get() {
        None => "streaming".to_owned(),
        Some(o) => o.status.as_str().to_owned(),
    };
    view! {
        <article class=class data-status=status data-run-id=move || entry.run_id.get().map(|id| id.to_string())>
            <header class="who">
                {(entry.role == Role::Assistant).then(|| view! { <span class="avatar" aria-hidden="true">"◆"</span> })}
                {who}
            </header>
            <div class="text">{move || entry.text.get()}</div>
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
