//! The difference between two versions: unified diffs of the system and
//! user templates, line by line with a class for added, removed and
//! context lines, and the other settings that changed (model, parameters,
//! examples, defaults).

use leptos::prelude::*;
use pep::prompts::VersionDiff;
use uuid::Uuid;

use super::error_text;
use crate::browser_fetch::browser_fetch;
use crate::hub_api::diff_versions;

/// What a line of a unified diff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// `---` / `+++`: which versions.
    Header,
    /// `@@ ... @@`: where a hunk starts.
    Hunk,
    Added,
    Removed,
    Context,
}

impl LineKind {
    fn class(self) -> &'static str {
        match self {
            LineKind::Header => "diff-line diff-header",
            LineKind::Hunk => "diff-line diff-hunk",
            LineKind::Added => "diff-line diff-add",
            LineKind::Removed => "diff-line diff-del",
            LineKind::Context => "diff-line diff-context",
        }
    }
}

/// The lines of a unified diff, each with its kind.
pub fn diff_lines(diff: &str) -> Vec<(LineKind, String)> {
    diff.lines()
        .map(|line| {
            let kind = if line.starts_with("+++") || line.starts_with("---") {
                LineKind::Header
            } else if line.starts_with("@@") {
                LineKind::Hunk
            } else if line.starts_with('+') {
                LineKind::Added
            } else if line.starts_with('-') {
                LineKind::Removed
            } else {
                LineKind::Context
            };
            (kind, line.to_owned())
        })
        .collect()
}

/// A setting's value as the table shows it; "—" when it is absent.
pub fn show_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "—".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Two pickers and the diff between the versions they name.
#[component]
pub fn DiffView(id: Uuid, versions: Vec<u32>) -> impl IntoView {
    if versions.len() < 2 {
        return view! {
            <div class="hub-diff">
                <h3>"Compare versions"</h3>
                <p class="hint">"Save a second version to compare two."</p>
            </div>
        }
        .into_any();
    }
    let last = versions.last().copied().unwrap_or(1);
    let before = versions.iter().rev().nth(1).copied().unwrap_or(1);
    let from = RwSignal::new(before);
    let to = RwSignal::new(last);
    // Loaded by the browser alone: this sits inside the versions' streamed
    // Transition (see `crate::browser_fetch`).
    let diff = browser_fetch(
        move || (from.get(), to.get()),
        move |(a, b)| diff_versions(id, a, b),
    );
    let picker = move |el_id: &'static str, label: &'static str, value: RwSignal<u32>| {
        view! {
            <label for=el_id>{label}</label>
            <select
                id=el_id
                prop:value=move || value.get().to_string()
                on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).parse() {
                        value.set(n);
                    }
                }
            >
                {versions.iter().map(|n| view! { <option value=n.to_string()>{format!("v{n}")}</option> }).collect_view()}
            </select>
        }
    };
    view! {
        <div class="hub-diff">
            <h3>"Compare versions"</h3>
            <div class="diff-pickers">
                {picker("diff_from", "From", from)}
                {picker("diff_to", "To", to)}
            </div>
            // The last diff stays until the next one arrives.
            {move || match diff.get() {
                None => view! { <p class="loading">"Comparing…"</p> }.into_any(),
                Some(Ok(d)) => view! { <DiffBody diff=d/> }.into_any(),
                Some(Err(e)) => view! {
                    <p class="error" role="alert">"Could not compare: " {error_text(e)}</p>
                }.into_any(),
            }}
        </div>
    }
    .into_any()
}

#[component]
fn DiffBody(diff: VersionDiff) -> impl IntoView {
    if diff.is_empty() {
        return view! { <div id="diff" class="diff-view"><p class="hint">"The two versions are the same."</p></div> }
            .into_any();
    }
    let section = |title: &'static str, part: &'static str, text: String| {
        (!text.is_empty()).then(|| {
            view! {
                <p class="preview-label">{title}</p>
                <pre class="diff" data-part=part>
                    {diff_lines(&text).into_iter().map(|(kind, line)| view! {
                        <span class=kind.class()>{line}</span>
                    }).collect_view()}
                </pre>
            }
        })
    };
    let changes = (!diff.changes.is_empty()).then(|| {
        view! {
            <table class="diff-changes">
                <thead><tr><th scope="col">"Setting"</th><th scope="col">"From"</th><th scope="col">"To"</th></tr></thead>
                <tbody>
                    {diff.changes.iter().map(|c| view! {
                        <tr data-field=c.field.clone()>
                            <td><code>{c.field.clone()}</code></td>
                            <td class="diff-del">{show_value(&c.from)}</td>
                            <td class="diff-add">{show_value(&c.to)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    });
    view! {
        <div id="diff" class="diff-view">
            {section("System template", "system", diff.system.clone())}
            {section("User template", "user", diff.template.clone())}
            {changes}
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lines_are_classified() {
        let text = "--- v1\n+++ v2\n@@ -1 +1 @@\n-old\n+new\n same";
        let kinds: Vec<LineKind> = diff_lines(text).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            kinds,
            [
                LineKind::Header,
                LineKind::Header,
                LineKind::Hunk,
                LineKind::Removed,
                LineKind::Added,
                LineKind::Context
            ]
        );
    }

    #[test]
    fn values_show_plainly() {
        assert_eq!(show_value(&serde_json::json!(null)), "—");
        assert_eq!(show_value(&serde_json::json!("a")), "a");
        assert_eq!(show_value(&serde_json::json!(0.5)), "0.5");
    }
}
