//! The checked forms of what lists and searches take: a [`Page`] of any
//! list (runs, conversations, prompts), a run search ([`RunSearch`]), a
//! conversation search and a conversation's title. A bad value is refused
//! with what would be accepted; nothing is clamped.
//!
//! Parse, don't validate: the store takes only these types, which nothing
//! but their checks can make, so a check is made once, at the engine, and
//! an unchecked query cannot reach a statement.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::runs::RunQuery;

/// The largest page of any list.
pub const MAX_PAGE: u32 = 500;
/// A page's size when a run or conversation list names none.
pub const DEFAULT_PAGE: u32 = 50;
/// The longest conversation title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest filter text (a model id, a session id, a title search), in
/// characters.
pub const MAX_FILTER_CHARS: usize = 256;

/// A page size out of range: the one refusal every list shares, whatever
/// else its query checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("limit must be 1..={MAX_PAGE}, got {0}")]
pub struct LimitError(pub u32);

/// Why a search was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Limit(#[from] LimitError),
    #[error("{field} must be an RFC 3339 time such as 2026-01-31T09:30:00Z, got {value:?}")]
    Time { field: &'static str, value: String },
    #[error("prompt_version must be 1 or more")]
    VersionZero,
    #[error("{field} must not contain U+0000 (NUL)")]
    Nul { field: &'static str },
    #[error("{field} must be 1 to {MAX_FILTER_CHARS} characters (or absent)")]
    Length { field: &'static str },
}

/// One page of a list: at most `limit` items (1..=[`MAX_PAGE`]) after
/// skipping `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    limit: u32,
    offset: u32,
}

impl Page {
    /// A page of `limit` items ([`DEFAULT_PAGE`] when absent) from `offset`.
    pub fn parse(limit: Option<u32>, offset: u32) -> Result<Self, LimitError> {
        Self::parse_or(limit, offset, DEFAULT_PAGE)
    }

    /// [`Page::parse`] for a list with a default of its own.
    pub fn parse_or(limit: Option<u32>, offset: u32, default: u32) -> Result<Self, LimitError> {
        match limit.unwrap_or(default) {
            limit @ 1..=MAX_PAGE => Ok(Self { limit, offset }),
            n => Err(LimitError(n)),
        }
    }

    pub fn limit(self) -> u32 {
        self.limit
    }

    pub fn offset(self) -> u32 {
        self.offset
    }
}

/// A run search, checked: filters within their limits, `since`/`until`
/// in the store's form (RFC 3339, UTC, milliseconds, so text order is time
/// order), and its page.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSearch {
    filters: RunQuery,
    page: Page,
}

impl RunSearch {
    pub fn parse(query: &RunQuery) -> Result<Self, QueryError> {
        let mut q = query.clone();
        let page = Page::parse(q.limit, q.offset)?;
        filter_text("model", q.model.as_deref())?;
        filter_text("session_id", q.session_id.as_deref())?;
        // A version alone filters by that version of any prompt.
        if q.prompt_version == Some(0) {
            return Err(QueryError::VersionZero);
        }
        q.since = q.since.as_deref().map(|t| time("since", t)).transpose()?;
        q.until = q.until.as_deref().map(|t| time("until", t)).transpose()?;
        // The page is `page`'s to say.
        q.limit = None;
        q.offset = 0;
        Ok(Self { filters: q, page })
    }

    /// The filters, sort and order (its paging is [`RunSearch::page`]).
    pub fn filters(&self) -> &RunQuery {
        &self.filters
    }

    pub fn page(&self) -> Page {
        self.page
    }
}

/// The text of a conversation search: may be empty.
pub fn search_text(text: &str) -> Result<(), QueryError> {
    if text.is_empty() {
        return Ok(());
    }
    filter_text("q", Some(text))
}

fn filter_text(field: &'static str, value: Option<&str>) -> Result<(), QueryError> {
    let Some(value) = value else {
        return Ok(());
    };
    if value.is_empty() || value.chars().count() > MAX_FILTER_CHARS {
        return Err(QueryError::Length { field });
    }
    if value.contains('\0') {
        return Err(QueryError::Nul { field });
    }
    Ok(())
}

fn time(field: &'static str, value: &str) -> Result<String, QueryError> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| {
            t.with_timezone(&Utc)
                .to_rfc3339_opts(SecondsFormat::Millis, true)
        })
        .map_err(|_| QueryError::Time {
            field,
            value: value.to_owned(),
        })
}

/// Why a conversation's title was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TitleError {
    #[error("the title is {0} characters; at most {MAX_TITLE_CHARS} are accepted")]
    TooLong(usize),
    #[error("the title must not contain U+0000 (NUL)")]
    Nul,
    #[error("the title is empty")]
    Empty,
}

/// A conversation's new title, trimmed: not blank, at most
/// [`MAX_TITLE_CHARS`] characters as given (so the API's document states
/// the limit exactly), no U+0000.
pub fn title(title: &str) -> Result<String, TitleError> {
    let chars = title.chars().count();
    if chars > MAX_TITLE_CHARS {
        return Err(TitleError::TooLong(chars));
    }
    if title.contains('\0') {
        return Err(TitleError::Nul);
    }
    let title = title.trim();
    if title.is_empty() {
        return Err(TitleError::Empty);
    }
    Ok(title.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn times_are_normalised_to_the_stores_form() {
        let search = RunSearch::parse(&RunQuery {
            since: Some("2026-03-01T10:00:00+02:00".into()),
            until: Some("2026-03-01T09:00:00.123456Z".into()),
            offset: 7,
            ..RunQuery::default()
        })
        .unwrap();
        let q = search.filters();
        assert_eq!(q.since.as_deref(), Some("2026-03-01T08:00:00.000Z"));
        assert_eq!(q.until.as_deref(), Some("2026-03-01T09:00:00.123Z"));
        assert_eq!(search.page(), Page::parse(None, 7).unwrap());
        assert_eq!(
            (search.page().limit(), search.page().offset()),
            (DEFAULT_PAGE, 7)
        );
        let e = RunSearch::parse(&RunQuery {
            until: Some("yesterday".into()),
            ..RunQuery::default()
        })
        .unwrap_err();
        assert!(e.to_string().contains("until"), "{e}");
    }

    #[test]
    fn bad_queries_are_refused() {
        let bad = |q: RunQuery| RunSearch::parse(&q).unwrap_err();
        assert_eq!(
            bad(RunQuery {
                limit: Some(0),
                ..RunQuery::default()
            }),
            QueryError::Limit(LimitError(0))
        );
        assert_eq!(
            bad(RunQuery {
                limit: Some(501),
                ..RunQuery::default()
            }),
            QueryError::Limit(LimitError(501))
        );
        assert_eq!(
            bad(RunQuery {
                prompt_id: Some(Uuid::nil()),
                prompt_version: Some(0),
                ..RunQuery::default()
            }),
            QueryError::VersionZero
        );
        assert_eq!(
            bad(RunQuery {
                model: Some("a\0".into()),
                ..RunQuery::default()
            }),
            QueryError::Nul { field: "model" }
        );
        assert_eq!(Page::parse_or(None, 0, 100).unwrap().limit(), 100);
        assert_eq!(Page::parse(Some(0), 0), Err(LimitError(0)));
        assert_eq!(Page::parse(Some(MAX_PAGE), 0).unwrap().limit(), MAX_PAGE);
        assert!(search_text("").is_ok());
        assert!(search_text(&"x".repeat(MAX_FILTER_CHARS + 1)).is_err());
    }

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(title("  Trip plans \n").unwrap(), "Trip plans");
        assert!(title("   ").is_err());
        assert!(title(&"é".repeat(MAX_TITLE_CHARS)).is_ok());
        assert!(title(&"é".repeat(MAX_TITLE_CHARS + 1)).is_err());
        assert_eq!(title("a\0b"), Err(TitleError::Nul));
        let padded = format!(" {} ", "x".repeat(MAX_TITLE_CHARS - 1));
        assert_eq!(
            title(&padded),
            Err(TitleError::TooLong(MAX_TITLE_CHARS + 1))
        );
    }
}
