//! The runs page (`/runs`): every stored run, found by model, status,
//! prompt and date, sorted by time, latency, time to first token, cost or
//! tokens; figures and plots over what matches; one run opened whole and
//! sent back to the playground with its exact settings.
//!
//! Parts: [`filters`] (the query form), [`plot`] (SVG plots), [`table`]
//! (the sortable, paged list), [`detail`] (one run), [`live`] (reloading
//! while a run is still going) and [`address`] (the whole view in the URL,
//! so it can be linked and reloaded).

mod address;
mod calendar;
mod detail;
mod filters;
mod live;
pub mod plot;
mod table;

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use pep::runs::{RunQuery, RunStats};
use uuid::Uuid;

use crate::history_api::{list_runs, run_stats};
use crate::hub::error_text;
use crate::nav::TopBar;
use plot::{Metric, Plot};

/// The runs page.
#[component]
pub fn RunsPage() -> impl IntoView {
    let location = use_location();
    let (first, open) = address::read(&location.search.get_untracked());
    let query = RwSignal::new(first);
    let selected: RwSignal<Option<Uuid>> = RwSignal::new(open);
    // The address follows the view (replacing, not adding, history entries:
    // Back leaves the page rather than undoing one filter at a time).
    let navigate = use_navigate();
    Effect::new(move |_| {
        let wanted = query.with(|q| address::href(q, selected.get()));
        let search = location.search.get_untracked();
        let here = if search.is_empty() {
            "/runs".to_owned()
        } else {
            format!("/runs?{search}")
        };
        if wanted != here {
            let options = NavigateOptions {
                replace: true,
                scroll: false,
                ..NavigateOptions::default()
            };
            navigate(&wanted, options);
        }
    });
    let page = LocalResource::new(move || {
        let q = query.get();
        async move { list_runs(q).await.map_err(error_text) }
    });
    // The figures depend on the filters only, not on sorting or paging.
    let filters_only = Memo::new(move |_| {
        query.with(|q| RunQuery {
            sort: Default::default(),
            order: Default::default(),
            limit: None,
            offset: 0,
            ..q.clone()
        })
    });
    let stats = LocalResource::new(move || {
        let q = filters_only.get();
        async move { run_stats(q).await.map_err(error_text) }
    });
    live::follow(page, |p| {
        p.as_ref()
            .is_ok_and(|p| p.runs.iter().any(|r| !r.status.is_final()))
    });
    live::follow(stats, |s| s.as_ref().is_ok_and(|s| s.running > 0));
    let pick = Callback::new(move |id: Uuid| selected.set(Some(id)));
    view! {
        <div class="layout runs-layout">
            <TopBar/>
            <main class="runs-page">
                <h2>"Runs"</h2>
                <filters::Filters query/>
                <Transition fallback=|| view! { <p class="loading">"Measuring…"</p> }>
                    {move || Suspend::new(async move {
                        match stats.await {
                            Ok(s) => view! { <Figures stats=s.clone()/> <Plots stats=s pick/> }.into_any(),
                            Err(e) => view! { <p class="error" role="alert">"Could not compute the figures: " {e}</p> }.into_any(),
                        }
                    })}
                </Transition>
                <table::RunsTable query page selected/>
                {move || selected.get().map(|id| view! { <detail::RunDetail id on_close=Callback::new(move |()| selected.set(None))/> })}
            </main>
        </div>
    }
}

/// The summary over every matching run.
#[component]
fn Figures(stats: RunStats) -> impl IntoView {
    let ms = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.0} ms"));
    view! {
        <dl class="figures" aria-label="Figures over the matching runs">
            <div><dt>"Runs"</dt><dd data-figure="count">{stats.count}</dd></div>
            <div><dt>"ok · failed · cancelled"</dt><dd>{format!("{} · {} · {}", stats.ok, stats.failed, stats.cancelled)}</dd></div>
            {(stats.running + stats.interrupted > 0).then(|| view! {
                <div><dt>"running · interrupted"</dt><dd>{format!("{} · {}", stats.running, stats.interrupted)}</dd></div>
            })}
            <div><dt>"Latency p50 / p95"</dt><dd>{format!("{} / {}", ms(stats.latency_p50_ms), ms(stats.latency_p95_ms))}</dd></div>
            <div><dt>"TTFT p50 / p95"</dt><dd>{format!("{} / {}", ms(stats.ttft_p50_ms), ms(stats.ttft_p95_ms))}</dd></div>
            <div><dt>"Tokens"</dt><dd>{stats.total_tokens}</dd></div>
            <div><dt>"Cost"</dt><dd>{format!("${:.6}", stats.total_cost_usd)}</dd></div>
        </dl>
    }
}

/// Latency, tokens and cost over time.
#[component]
fn Plots(stats: RunStats, pick: Callback<Uuid>) -> impl IntoView {
    if stats.points.is_empty() {
        return view! { <p class="empty">"No runs match: nothing to plot."</p> }.into_any();
    }
    let statuses = plot::statuses(&stats.points);
    view! {
        <div class="plots">
            {[Metric::Latency, Metric::Tokens, Metric::Cost]
                .into_iter()
                .map(|m| view! { <Plot metric=m points=stats.points.clone() on_pick=pick/> })
                .collect_view()}
        </div>
        <plot::Legend statuses/>
    }
    .into_any()
}
