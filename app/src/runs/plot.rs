//! Plots of runs over time, drawn as SVG by the page itself (no chart
//! library: three scatter plots do not justify one in the wasm bundle).
//! The geometry is plain functions, tested natively.

use leptos::prelude::*;
use pep::outcome::RunStatus;
use pep::runs::RunPoint;
use uuid::Uuid;

use super::calendar::days_from_civil;

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 170.0;
/// Room for the value labels on the left and the dates below.
const LEFT: f64 = 56.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 24.0;

/// Which figure a plot shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Latency,
    Tokens,
    Cost,
}

impl Metric {
    pub fn title(self) -> &'static str {
        match self {
            Metric::Latency => "Latency (ms)",
            Metric::Tokens => "Tokens (input + output)",
            Metric::Cost => "Cost (USD)",
        }
    }

    fn value(self, p: &RunPoint) -> f64 {
        match self {
            Metric::Latency => p.latency_ms,
            // Token counts fit f64 exactly far beyond any real run.
            Metric::Tokens => p.total_tokens as f64,
            Metric::Cost => p.cost_usd,
        }
    }

    pub fn format(self, v: f64) -> String {
        match self {
            Metric::Latency | Metric::Tokens => format!("{v:.0}"),
            Metric::Cost if v == 0.0 => "0".to_owned(),
            Metric::Cost if v < 0.01 => format!("{v:.5}"),
            Metric::Cost => format!("{v:.3}"),
        }
    }
}

/// Milliseconds since the epoch of the RFC 3339 times the store writes
/// (`2026-11-27T05:12:51.123Z`, or with an offset); `None` otherwise.
pub fn epoch_ms(text: &str) -> Option<f64> {
    let num = |range: std::ops::Range<usize>| -> Option<i64> { text.get(range)?.parse().ok() };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let rest = text.get(19..)?;
    let (fraction, zone) = match rest.strip_prefix('.') {
        Some(r) => {
            let digits = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            let frac: f64 = format!("0.{}", &r[..digits]).parse().ok()?;
            (frac, &r[digits..])
        }
        None => (0.0, rest),
    };
    let offset_minutes = match zone {
        "Z" | "z" => 0,
        z if z.len() == 6 => {
            let sign = match &z[..1] {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            sign * (z.get(1..3)?.parse::<i64>().ok()? * 60 + z.get(4..6)?.parse::<i64>().ok()?)
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    // Whole seconds since 1970 are far inside f64's exact integers.
    Some((seconds as f64 + fraction) * 1_000.0)
}

/// A round number at or above `v`: 1, 2 or 5 times a power of ten.
pub fn nice_ceiling(v: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        return 1.0;
    }
    let power = 10_f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|c| *c >= v * (1.0 - 1e-12))
        .unwrap_or(10.0 * power)
}

/// A point placed on the canvas.
#[derive(Debug, Clone, PartialEq)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub id: Uuid,
    pub status: RunStatus,
    pub label: String,
}

/// The plot's scale and dots: time across, `metric` up from zero to a
/// round ceiling. Points with unreadable times are left out.
pub fn layout(points: &[RunPoint], metric: Metric) -> (f64, Vec<Dot>) {
    let timed: Vec<(f64, &RunPoint)> = points
        .iter()
        .filter_map(|p| epoch_ms(&p.created_at).map(|t| (t, p)))
        .collect();
    let (t0, t1) = timed
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (t, _)| {
            (lo.min(*t), hi.max(*t))
        });
    let top = nice_ceiling(
        timed
            .iter()
            .map(|(_, p)| metric.value(p))
            .fold(0.0, f64::max),
    );
    let span = t1 - t0;
    let inner_w = WIDTH - LEFT - RIGHT;
    let inner_h = HEIGHT - TOP - BOTTOM;
    let dots = timed
        .into_iter()
        .map(|(t, p)| {
            let v = metric.value(p);
            // One run (or runs at one instant) sits in the middle.
            let fx = if span > 0.0 { (t - t0) / span } else { 0.5 };
            Dot {
                x: LEFT + fx * inner_w,
                y: TOP + (1.0 - (v / top).clamp(0.0, 1.0)) * inner_h,
                id: p.id,
                status: p.status,
                label: format!(
                    "{} · {} · {} · {}",
                    p.created_at
                        .get(..19)
                        .unwrap_or(&p.created_at)
                        .replace('T', " "),
                    p.model,
                    p.status.as_str(),
                    metric.format(v)
                ),
            }
        })
        .collect();
    (top, dots)
}

/// The statuses among `points`, in [`RunStatus::ALL`]'s order: what the
/// legend names.
pub fn statuses(points: &[RunPoint]) -> Vec<RunStatus> {
    RunStatus::ALL
        .into_iter()
        .filter(|s| points.iter().any(|p| p.status == *s))
        .collect()
}

/// Which colour is which status, for the statuses the plots show.
#[component]
pub fn Legend(statuses: Vec<RunStatus>) -> impl IntoView {
    view! {
        <ul class="plot-legend" aria-label="Colours of the plots">
            {statuses.into_iter().map(|s| view! {
                <li>
                    <svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true">
                        <circle class=format!("dot status-{}", s.as_str()) cx="5" cy="5" r="4"/>
                    </svg>
                    {s.as_str()}
                </li>
            }).collect_view()}
        </ul>
    }
}

/// One plot. Clicking a dot selects its run. A metric that is zero for
/// every run (free models' cost) is said in words: an empty axis would
/// only look like missing data.
#[component]
pub fn Plot(metric: Metric, points: Vec<RunPoint>, on_pick: Callback<Uuid>) -> impl IntoView {
    if points.iter().all(|p| metric.value(p) == 0.0) {
        let words = match metric {
            Metric::Cost => format!("All {} runs were free: no cost to plot.", points.len()),
            _ => format!("All {} runs show 0: nothing to plot.", points.len()),
        };
        return view! {
            <figure class="plot plot-flat">
                <figcaption>{metric.title()}</figcaption>
                <p class="plot-note">{words}</p>
            </figure>
        }
        .into_any();
    }
    let (top, dots) = layout(&points, metric);
    let first = points
        .first()
        .map(|p| p.created_at.get(..16).unwrap_or("").replace('T', " "));
    let last = points
        .last()
        .map(|p| p.created_at.get(..16).unwrap_or("").replace('T', " "));
    let base = HEIGHT - BOTTOM;
    let mid = TOP + (base - TOP) / 2.0;
    let count = dots.len();
    view! {
        <figure class="plot">
            <figcaption>{metric.title()}</figcaption>
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-label=format!("{} of {count} runs over time", metric.title())
                preserveAspectRatio="none"
            >
                <line class="axis" x1=LEFT y1=TOP x2=LEFT y2=base/>
                <line class="axis" x1=LEFT y1=base x2=WIDTH - RIGHT y2=base/>
                <line class="grid" x1=LEFT y1=mid x2=WIDTH - RIGHT y2=mid/>
                <line class="grid" x1=LEFT y1=TOP x2=WIDTH - RIGHT y2=TOP/>
                <text class="tick" x=LEFT - 4.0 y=TOP + 4.0 text-anchor="end">{metric.format(top)}</text>
                <text class="tick" x=LEFT - 4.0 y=mid + 4.0 text-anchor="end">{metric.format(top / 2.0)}</text>
                <text class="tick" x=LEFT - 4.0 y=base text-anchor="end">"0"</text>
                <text class="tick" x=LEFT y=HEIGHT - 6.0>{first}</text>
                <text class="tick" x=WIDTH - RIGHT y=HEIGHT - 6.0 text-anchor="end">{last}</text>
                {dots.into_iter().map(|d| {
                    let id = d.id;
                    view! {
                        <circle
                            class=format!("dot status-{}", d.status.as_str())
                            cx=format!("{:.1}", d.x)
                            cy=format!("{:.1}", d.y)
                            r="4"
                            on:click=move |_| on_pick.run(id)
                        >
                            <title>{d.label}</title>
                        </circle>
                    }
                }).collect_view()}
            </svg>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(at: &str, latency: f64, tokens: u64) -> RunPoint {
        RunPoint {
            id: Uuid::nil(),
            created_at: at.into(),
            model: "m".into(),
            status: RunStatus::Ok,
            latency_ms: latency,
            ttft_ms: None,
            total_tokens: tokens,
            cost_usd: 0.0,
        }
    }

    #[test]
    fn store_times_read_as_epoch_milliseconds() {
        assert_eq!(epoch_ms("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(epoch_ms("1970-01-02T00:00:01.500Z"), Some(86_401_500.0));
        assert_eq!(epoch_ms("2000-03-01T00:00:00Z"), Some(951_868_800_000.0));
        assert_eq!(
            epoch_ms("2026-11-27T06:00:00+01:00"),
            epoch_ms("2026-11-27T05:00:00Z")
        );
        assert_eq!(epoch_ms("2026-13-01T00:00:00Z"), None);
        assert_eq!(epoch_ms("yesterday"), None);
    }

    #[test]
    fn the_legend_names_the_statuses_shown_in_a_fixed_order() {
        let mut failed = point("2026-11-27T05:00:00Z", 1.0, 1);
        failed.status = RunStatus::Failed;
        let points = [
            point("2026-11-27T06:00:00Z", 1.0, 1),
            failed.clone(),
            failed,
        ];
        assert_eq!(statuses(&points), [RunStatus::Ok, RunStatus::Failed]);
        assert!(statuses(&[]).is_empty());
    }

    #[test]
    fn ceilings_are_round() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(1.0), 1.0);
        assert_eq!(nice_ceiling(1.2), 2.0);
        assert_eq!(nice_ceiling(730.0), 1000.0);
        assert_eq!(nice_ceiling(0.0031), 0.005);
    }

    #[test]
    fn dots_span_the_time_axis_and_scale_from_zero() {
        let points = [
            point("2026-11-27T05:00:00Z", 500.0, 10),
            point("2026-11-27T06:00:00Z", 1000.0, 20),
            point("not a time", 9e9, 0),
        ];
        let (top, dots) = layout(&points, Metric::Latency);
        assert_eq!(top, 1000.0);
        assert_eq!(dots.len(), 2);
        assert_eq!((dots[0].x, dots[1].x), (LEFT, WIDTH - RIGHT));
        assert_eq!(dots[1].y, TOP);
        let half = TOP + (HEIGHT - TOP - BOTTOM) / 2.0;
        assert!((dots[0].y - half).abs() < 1e-9);
        let (_, one) = layout(&points[..1], Metric::Tokens);
        assert_eq!(one[0].x, LEFT + (WIDTH - LEFT - RIGHT) / 2.0);
    }
}
