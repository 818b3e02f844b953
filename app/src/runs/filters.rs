//! The runs page's filters: model, status, prompt and a date range. Every
//! change goes back to the first page.

use leptos::prelude::*;
use pep::outcome::RunStatus;
use pep::prompts::PromptQuery;
use pep::runs::RunQuery;
use uuid::Uuid;

use super::calendar::{civil_from_days, days_from_civil};
use crate::api::list_models;
use crate::hub_api::list_prompts;

/// What follows a day to make it the instant the day starts, UTC.
const MIDNIGHT: &str = "T00:00:00Z";

/// `YYYY-MM-DD` from a date field as the start of that day, UTC.
pub fn day_start(day: &str) -> Option<String> {
    shift_day(day, 0).map(|d| d + MIDNIGHT)
}

/// The first instant after `day` (the range's end is inclusive of the
/// picked day), UTC.
pub fn day_after(day: &str) -> Option<String> {
    shift_day(day, 1).map(|d| d + MIDNIGHT)
}

/// The day a [`day_start`] instant starts, for the "From" field.
pub fn start_day(since: &str) -> Option<String> {
    shift_day(since.strip_suffix(MIDNIGHT)?, 0)
}

/// The day a [`day_after`] instant follows, for the "To" field.
pub fn last_day(until: &str) -> Option<String> {
    shift_day(until.strip_suffix(MIDNIGHT)?, -1)
}

/// `day` (`YYYY-MM-DD`) moved by `by` days; `None` unless `day` is a real
/// date (no 30 February).
fn shift_day(day: &str, by: i64) -> Option<String> {
    let b = day.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |part: &str| -> Option<i64> {
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, m, d) = (number(&day[..4])?, number(&day[5..7])?, number(&day[8..])?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    if civil_from_days(days) != (y, m, d) {
        return None;
    }
    let (y, m, d) = civil_from_days(days + by);
    Some(format!("{y:04}-{m:02}-{d:02}"))
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
    // The fields start from the query (the page's address may set it).
    // Options are marked with the `selected` property, not the attribute,
    // so that Reset (a form reset) goes back to "All", not to these.
    let initial = query.get_untracked();
    let since_day = RwSignal::new(
        initial
            .since
            .as_deref()
            .and_then(start_day)
            .unwrap_or_default(),
    );
    let until_day = RwSignal::new(
        initial
            .until
            .as_deref()
            .and_then(last_day)
            .unwrap_or_default(),
    );
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
                        view! { <option value=m.id.clone() prop:selected=selected>{m.label.clone()}</option> }
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
                    {RunStatus::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() prop:selected=initial.status == Some(s)>{s.as_str()}</option>
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
                    {move || prompts.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|p| {
                        let selected = query.with_untracked(|q| q.prompt_id == Some(p.id));
                        view! { <option value=p.id.to_string() prop:selected=selected>{p.name.clone()}</option> }
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
        for (day, next) in [
            ("2026-11-27", "2026-11-28T00:00:00Z"),
            ("2026-11-30", "2026-12-01T00:00:00Z"),
            ("2026-12-31", "2027-01-01T00:00:00Z"),
            ("2028-02-28", "2028-02-29T00:00:00Z"),
            ("2026-02-28", "2026-03-01T00:00:00Z"),
        ] {
            assert_eq!(day_after(day).as_deref(), Some(next), "{day}");
        }
        assert_eq!(day_start(""), None);
        assert_eq!(day_after("27/11/2026"), None);
        assert_eq!(day_start("2026-02-30"), None);
        assert_eq!(day_after("2026-13-01"), None);
    }

    #[test]
    fn the_fields_read_their_days_back_from_the_range() {
        for day in [
            "2026-11-27",
            "2026-12-31",
            "2027-01-01",
            "2028-02-29",
            "2026-03-01",
            "1999-12-31",
        ] {
            assert_eq!(
                day_start(day).as_deref().and_then(start_day).as_deref(),
                Some(day)
            );
            assert_eq!(
                day_after(day).as_deref().and_then(last_day).as_deref(),
                Some(day)
            );
        }
        assert_eq!(start_day("2026-11-27T10:00:00Z"), None);
        assert_eq!(last_day("yesterday"), None);
    }
}
