//! The runs page's filters: model, status, prompt and a date range. Every
//! change goes back to the first page.

use leptos::prelude::*;
use pep::history::RunQuery;
use pep::prompts::PromptQuery;
use pep::runs::RunStatus;
use uuid::Uuid;

use crate::api::list_models;
use crate::hub_api::list_prompts;

/// `YYYY-MM-DD` from a date field as the start of that day, UTC.
pub fn day_start(day: &str) -> Option<String> {
    valid_day(day).then(|| format!("{day}T00:00:00Z"))
}

/// The first instant after `day` (the range's end is inclusive of the
/// picked day), UTC.
pub fn day_after(day: &str) -> Option<String> {
    if !valid_day(day) {
        return None;
    }
    let year: i32 = day[..4].parse().ok()?;
    let month: u32 = day[5..7].parse().ok()?;
    let d: u32 = day[8..10].parse().ok()?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let (y, m, d) = if d < days_in_month {
        (year, month, d + 1)
    } else if month < 12 {
        (year, month + 1, 1)
    } else {
        (year + 1, 1, 1)
    };
    Some(format!("{y:04}-{m:02}-{d:02}T00:00:00Z"))
}

fn valid_day(day: &str) -> bool {
    let b = day.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// A date field whose day becomes one end of the range (`bound` turns the
/// day into the instant the query takes).
fn date_field(
    label: &'static str,
    name: &'static str,
    day: RwSignal<String>,
    bound: fn(&str) -> Option<String>,
    apply: impl Fn(Option<String>) + 'static,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <input
                type="date"
                name=name
                prop:value=move || day.get()
                on:change=move |ev| {
                    let picked = event_target_value(&ev);
                    apply(bound(&picked));
                    day.set(picked);
                }
            />
        </label>
    }
}

/// The filter form.
#[component]
pub fn Filters(query: RwSignal<RunQuery>) -> impl IntoView {
    let models = LocalResource::new(list_models);
    let prompts = LocalResource::new(|| list_prompts(PromptQuery::default()));
    let since_day = RwSignal::new(String::new());
    let until_day = RwSignal::new(String::new());
    // Changes the filters and goes back to the first page.
    let set = move |change: &dyn Fn(&mut RunQuery)| {
        query.update(|q| {
            change(q);
            q.offset = 0;
        });
    };
    let blank = |v: String| (!v.is_empty()).then_some(v);
    view! {
        <form class="filters" aria-label="Filter runs" on:submit=|ev| ev.prevent_default()>
            <label>
                "Model"
                <select
                    name="model"
                    on:change=move |ev| { let v = blank(event_target_value(&ev)); set(&|q| q.model = v.clone()); }
                >
                    <option value="">"All models"</option>
                    {move || models.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|m| {
                        let selected = query.with_untracked(|q| q.model.as_deref() == Some(m.id.as_str()));
                        view! { <option value=m.id.clone() selected=selected>{m.label.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                "Status"
                <select
                    name="status"
                    on:change=move |ev| { let v = RunStatus::parse(&event_target_value(&ev)); set(&|q| q.status = v); }
                >
                    <option value="">"Any status"</option>
                    {[RunStatus::Ok, RunStatus::Failed, RunStatus::Cancelled].into_iter().map(|s| view! {
                        <option value=s.as_str()>{s.as_str()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                "Prompt"
                <select
                    name="prompt"
                    on:change=move |ev| {
                        let v = Uuid::parse_str(&event_target_value(&ev)).ok();
                        set(&|q| { q.prompt_id = v; q.prompt_version = None; });
                    }
                >
                    <option value="">"Any prompt"</option>
                    {move || prompts.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|p| view! {
                        <option value=p.id.to_string()>{p.name.clone()}</option>
                    }).collect_view()}
                </select>
            </label>
            {date_field("From", "since", since_day, day_start, move |v| set(&|q| q.since = v.clone()))}
            {date_field("To", "until", until_day, day_after, move |v| set(&|q| q.until = v.clone()))}
            <button
                type="reset"
                on:click=move |_| {
                    since_day.set(String::new());
                    until_day.set(String::new());
                    query.set(super::table::first_query());
                }
            >
                "Reset"
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picked_day_spans_the_whole_day() {
        assert_eq!(
            day_start("2026-11-27").as_deref(),
            Some("2026-11-27T00:00:00Z")
        );
        assert_eq!(
            day_after("2026-11-27").as_deref(),
            Some("2026-11-28T00:00:00Z")
        );
        assert_eq!(
            day_after("2026-11-30").as_deref(),
            Some("2026-12-01T00:00:00Z")
        );
        assert_eq!(
            day_after("2026-12-31").as_deref(),
            Some("2027-01-01T00:00:00Z")
        );
        assert_eq!(
            day_after("2028-02-28").as_deref(),
            Some("2028-02-29T00:00:00Z")
        );
        assert_eq!(
            day_after("2026-02-28").as_deref(),
            Some("2026-03-01T00:00:00Z")
        );
        assert_eq!(day_start(""), None);
        assert_eq!(day_after("27/11/2026"), None);
    }
}
