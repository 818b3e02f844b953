//! The live render: while the templates, examples or values are edited,
//! the server renders them (debounced) and the editor shows the result or
//! the issues, each with its line and column, before anything is sent.

use leptos::prelude::*;
use pep::prompts::{IssueKind, RenderRequest, RenderedPrompt, TemplateIssue};

use super::draft::Draft;
use super::error_text;
use super::launch::issue_place;
use super::variables::{form_fields, Field, VarState};
use crate::debounce::{debounced, RENDER_DELAY};
use crate::hub_api::render_prompt;

/// The latest render and what the form shows.
#[derive(Debug, Clone, Copy)]
pub struct LiveRender {
    /// `None` before the first answer; the server's error as text.
    pub result: RwSignal<Option<Result<RenderedPrompt, String>>>,
    /// A render is on its way.
    pub pending: RwSignal<bool>,
    /// The variables' form, one field per variable the templates use.
    pub fields: Memo<Vec<Field>>,
}

impl LiveRender {
    /// Renders `draft` with `vars` whenever they pause changing.
    pub fn new(draft: Draft, vars: VarState) -> Self {
        let result = RwSignal::new(None);
        let pending = RwSignal::new(false);
        // The variables last found; kept while a template has a syntax
        // error, so the form does not vanish while one types `{{`.
        let names: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
        let request = move || {
            let known = names.get();
            vars.values_for(&known).ok().map(|variables| RenderRequest {
                template: draft.template.get(),
                system: draft.system.get(),
                examples: draft.examples_now(),
                defaults: draft.defaults.get_value(),
                variables,
            })
        };
        let settled = debounced(request, RENDER_DELAY);
        let sequence = StoredValue::new(0_u64);
        Effect::new(move |_| {
            let Some(request) = settled.get() else {
                return;
            };
            let n = sequence.get_value().wrapping_add(1);
            sequence.set_value(n);
            pending.set(true);
            leptos::task::spawn_local(async move {
                let answer = render_prompt(request).await.map_err(error_text);
                // An older answer arriving late is dropped.
                if sequence.try_get_value() != Some(n) {
                    return;
                }
                if let Ok(r) = &answer {
                    let syntax = r.issues.iter().any(|i| i.kind == IssueKind::Syntax);
                    if !syntax && names.with_untracked(|n| n != &r.variables) {
                        names.try_set(r.variables.clone());
                    }
                }
                result.try_set(Some(answer));
                pending.try_set(false);
            });
        });
        let fields = Memo::new(move |_| form_fields(&names.get(), &draft.defaults.get_value()));
        Self {
            result,
            pending,
            fields,
        }
    }

    /// The rendered prompt when it rendered without errors.
    pub fn ready(&self) -> Result<RenderedPrompt, String> {
        match self.result.get_untracked() {
            Some(Ok(r)) if r.is_ok() => Ok(r),
            Some(Ok(r)) => Err(super::launch::blocking_summary(&r)),
            Some(Err(e)) => Err(format!("The prompt could not be rendered: {e}")),
            None => Err("The preview is not ready yet.".to_owned()),
        }
    }
}

/// What the kind of an issue is called in the list.
fn kind_label(kind: IssueKind) -> &'static str {
    match kind {
        IssueKind::Syntax => "syntax error",
        IssueKind::Undefined => "undefined variable",
        IssueKind::Unused => "unused value",
        IssueKind::Render => "render error",
    }
}

fn kind_class(kind: IssueKind) -> &'static str {
    match kind {
        IssueKind::Syntax => "issue issue-syntax",
        IssueKind::Undefined => "issue issue-undefined",
        IssueKind::Unused => "issue issue-unused",
        IssueKind::Render => "issue issue-render",
    }
}

/// The issues found, each at its place.
#[component]
pub fn IssueList(issues: Vec<TemplateIssue>) -> impl IntoView {
    view! {
        <ul id="issues" class="issues" aria-label="Template issues">
            {issues.into_iter().map(|i| {
                let place = issue_place(i.part, i.line, i.column);
                // Errors are announced; a warning is only listed.
                let role = i.kind.is_error().then_some("alert");
                view! {
                    <li class=kind_class(i.kind) role=role data-kind=kind_label(i.kind)>
                        <code class="issue-place">{place}</code>
                        " " <span class="issue-kind">{kind_label(i.kind)}</span>
                        ": " {i.message}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// The preview: issues, then the rendered messages.
#[component]
pub fn Preview(live: LiveRender, vars: VarState) -> impl IntoView {
    let body = move || {
        if let Err(e) = vars.values() {
            return view! {
                <p class="hint">"Fix the JSON values (" {e.to_string()} ") to see the preview."</p>
            }
            .into_any();
        }
        match live.result.get() {
            None => view! { <p class="loading">"Rendering…"</p> }.into_any(),
            Some(Err(e)) => view! {
                <p class="error" role="alert">"Could not render: " {e}</p>
            }
            .into_any(),
            Some(Ok(r)) => rendered_view(r).into_any(),
        }
    };
    view! {
        <section id="preview" class="hub-preview" aria-label="Preview" aria-busy=move || live.pending.get().to_string()>
            <h3>"Preview" {move || live.pending.get().then(|| view! { <span class="hint">" checking…"</span> })}</h3>
            {body}
        </section>
    }
}

fn rendered_view(r: RenderedPrompt) -> impl IntoView {
    let ok = r.is_ok();
    let examples = r.messages.len().saturating_sub(1) / 2;
    let message = r
        .messages
        .last()
        .map(|m| m.content.clone())
        .unwrap_or_default();
    let system = r.system.clone();
    view! {
        {(!r.issues.is_empty()).then(|| view! { <IssueList issues=r.issues.clone()/> })}
        {ok.then(|| view! {
            {system.map(|s| view! {
                <p class="preview-label">"System"</p>
                <pre id="preview_system" class="preview-text">{s}</pre>
            })}
            {(examples > 0).then(|| view! {
                <p class="hint">{format!("{examples} example(s) sent before the message")}</p>
            })}
            <p class="preview-label">"User message"</p>
            <pre id="preview_message" class="preview-text">{message}</pre>
        })}
    }
}
