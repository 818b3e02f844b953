//! The message list. Each entry owns its own signals so a streamed token
//! updates one message, not the whole list. Replies render as sanitized
//! Markdown; every message can be copied; the last user message can be
//! edited and resent, the last reply regenerated.

use leptos::prelude::*;
use pep::chat::{Message, Role, ToolCall};
use pep::outcome::Usage;
use pep::outcome::Validation;
use pep::outcome::{Rating, RunMetrics, RunStatus};
use uuid::Uuid;

use super::clipboard;
use super::markdown;
use crate::api::set_feedback;
use crate::icons::Thumb;

/// The end of an assistant turn.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub run_id: Option<Uuid>,
    pub status: RunStatus,
    pub usage: Usage,
    pub metrics: Option<RunMetrics>,
    pub error: Option<String>,
    /// False when the server could not write the run to the history.
    pub stored: bool,
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
    /// The model's visible reasoning, shown folded above the reply.
    pub reasoning: RwSignal<String>,
    pub tool_calls: RwSignal<Vec<ToolCall>>,
    /// Figures while streaming, replaced by the outcome's at the end.
    pub live: RwSignal<Option<(Usage, RunMetrics)>>,
    pub trace_id: RwSignal<Option<String>>,
    /// The verdict on a JSON reply.
    pub validation: RwSignal<Option<Validation>>,
    pub feedback: RwSignal<Option<Rating>>,
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
            stored: true,
        });
        Self {
            key,
            role,
            text: RwSignal::new(text),
            deltas: RwSignal::new(0),
            run_id: RwSignal::new(None),
            outcome: RwSignal::new(done),
            reasoning: RwSignal::new(String::new()),
            tool_calls: RwSignal::new(Vec::new()),
            live: RwSignal::new(None),
            trace_id: RwSignal::new(None),
            validation: RwSignal::new(None),
            feedback: RwSignal::new(None),
        }
    }
}

impl Entry {
    /// A message of a stored conversation, as it was when it was saved:
    /// an assistant reply keeps its run (for feedback), its rating, how the
    /// run ended and its figures.
    pub fn stored(stored: &pep::conversations::ConversationMessage) -> Self {
        let entry = Entry::new(stored.message.role, stored.message.content.clone());
        if stored.message.role == Role::Assistant {
            entry.run_id.set(stored.run_id);
            let outcome = stored.outcome.as_ref();
            entry.outcome.set(Some(Outcome {
                run_id: stored.run_id,
                // A reply whose run is not stored was stored with its
                // conversation, so it had ended well enough to keep.
                status: outcome.map_or(RunStatus::Ok, |o| o.status),
                usage: outcome.map(|o| o.usage).unwrap_or_default(),
                metrics: outcome.map(|o| o.metrics),
                error: outcome.and_then(|o| o.error.clone()),
                stored: true,
            }));
            entry.trace_id.set(outcome.and_then(|o| o.trace_id.clone()));
            entry.tool_calls.set(stored.message.tool_calls.clone());
            entry.feedback.set(stored.feedback);
        }
        entry
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

/// How near the bottom (in CSS pixels) still counts as reading the newest
/// message: the view follows the reply from there.
const FOLLOW_SLACK_PX: i32 = 48;

/// The conversation follows the newest message (a streaming reply, a
/// reopened conversation) while the reader is at the bottom. Once they
/// scroll up it stays where they are, and "Jump to latest" brings them
/// back.
#[component]
pub fn Conversation(entries: RwSignal<Vec<Entry>>, actions: Actions) -> impl IntoView {
    let list = NodeRef::<leptos::html::Section>::new();
    let following = RwSignal::new(true);
    let at_bottom = move || {
        list.get_untracked().is_none_or(|el| {
            el.scroll_height() - el.scroll_top() - el.client_height() <= FOLLOW_SLACK_PX
        })
    };
    let to_bottom = move || {
        if let Some(el) = list.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    };
    Effect::new(move |shown: Option<usize>| {
        // What makes the conversation taller: a message, or the newest one
        // growing as it streams.
        let (count, sent) = entries.with(|v| {
            if let Some(last) = v.last() {
                last.text.track();
                last.reasoning.track();
                last.outcome.track();
            }
            let sent = v.iter().rev().take(2).any(|e| e.role == Role::User);
            (v.len(), sent)
        });
        // Sending a message is asking to see its reply.
        if sent && shown.is_some_and(|n| n < count) {
            following.set(true);
        }
        if following.get_untracked() {
            // Asked again when the frame comes: the reader may have
            // scrolled up in between.
            request_animation_frame(move || {
                if following.get_untracked() {
                    to_bottom();
                }
            });
        }
        count
    });
    let jump = move |_| {
        following.set(true);
        to_bottom();
    };
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
        <section
            class="messages"
            aria-live="polite"
            aria-label="Conversation"
            node_ref=list
            on:scroll=move |_| following.set(at_bottom())
        >
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
            <Show when=move || !following.get() && !entries.with(Vec::is_empty)>
                <button type="button" class="jump-latest" on:click=jump>"Jump to latest ↓"</button>
            </Show>
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
            // The figures sit above the text: updated while it streams,
            // they are never pushed down by it (no layout shift).
            {(entry.role == Role::Assistant).then(|| view! {
                <Badges entry/>
                <Reasoning entry/>
            })}
            {body}
            {(entry.role == Role::Assistant).then(|| view! {
                <ToolCalls entry/>
                <ValidationView entry/>
                <Feedback entry/>
            })}
        </article>
    }
}

/// The model's reasoning, folded: open it to read how it got there.
#[component]
fn Reasoning(entry: Entry) -> impl IntoView {
    view! {
        <Show when=move || !entry.reasoning.with(String::is_empty)>
            <details class="reasoning">
                <summary>"Reasoning"</summary>
                <div class="text plain">{move || entry.reasoning.get()}</div>
            </details>
        </Show>
    }
}

/// The tool calls the model made, with their arguments.
#[component]
fn ToolCalls(entry: Entry) -> impl IntoView {
    view! {
        <For each=move || entry.tool_calls.get() key=|c| (c.id.clone(), c.name.clone()) let:call>
            <div class="tool-call">
                <span class="badge">"tool call"</span>
                <code>{call.name.clone()} "(" {call.arguments.clone()} ")"</code>
            </div>
        </For>
    }
}

/// Whether a JSON reply kept to its format, and where it did not.
#[component]
fn ValidationView(entry: Entry) -> impl IntoView {
    move || {
        entry.validation.get().map(|v| {
            if v.valid {
                view! { <p class="validation valid">"✓ valid JSON for the requested format"</p> }.into_any()
            } else {
                view! {
                    <div class="validation invalid" role="alert">
                        <p>"✗ the reply does not match the requested format"</p>
                        <ul>
                            {v.errors.into_iter().map(|e| view! {
                                <li><code>{if e.path.is_empty() { "/".to_owned() } else { e.path }}</code> " " {e.message}</li>
                            }).collect_view()}
                        </ul>
                    </div>
                }
                .into_any()
            }
        })
    }
}

/// The usage badge's text: input and output tokens, with the cached and
/// reasoning parts only when there are some (kept short, so the badges stay
/// on one line while the figures grow). While a reply streams, input not
/// yet reported is "…", not 0.
pub fn usage_text(u: &Usage, streaming: bool) -> String {
    let part = |n: u32, what: &str| {
        if n > 0 {
            format!(" ({n} {what})")
        } else {
            String::new()
        }
    };
    let input = if streaming && u.input_tokens == 0 {
        "…".to_owned()
    } else {
        u.input_tokens.to_string()
    };
    format!(
        "{input} in{} · {} out{}",
        part(u.cached_tokens, "cached"),
        u.output_tokens,
        part(u.reasoning_tokens, "reasoning")
    )
}

/// Figures above an assistant reply's text: updated while it streams, then
/// what the run measured. Each badge keeps its place, so nothing jumps.
/// The status pill is as wide as its word.
#[component]
fn Badges(entry: Entry) -> impl IntoView {
    // While streaming, the output count follows the text: the server's
    // progress events are paced, but every delta on screen is counted.
    let figures = move || -> Option<(Usage, RunMetrics, bool)> {
        match entry.outcome.get() {
            Some(o) => o.metrics.map(|m| (o.usage, m, false)),
            None => entry.live.get().map(|(mut u, m)| {
                u.output_tokens = u.output_tokens.max(entry.deltas.get());
                (u, m, true)
            }),
        }
    };
    let fmt_ms = |v: f64| format!("{v:.0} ms");
    let status = move || match entry.outcome.get() {
        None => "streaming".to_owned(),
        Some(o) => o.status.as_str().to_owned(),
    };
    let trace_copied = RwSignal::new(false);
    view! {
        <div class="badges" role="group" aria-label="Run metrics">
            {move || figures().map(|(u, m, streaming)| view! {
                <span class="badge ttft" title="time to first token">"TTFT " {m.ttft_ms.map(fmt_ms).unwrap_or_else(|| "…".into())}</span>
                <span class="badge latency" title="latency">"latency " {fmt_ms(m.latency_ms)}</span>
                <span class="badge speed" title="decode speed">{m.tokens_per_second.map(|t| format!("{t:.1} tok/s")).unwrap_or_else(|| "… tok/s".into())}</span>
                <span class="badge usage" title="tokens: input (of which cached) · output (of which reasoning)">
                    {usage_text(&u, streaming)}
                </span>
                <span class="badge cost" title="cost at list prices">{format!("${:.6}", m.cost_usd)}</span>
            })}
            // After the figures, so its word changing width moves nothing.
            <span class=move || format!("badge run-status status-{}", status())>{status}</span>
            {move || entry.trace_id.get().map(|id| {
                let short = id.chars().take(8).collect::<String>();
                let full = id.clone();
                view! {
                    <button
                        type="button"
                        class="badge trace"
                        title=format!("trace {id} (click to copy)")
                        data-trace-id=id.clone()
                        on:click=move |_| clipboard::copy(full.clone(), trace_copied)
                    >
                        {move || if trace_copied.get() { "trace copied".to_owned() } else { format!("trace {short}") }}
                    </button>
                }
            })}
            {move || entry.outcome.get().filter(|o| !o.stored).map(|_| view! {
                <span class="badge not-stored" role="alert" title="The reply is complete, but the server could not write the run to the history.">
                    "not saved to history"
                </span>
            })}
            {move || entry.outcome.get().and_then(|o| o.error).map(|e| view! { <span class="error" role="alert">{e}</span> })}
        </div>
    }
}

/// Like / dislike, stored with the run and changeable (a second click on
/// the same choice takes it back).
#[component]
fn Feedback(entry: Entry) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let rate = move |choice: Rating| {
        let Some(run_id) = entry.run_id.get_untracked() else {
            return;
        };
        let previous = entry.feedback.get_untracked();
        let next = (previous != Some(choice)).then_some(choice);
        entry.feedback.set(next);
        leptos::task::spawn_local(async move {
            match set_feedback(run_id, next).await {
                Ok(()) => error.set(None),
                Err(e) => {
                    entry.feedback.set(previous);
                    error.set(Some(format!("Feedback not saved: {e}")));
                }
            }
        });
    };
    let pressed = move |r: Rating| move || (entry.feedback.get() == Some(r)).to_string();
    view! {
        <Show when=move || entry.outcome.with(Option::is_some) && entry.run_id.with(Option::is_some)>
            <div class="feedback" role="group" aria-label="Rate this reply">
                <button type="button" class="icon like" aria-pressed=pressed(Rating::Like) aria-label="Like" on:click=move |_| rate(Rating::Like)><Thumb up=true/></button>
                <button type="button" class="icon dislike" aria-pressed=pressed(Rating::Dislike) aria-label="Dislike" on:click=move |_| rate(Rating::Dislike)><Thumb up=false/></button>
                {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_names_cached_and_reasoning_tokens_only_when_there_are_some() {
        let mut u = Usage {
            input_tokens: 10,
            output_tokens: 120,
            reasoning_tokens: 0,
            cached_tokens: 0,
        };
        assert_eq!(usage_text(&u, false), "10 in · 120 out");
        (u.cached_tokens, u.reasoning_tokens) = (8, 24);
        assert_eq!(
            usage_text(&u, false),
            "10 in (8 cached) · 120 out (24 reasoning)"
        );
    }

    #[test]
    fn input_not_yet_reported_is_not_shown_as_zero_while_streaming() {
        let u = Usage {
            output_tokens: 3,
            ..Usage::default()
        };
        assert_eq!(usage_text(&u, true), "… in · 3 out");
        assert_eq!(usage_text(&u, false), "0 in · 3 out");
    }
}
