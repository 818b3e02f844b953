//! The list of runs: one row each, sortable by its figures, a page at a
//! time. A row opens the run.

use leptos::prelude::*;
use pep::runs::{RunPage, RunQuery, RunSort, SortOrder};
use uuid::Uuid;

use crate::icons::RatingMark;
use crate::playground::short_time;

/// Rows per page.
pub const PAGE: u32 = 25;

/// The page's first query: newest first, one page of [`PAGE`] rows.
pub fn first_query() -> RunQuery {
    RunQuery {
        limit: Some(PAGE),
        ..RunQuery::default()
    }
}

/// The sort a header click asks for: the same column flips the order; a
/// new column starts with its most telling end (newest, slowest, dearest).
pub fn next_sort(current: (RunSort, SortOrder), clicked: RunSort) -> (RunSort, SortOrder) {
    match current {
        (sort, SortOrder::Desc) if sort == clicked => (clicked, SortOrder::Asc),
        (sort, SortOrder::Asc) if sort == clicked => (clicked, SortOrder::Desc),
        _ => (clicked, SortOrder::Desc),
    }
}

/// "Showing 26–50 of 120".
pub fn range_text(offset: u32, shown: usize, total: u64) -> String {
    if shown == 0 {
        return format!("No runs on this page (of {total})");
    }
    let first = u64::from(offset) + 1;
    let last = u64::from(offset) + shown as u64;
    format!("Showing {first}–{last} of {total}")
}

#[component]
pub fn RunsTable(
    query: RwSignal<RunQuery>,
    page: LocalResource<Result<RunPage, String>>,
    selected: RwSignal<Option<Uuid>>,
) -> impl IntoView {
    let header = move |label: &'static str, sort: RunSort| {
        let aria = move || {
            query.with(|q| {
                if q.sort != sort {
                    "none"
                } else if q.order == SortOrder::Asc {
                    "ascending"
                } else {
                    "descending"
                }
            })
        };
        view! {
            <th scope="col" aria-sort=aria>
                <button
                    type="button"
                    class="sort"
                    on:click=move |_| query.update(|q| {
                        (q.sort, q.order) = next_sort((q.sort, q.order), sort);
                        q.offset = 0;
                    })
                >
                    {label}
                    {move || match aria() {
                        "ascending" => " ▲",
                        "descending" => " ▼",
                        _ => "",
                    }}
                </button>
            </th>
        }
    };
    let step = move |forward: bool| {
        query.update(|q| {
            let size = q.limit.unwrap_or(PAGE);
            q.offset = if forward {
                q.offset.saturating_add(size)
            } else {
                q.offset.saturating_sub(size)
            };
        });
    };
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading runs…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <p class="error" role="alert">"Could not list the runs: " {e}</p> }.into_any(),
                    Ok(p) => {
                        let offset = query.with_untracked(|q| q.offset);
                        let shown = p.runs.len();
                        let more = u64::from(offset) + (shown as u64) < p.total;
                        view! {
                            <div class="table-wrap">
                                <table class="runs">
                                    <thead>
                                        <tr>
                                            {header("Time", RunSort::CreatedAt)}
                                            <th scope="col">"Model"</th>
                                            <th scope="col">"Status"</th>
                                            {header("Latency", RunSort::Latency)}
                                            {header("TTFT", RunSort::Ttft)}
                                            {header("Tokens", RunSort::Tokens)}
                                            {header("Cost", RunSort::Cost)}
                                            <th scope="col">"Rating"</th>
                                            <th scope="col">"Reply"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p.runs.into_iter().map(|r| {
                                            let id = r.id;
                                            let tokens = u64::from(r.usage.input_tokens) + u64::from(r.usage.output_tokens);
                                            let rating = r.feedback;
                                            view! {
                                                <tr
                                                    class:selected=move || selected.get() == Some(id)
                                                    data-run-id=id.to_string()
                                                >
                                                    <td>
                                                        <button type="button" class="link open-run" on:click=move |_| selected.set(Some(id))>
                                                            {short_time(&r.created_at)}
                                                        </button>
                                                    </td>
                                                    <td>{r.model.clone()}</td>
                                                    <td><span class=format!("badge status-{}", r.status.as_str())>{r.status.as_str()}</span></td>
                                                    <td class="num">{format!("{:.0} ms", r.metrics.latency_ms)}</td>
                                                    <td class="num">{r.metrics.ttft_ms.map_or_else(|| "–".to_owned(), |v| format!("{v:.0} ms"))}</td>
                                                    <td class="num">{tokens}</td>
                                                    <td class="num">{format!("${:.6}", r.metrics.cost_usd)}</td>
                                                    <td><RatingMark rating compact=true/></td>
                                                    <td class="preview">{r.error.clone().unwrap_or_else(|| r.preview.clone())}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <nav class="pager" aria-label="Pages of runs">
                                <button type="button" disabled=offset == 0 on:click=move |_| step(false)>"← Previous"</button>
                                <span class="range">{range_text(offset, shown, p.total)}</span>
                                <button type="button" disabled=!more on:click=move |_| step(true)>"Next →"</button>
                            </nav>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_click_sorts_then_flips() {
        let start = (RunSort::CreatedAt, SortOrder::Desc);
        let by_cost = next_sort(start, RunSort::Cost);
        assert_eq!(by_cost, (RunSort::Cost, SortOrder::Desc));
        assert_eq!(
            next_sort(by_cost, RunSort::Cost),
            (RunSort::Cost, SortOrder::Asc)
        );
        assert_eq!(
            next_sort((RunSort::Cost, SortOrder::Asc), RunSort::Cost),
            (RunSort::Cost, SortOrder::Desc)
        );
    }

    #[test]
    fn the_range_names_the_rows_shown() {
        assert_eq!(range_text(0, 25, 120), "Showing 1–25 of 120");
        assert_eq!(range_text(100, 20, 120), "Showing 101–120 of 120");
        assert_eq!(range_text(0, 0, 0), "No runs on this page (of 0)");
    }
}
