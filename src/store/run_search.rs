//! The runs page's questions: one page of runs matching a [`RunQuery`]
//! (filtered, sorted, counted) and figures over all of them ([`RunStats`]).
//!
//! The WHERE clause depends on which filters are set, so these statements
//! are [`Built`] from fixed fragments; every value is bound. The query is
//! the engine's, already checked ([`RunSearch`]: `since`/`until` in the
//! store's RFC 3339 form, a page in range).

use uuid::Uuid;

use super::db::read_transaction;
use super::run_row::{corrupt, run_head_columns, status, RunHeadRow};
use super::sql::{Built, Param};
use super::{Store, StoreError};
use crate::outcome::RunStatus;
use crate::query::RunSearch;
use crate::runs::{RunPage, RunPoint, RunQuery, RunSort, RunStats, RunSummary, SortOrder};
/// The most points [`Store::run_stats`] returns.
pub const MAX_POINTS: u32 = 2000;

/// A run's row on the runs page: the shared columns and the reply's start.
#[derive(sqlx::FromRow)]
struct SummaryRow {
    #[sqlx(flatten)]
    head: RunHeadRow,
    preview: String,
}

/// The figures of one matching run, for the totals and percentiles.
#[derive(sqlx::FromRow)]
struct FigureRow {
    status: String,
    latency_ms: f64,
    ttft_ms: Option<f64>,
    tokens: i64,
    cost_usd: f64,
}

#[derive(sqlx::FromRow)]
struct PointRow {
    id: String,
    created_at: String,
    model: String,
    status: String,
    latency_ms: f64,
    ttft_ms: Option<f64>,
    tokens: i64,
    cost_usd: f64,
}

/// ` WHERE ...` with one condition per filter set.
fn push_filters(sql: &mut Built, q: &RunQuery) {
    sql.push(" WHERE 1 = 1");
    let text = |s: &str| Param::Text(s.to_owned());
    if let Some(model) = &q.model {
        sql.push_bind(" AND r.model = ?", text(model));
    }
    if let Some(status) = q.status {
        sql.push_bind(" AND r.status = ?", text(status.as_str()));
    }
    if let Some(session) = &q.session_id {
        sql.push_bind(" AND r.session_id = ?", text(session));
    }
    if let Some(conversation) = q.conversation_id {
        sql.push_bind(
            " AND r.conversation_id = ?",
            Param::Text(conversation.to_string()),
        );
    }
    if let Some(prompt) = q.prompt_id {
        sql.push_bind(" AND r.prompt_id = ?", Param::Text(prompt.to_string()));
    }
    if let Some(version) = q.prompt_version {
        sql.push_bind(" AND r.prompt_version = ?", Param::Int(i64::from(version)));
    }
    if let Some(since) = &q.since {
        sql.push_bind(" AND r.created_at >= ?", text(since));
    }
    if let Some(until) = &q.until {
        sql.push_bind(" AND r.created_at < ?", text(until));
    }
}

/// ` ORDER BY ...`: the sort key, runs without a TTFT last whatever the
/// order, then the id (in the same direction) so pages never overlap.
fn push_order(sql: &mut Built, sort: RunSort, order: SortOrder) {
    let dir = match order {
        SortOrder::Asc => " ASC",
        SortOrder::Desc => " DESC",
    };
    sql.push(" ORDER BY ");
    match sort {
        RunSort::CreatedAt => sql.push("r.created_at"),
        RunSort::Latency => sql.push("r.latency_ms"),
        RunSort::Ttft => sql.push("CASE WHEN r.ttft_ms IS NULL THEN 1 ELSE 0 END, r.ttft_ms"),
        RunSort::Cost => sql.push("r.cost_usd"),
        RunSort::Tokens => sql.push("r.input_tokens + r.output_tokens"),
    };
    sql.push(dir).push(", r.id").push(dir);
}

/// The page's statement and the count's. The preview is the reply's first
/// 160 characters (a literal: PostgreSQL's `substr` takes no BIGINT
/// parameter).
fn page_statements(search: &RunSearch) -> (Built, Built) {
    let q = search.filters();
    let mut page = Built::default();
    page.push(concat!(
        "SELECT ",
        run_head_columns!(),
        ", substr(r.reply, 1, 160) AS preview \
             FROM runs r LEFT JOIN feedback f ON f.run_id = r.id"
    ));
    push_filters(&mut page, q);
    push_order(&mut page, q.sort, q.order);
    page.push_bind(" LIMIT ?", Param::Int(i64::from(search.page().limit())));
    page.push_bind(" OFFSET ?", Param::Int(i64::from(search.page().offset())));
    let mut count = Built::default();
    count.push("SELECT COUNT(*) FROM runs r");
    push_filters(&mut count, q);
    (page, count)
}

/// The statements of the figures (oldest first, a fixed order so sums come
/// out the same on both backends) and of the newest points.
fn stats_statements(search: &RunSearch) -> (Built, Built) {
    let q = search.filters();
    let mut figures = Built::default();
    figures.push(
        "SELECT r.status, r.latency_ms, r.ttft_ms, r.input_tokens + r.output_tokens AS tokens, \
         r.cost_usd FROM runs r",
    );
    push_filters(&mut figures, q);
    figures.push(" ORDER BY r.created_at, r.id");
    let mut points = Built::default();
    points.push(
        "SELECT r.id, r.created_at, r.model, r.status, r.latency_ms, r.ttft_ms, \
         r.input_tokens + r.output_tokens AS tokens, r.cost_usd FROM runs r",
    );
    push_filters(&mut points, q);
    points.push(" ORDER BY r.created_at DESC, r.id DESC");
    points.push_bind(" LIMIT ?", Param::Int(i64::from(MAX_POINTS)));
    (figures, points)
}

impl Store {
    /// One page of the runs matching `q`, and how many match in all.
    pub async fn search_runs(&self, q: &RunSearch) -> Result<RunPage, StoreError> {
        let (page, count) = page_statements(q);
        let (rows, total) = read_transaction!(&self.db, |conn, db| {
            let rows: Vec<SummaryRow> = db.built_as(&page).fetch_all(&mut *conn).await?;
            let (total,): (i64,) = db.built_as(&count).fetch_one(&mut *conn).await?;
            Ok((rows, total))
        })?;
        Ok(RunPage {
            runs: rows
                .into_iter()
                .map(SummaryRow::into_summary)
                .collect::<Result<_, _>>()?,
            total: u64::try_from(total).unwrap_or_default(),
        })
    }

    /// Figures over every run matching `q`'s filters (its sort and paging
    /// are ignored): counts per status, latency and TTFT percentiles,
    /// totals, and the newest [`MAX_POINTS`] runs, oldest first, to plot.
    pub async fn run_stats(&self, q: &RunSearch) -> Result<RunStats, StoreError> {
        let (figures, points) = stats_statements(q);
        let (figures, mut points) = read_transaction!(&self.db, |conn, db| {
            let figures: Vec<FigureRow> = db.built_as(&figures).fetch_all(&mut *conn).await?;
            let points: Vec<PointRow> = db.built_as(&points).fetch_all(&mut *conn).await?;
            Ok((figures, points))
        })?;
        points.reverse();
        let mut stats = RunStats::default();
        let mut latencies = Vec::with_capacity(figures.len());
        let mut ttfts = Vec::with_capacity(figures.len());
        for f in figures {
            stats.count += 1;
            match RunStatus::parse(&f.status) {
                Some(RunStatus::Ok) => stats.ok += 1,
                Some(RunStatus::Failed) => stats.failed += 1,
                Some(RunStatus::Cancelled) => stats.cancelled += 1,
                Some(RunStatus::Interrupted) => stats.interrupted += 1,
                Some(RunStatus::Running) => {
                    // Counted, but its figures are not final: they would
                    // pull the percentiles toward zero.
                    stats.running += 1;
                    continue;
                }
                None => {}
            }
            latencies.push(f.latency_ms);
            ttfts.extend(f.ttft_ms);
            stats.total_tokens += u64::try_from(f.tokens).unwrap_or_default();
            stats.total_cost_usd += f.cost_usd;
        }
        stats.latency_p50_ms = percentile(&mut latencies, 0.50);
        stats.latency_p95_ms = percentile(&mut latencies, 0.95);
        stats.ttft_p50_ms = percentile(&mut ttfts, 0.50);
        stats.ttft_p95_ms = percentile(&mut ttfts, 0.95);
        stats.points = points
            .into_iter()
            .map(PointRow::into_point)
            .collect::<Result<_, _>>()?;
        Ok(stats)
    }
}

/// The `p` quantile (0..=1) of `values`, interpolated linearly between the
/// two nearest ranks (the "linear" method of NumPy and R's type 7); `None`
/// without values. Sorts `values`.
pub fn percentile(values: &mut [f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let last = values.len() - 1;
    // An index into at most a few million values: exact in f64.
    let rank = p.clamp(0.0, 1.0) * last as f64;
    let below = (rank.floor() as usize).min(last);
    let above = (below + 1).min(last);
    let weight = rank - below as f64;
    Some(values[below] + (values[above] - values[below]) * weight)
}

impl SummaryRow {
    fn into_summary(self) -> Result<RunSummary, StoreError> {
        self.head.decode(self.preview)
    }
}

impl PointRow {
    fn into_point(self) -> Result<RunPoint, StoreError> {
        let id = self.id.as_str();
        Ok(RunPoint {
            id: Uuid::parse_str(id).map_err(|e| corrupt(id, e.to_string()))?,
            status: status(id, &self.status)?,
            created_at: self.created_at,
            model: self.model,
            latency_ms: self.latency_ms,
            ttft_ms: self.ttft_ms,
            total_tokens: u64::try_from(self.tokens).unwrap_or_default(),
            cost_usd: self.cost_usd,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{page_statements, percentile};
    use crate::query::RunSearch;
    use crate::runs::{RunQuery, RunSort, SortOrder};

    #[test]
    fn percentiles_interpolate_between_ranks() {
        assert_eq!(percentile(&mut [], 0.5), None);
        assert_eq!(percentile(&mut [7.0], 0.95), Some(7.0));
        assert_eq!(percentile(&mut [4.0, 1.0, 3.0, 2.0], 0.5), Some(2.5));
        let mut hundred: Vec<f64> = (1..=100).map(f64::from).collect();
        let p95 = percentile(&mut hundred, 0.95).unwrap_or_default();
        assert!((p95 - 95.05).abs() < 1e-9, "{p95}");
        assert_eq!(percentile(&mut hundred, 1.0), Some(100.0));
    }

    #[test]
    fn filters_are_bound_never_written_into_the_text() {
        let q = RunQuery {
            model: Some("x' OR 1 = 1 --".into()),
            prompt_version: Some(3),
            sort: RunSort::Ttft,
            order: SortOrder::Asc,
            ..RunQuery::default()
        };
        let (page, count) = page_statements(&RunSearch::parse(&q).unwrap());
        assert!(!page.sqlite().contains("OR 1 = 1"), "{}", page.sqlite());
        assert!(page.sqlite().contains(
            "ORDER BY CASE WHEN r.ttft_ms IS NULL THEN 1 ELSE 0 END, r.ttft_ms ASC, r.id ASC"
        ));
        assert!(
            page.postgres().contains("r.model = $1"),
            "{}",
            page.postgres()
        );
        assert_eq!(
            count.sqlite(),
            "SELECT COUNT(*) FROM runs r WHERE 1 = 1 AND r.model = ? AND r.prompt_version = ?"
        );
        assert_eq!(count.postgres().matches('$').count(), 2);
    }
}
