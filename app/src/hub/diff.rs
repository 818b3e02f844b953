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
    /// `---` / `+++`: which versions (the pickers say it already).
    Header,
    /// `@@ -a,b +c,d @@`: where a hunk starts.
    Hunk,
    Added,
    Removed,
    Context,
    /// `\ No newline at end of file`: a remark about the line above, not
    /// text of either version.
    Remark,
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
            } else if line.starts_with('\\') {
                LineKind::Remark
            } else {
                LineKind::Context
            };
            (kind, line.to_owned())
        })
        .collect()
}

/// One side of a side-by-side row: the line's number in its version and
/// its text (without the diff's `+`/`-`/` ` mark).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    pub number: u32,
    pub text: String,
    /// Whether this line is not in the other version.
    pub changed: bool,
}

/// A row of the side-by-side view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// A gap between hunks: unchanged lines left out.
    Gap,
    /// The older version's line (if any) beside the newer one's.
    Lines(Option<Side>, Option<Side>),
}

/// The start lines of a hunk header, `@@ -3,4 +3,5 @@` → (3, 3).
fn hunk_starts(header: &str) -> Option<(u32, u32)> {
    let mut parts = header.split_whitespace().skip(1);
    let start = |part: Option<&str>, sign: char| -> Option<u32> {
        part?.strip_prefix(sign)?.split(',').next()?.parse().ok()
    };
    Some((start(parts.next(), '-')?, start(parts.next(), '+')?))
}

/// A unified diff laid out side by side: removed lines beside the added
/// lines that replace them, unchanged lines on both sides, numbered as in
/// each version.
pub fn side_by_side(diff: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    let (mut old, mut new) = (1_u32, 1_u32);
    let mut removed: Vec<Side> = Vec::new();
    let mut added: Vec<Side> = Vec::new();
    let flush = |rows: &mut Vec<Row>, removed: &mut Vec<Side>, added: &mut Vec<Side>| {
        let (mut r, mut a) = (removed.drain(..), added.drain(..));
        loop {
            match (r.next(), a.next()) {
                (None, None) => break,
                (left, right) => rows.push(Row::Lines(left, right)),
            }
        }
    };
    for (kind, line) in diff_lines(diff) {
        let text = line.get(1..).unwrap_or_default().to_owned();
        match kind {
            LineKind::Header | LineKind::Remark => {}
            LineKind::Hunk => {
                flush(&mut rows, &mut removed, &mut added);
                if let Some((o, n)) = hunk_starts(&line) {
                    if !rows.is_empty() || o > 1 || n > 1 {
                        rows.push(Row::Gap);
                    }
                    (old, new) = (o, n);
                }
            }
            LineKind::Removed => {
                removed.push(Side {
                    number: old,
                    text,
                    changed: true,
                });
                old += 1;
            }
            LineKind::Added => {
                added.push(Side {
                    number: new,
                    text,
                    changed: true,
                });
                new += 1;
            }
            LineKind::Context => {
                flush(&mut rows, &mut removed, &mut added);
                rows.push(Row::Lines(
                    Some(Side {
                        number: old,
                        text: text.clone(),
                        changed: false,
                    }),
                    Some(Side {
                        number: new,
                        text,
                        changed: false,
                    }),
                ));
                (old, new) = (old + 1, new + 1);
            }
        }
    }
    flush(&mut rows, &mut removed, &mut added);
    rows
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
                <div class="diff-wrap">
                    <table class="diff" data-part=part>
                        <thead>
                            <tr>
                                <th scope="col" colspan="2">{format!("v{}", diff.from)}</th>
                                <th scope="col" colspan="2">{format!("v{}", diff.to)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {side_by_side(&text).into_iter().map(|row| match row {
                                Row::Gap => view! {
                                    <tr class="diff-gap"><td colspan="4">"⋯ unchanged lines ⋯"</td></tr>
                                }.into_any(),
                                Row::Lines(left, right) => view! {
                                    <tr>
                                        <DiffCells side=left class="diff-del"/>
                                        <DiffCells side=right class="diff-add"/>
                                    </tr>
                                }.into_any(),
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
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

/// A line number and a line of one version; empty cells where the other
/// version has lines this one lacks.
#[component]
fn DiffCells(side: Option<Side>, class: &'static str) -> impl IntoView {
    match side {
        None => view! { <td class="diff-num"></td><td class="diff-none"></td> }.into_any(),
        Some(s) => {
            let class = if s.changed { class } else { "diff-context" };
            view! {
                <td class="diff-num">{s.number}</td>
                <td class=format!("diff-line {class}")>{s.text}</td>
            }
            .into_any()
        }
    }
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
        assert_eq!(
            diff_lines("\\ No newline at end of file")[0].0,
            LineKind::Remark
        );
    }

    #[test]
    fn a_diff_is_laid_out_side_by_side_with_each_version_s_numbers() {
        let text = "--- v1\n+++ v2\n@@ -2,3 +2,4 @@\n same\n-old\n\\ No newline at end of file\n+new\n+more\n tail\n";
        let side = |number, text: &str, changed| {
            Some(Side {
                number,
                text: text.into(),
                changed,
            })
        };
        assert_eq!(
            side_by_side(text),
            [
                Row::Gap,
                Row::Lines(side(2, "same", false), side(2, "same", false)),
                Row::Lines(side(3, "old", true), side(3, "new", true)),
                Row::Lines(None, side(4, "more", true)),
                Row::Lines(side(4, "tail", false), side(5, "tail", false)),
            ]
        );
        assert_eq!(hunk_starts("@@ -1 +1,2 @@"), Some((1, 1)));
        assert_eq!(hunk_starts("@@ nonsense"), None);
    }

    #[test]
    fn values_show_plainly() {
        assert_eq!(show_value(&serde_json::json!(null)), "—");
        assert_eq!(show_value(&serde_json::json!("a")), "a");
        assert_eq!(show_value(&serde_json::json!(0.5)), "0.5");
    }
}
