//! The runs page's address: its filters, sort, page and open run as query
//! parameters, so a filtered view can be bookmarked, shared and reloaded.
//!
//! The parameters have the names and values of `GET /api/v1/runs`
//! (`model`, `status`, `prompt_id`, `since`, `until`, `sort`, `order`,
//! `offset`), plus `run` for the open run; defaults are left out, so the
//! plain page is `/runs`. An address that does not read (a hand-edited
//! status, a broken id) opens the plain page rather than an error.

use pep::outcome::RunStatus;
use pep::runs::{RunQuery, RunSort, SortOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::table::first_query;

/// What the address holds, each part absent when it is the default.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<RunStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    since: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sort: Option<RunSort>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order: Option<SortOrder>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<Uuid>,
}

/// The page's query and open run from the address's query string
/// (`search`, with or without its leading `?`).
pub fn read(search: &str) -> (RunQuery, Option<Uuid>) {
    let a: Address = serde_urlencoded::from_str(search.trim_start_matches('?')).unwrap_or_default();
    let query = RunQuery {
        model: a.model,
        status: a.status,
        prompt_id: a.prompt_id,
        since: a.since,
        until: a.until,
        sort: a.sort.unwrap_or_default(),
        order: a.order.unwrap_or_default(),
        offset: a.offset.unwrap_or_default(),
        ..first_query()
    };
    (query, a.run)
}

/// The page's address for `query` with `run` open.
pub fn href(query: &RunQuery, run: Option<Uuid>) -> String {
    let a = Address {
        model: query.model.clone(),
        status: query.status,
        prompt_id: query.prompt_id,
        since: query.since.clone(),
        until: query.until.clone(),
        sort: (query.sort != RunSort::default()).then_some(query.sort),
        order: (query.order != SortOrder::default()).then_some(query.order),
        offset: (query.offset != 0).then_some(query.offset),
        run,
    };
    // Serialising a flat struct of strings, numbers and unit variants
    // cannot fail; were it ever to, the plain page is still right.
    match serde_urlencoded::to_string(&a) {
        Ok(search) if !search.is_empty() => format!("/runs?{search}"),
        _ => "/runs".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_page_has_a_plain_address() {
        assert_eq!(href(&first_query(), None), "/runs");
        assert_eq!(read(""), (first_query(), None));
        assert_eq!(read("?"), (first_query(), None));
    }

    #[test]
    fn every_part_goes_into_the_address_and_back() {
        let run = Uuid::from_u128(7);
        let query = RunQuery {
            model: Some("gpt 4o & co".into()),
            status: Some(RunStatus::Failed),
            prompt_id: Some(Uuid::from_u128(9)),
            since: Some("2026-11-01T00:00:00Z".into()),
            until: Some("2026-11-28T00:00:00Z".into()),
            sort: RunSort::Latency,
            order: SortOrder::Asc,
            offset: 50,
            ..first_query()
        };
        let address = href(&query, Some(run));
        assert!(
            address.starts_with("/runs?model=gpt+4o+%26+co&status=failed&"),
            "{address}"
        );
        assert!(
            address.contains("&sort=latency&order=asc&offset=50&"),
            "{address}"
        );
        let search = &address["/runs".len()..];
        assert_eq!(read(search), (query, Some(run)));
    }

    #[test]
    fn an_address_that_does_not_read_opens_the_plain_page() {
        assert_eq!(read("status=exploded"), (first_query(), None));
        assert_eq!(read("run=not-an-id&model=x"), (first_query(), None));
        // Parameters the page does not know are ignored.
        let (query, run) = read("model=x&utm_source=mail");
        assert_eq!((query.model.as_deref(), run), (Some("x"), None));
    }
}
