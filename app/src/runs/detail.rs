//! One run, whole: what was sent, what came back, how it went; and the way
//! back to the playground with the run's exact settings.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use pep::chat::Role;
use pep::runs::RunRecord;
use uuid::Uuid;

use crate::handoff::{store_handoff, PlaygroundHandoff};
use crate::history_api::get_run;
use crate::hub::error_text;
use crate::icons::RatingMark;
use crate::playground::split_system_text;

/// The playground setup that repeats `run`: its model and parameters, its
/// system prompt and context, the turns before its last user message as
/// history, and that message in the composer (sent again with one key).
pub fn rerun_handoff(run: &RunRecord) -> PlaygroundHandoff {
    let mut messages = run.messages.clone();
    let system = messages
        .first()
        .filter(|m| m.role == Role::System)
        .map(|m| m.content.clone());
    if system.is_some() {
        messages.remove(0);
    }
    let message = match messages.last() {
        Some(m) if m.role == Role::User && m.tool_result.is_none() => {
            messages.pop().map(|m| m.content).unwrap_or_default()
        }
        _ => String::new(),
    };
    let (system, context) = system.as_deref().map(split_system_text).unwrap_or_default();
    PlaygroundHandoff {
        model: Some(run.model.clone()),
        params: run.params.clone(),
        system,
        context,
        message,
        prompt: run.prompt.map(|p| (p.prompt_id, p.version)),
        whole: true,
        history: messages,
    }
}

#[component]
pub fn RunDetail(id: Uuid, on_close: Callback<()>) -> impl IntoView {
    let run = LocalResource::new(move || async move { get_run(id).await.map_err(error_text) });
    super::live::follow(run, |r| r.as_ref().is_ok_and(|r| !r.status.is_final()));
    view! {
        <section class="run-detail" aria-label="Run" data-run-id=id.to_string()>
            <header>
                <h3>"Run " <code>{id.to_string()}</code></h3>
                <button type="button" class="icon" aria-label="Close run" on:click=move |_| on_close.run(())>"Close"</button>
            </header>
            <Transition fallback=|| view! { <p class="loading">"Loading the run…"</p> }>
                {move || Suspend::new(async move {
                    match run.await {
                        Ok(r) => view! { <Body run=r/> }.into_any(),
                        Err(e) => view! { <p class="error" role="alert">"Could not open the run: " {e}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Body(run: RunRecord) -> impl IntoView {
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    let handoff = rerun_handoff(&run);
    let open = move |_| match store_handoff(&handoff) {
        Ok(()) => navigate("/", Default::default()),
        Err(e) => error.set(Some(e)),
    };
    let params = serde_json::to_string_pretty(&run.params).unwrap_or_default();
    let rating = run.feedback;
    let u = run.usage;
    let m = run.metrics;
    view! {
        <div class="run-actions">
            <button type="button" class="primary open-in-playground" on:click=open>"Open in playground"</button>
            {run.conversation_id.map(|c| view! {
                <a class="button" href=format!("/?conversation={c}")>"Open its conversation"</a>
            })}
            {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
        </div>
        <dl class="run-facts">
            <div><dt>"Model"</dt><dd>{run.model.clone()} " (" {run.provider.clone()} ")"</dd></div>
            <div><dt>"Status"</dt><dd>{run.status.as_str()} " · " {run.finish_reason.as_str()}</dd></div>
            <div><dt>"Latency"</dt><dd>{format!("{:.0} ms", m.latency_ms)}</dd></div>
            <div><dt>"TTFT"</dt><dd>{m.ttft_ms.map_or_else(|| "–".into(), |v| format!("{v:.0} ms"))}</dd></div>
            <div><dt>"Speed"</dt><dd>{m.tokens_per_second.map_or_else(|| "–".into(), |v| format!("{v:.1} tok/s"))}</dd></div>
            <div><dt>"Tokens"</dt><dd>{format!("{} in ({} cached) · {} out ({} reasoning)", u.input_tokens, u.cached_tokens, u.output_tokens, u.reasoning_tokens)}</dd></div>
            <div><dt>"Cost"</dt><dd>{format!("${:.6}", m.cost_usd)}</dd></div>
            <div><dt>"Rating"</dt><dd><RatingMark rating/></dd></div>
            <div><dt>"Session"</dt><dd>{run.session_id.clone().unwrap_or_else(|| "–".into())}</dd></div>
            <div><dt>"Trace"</dt><dd><code>{run.trace_id.clone().unwrap_or_else(|| "–".into())}</code></dd></div>
            {run.prompt.map(|p| view! {
                <div><dt>"Prompt"</dt><dd><a href=format!("/prompts?id={}", p.prompt_id)>"version " {p.version}</a></dd></div>
            })}
        </dl>
        {run.error.clone().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        <h4>"Messages"</h4>
        <ol class="run-messages">
            {run.messages.iter().map(|msg| view! {
                <li class=format!("msg-{}", msg.role.as_str())>
                    <span class="role">{msg.role.as_str()}</span>
                    <pre>{msg.content.clone()}</pre>
                </li>
            }).collect_view()}
            <li class="msg-assistant">
                <span class="role">"reply"</span>
                <pre class="run-reply">{run.reply.clone()}</pre>
            </li>
        </ol>
        {(!run.tool_calls.is_empty()).then(|| view! {
            <h4>"Tool calls"</h4>
            <ul class="run-tools">
                {run.tool_calls.iter().map(|c| view! { <li><code>{c.name.clone()} "(" {c.arguments.clone()} ")"</code></li> }).collect_view()}
            </ul>
        })}
        <details class="run-params">
            <summary>"Parameters"</summary>
            <pre>{params}</pre>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pep::chat::{GenerationParams, Message};
    use pep::outcome::{FinishReason, Usage};
    use pep::outcome::{RunMetrics, RunStatus};

    fn run(messages: Vec<Message>) -> RunRecord {
        RunRecord {
            id: Uuid::nil(),
            created_at: "2026-11-27T05:00:00Z".into(),
            session_id: None,
            model: "replay/chat".into(),
            provider: "openai".into(),
            params: GenerationParams {
                temperature: Some(0.3),
                ..GenerationParams::default()
            },
            messages,
            reply: "B".into(),
            status: RunStatus::Ok,
            finish_reason: FinishReason::Stop,
            error: None,
            usage: Usage::default(),
            metrics: RunMetrics::default(),
            trace_id: None,
            validation: None,
            conversation_id: None,
            prompt: None,
            tool_calls: Vec::new(),
            feedback: None,
        }
    }

    #[test]
    fn a_run_reopens_with_its_setup_and_last_message_ready() {
        let system = crate::playground::system_text("Be brief.", "Facts").unwrap_or_default();
        let h = rerun_handoff(&run(vec![
            Message::new(Role::System, system),
            Message::new(Role::User, "first"),
            Message::new(Role::Assistant, "A"),
            Message::new(Role::User, "second"),
        ]));
        assert_eq!(h.model.as_deref(), Some("replay/chat"));
        assert_eq!(h.params.temperature, Some(0.3));
        assert_eq!(
            (h.system.as_str(), h.context.as_str()),
            ("Be brief.", "Facts")
        );
        assert_eq!(h.message, "second");
        assert_eq!(
            h.history,
            vec![
                Message::new(Role::User, "first"),
                Message::new(Role::Assistant, "A")
            ]
        );
    }
}
