//! Checks of the history's inputs: a run search ([`RunQuery`]), a
//! conversation search and a conversation's title. A bad value is refused
//! with what would be accepted; nothing is clamped.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::history::RunQuery;
use crate::store::DEFAULT_PAGE;

/// The largest page of runs or conversations.
pub const MAX_PAGE: u32 = 500;
/// The longest conversation title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest filter text (a model id, a session id, a title search), in
/// bytes.
pub const MAX_FILTER_BYTES: usize = 256;

/// Why a search was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("limit must be 1..={MAX_PAGE}, got {0}")]
    Limit(u32),
    #[error("{field} must be an RFC 3339 time such as 2026-01-31T09:30:00Z, got {value:?}")]
    Time { field: &'static str, value: String },
    #[error("prompt_version needs prompt_id: a version number is only meaningful within a prompt")]
    VersionWithoutPrompt,
    #[error("prompt_version must be 1 or more")]
    VersionZero,
    #[error("{field} must not contain U+0000 (NUL)")]
    Nul { field: &'static str },
    #[error("{field} must be 1 to {MAX_FILTER_BYTES} bytes (or absent)")]
    Length { field: &'static str },
}

/// `query` checked, with `since`/`until` in the store's form (RFC 3339,
/// UTC, milliseconds, so text order is time order) and the page size set.
pub fn run_query(query: &RunQuery) -> Result<RunQuery, QueryError> {
    let mut q = query.clone();
    q.limit = Some(limit(q.limit)?);
    filter_text("model", q.model.as_deref())?;
    filter_text("session_id", q.session_id.as_deref())?;
    match (q.prompt_id, q.prompt_version) {
        (None, Some(_)) => return Err(QueryError::VersionWithoutPrompt),
        (_, Some(0)) => return Err(QueryError::VersionZero),
        _ => {}
    }
    q.since = q.since.as_deref().map(|t| time("since", t)).transpose()?;
    q.until = q.until.as_deref().map(|t| time("until", t)).transpose()?;
    Ok(q)
}

/// A page size: absent means the default.
pub fn limit(limit: Option<u32>) -> Result<u32, QueryError> {
    match limit.unwrap_or(DEFAULT_PAGE) {
        n @ 1..=MAX_PAGE => Ok(n),
        n => Err(QueryError::Limit(n)),
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
    if value.is_empty() || value.len() > MAX_FILTER_BYTES {
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

/// A conversation's new title, trimmed: 1 to [`MAX_TITLE_CHARS`]
/// characters, no U+0000.
pub fn title(title: &str) -> Result<String, String> {
    let title = title.trim();
    if title.is_empty() {
        return Err("the title is empty".into());
    }
    let chars = title.chars().count();
    if chars > MAX_TITLE_CHARS {
        return Err(format!(
            "the title is {chars} characters; at most {MAX_TITLE_CHARS} are accepted"
        ));
    }
    if title.contains('\0') {
        return Err("the title must not contain U+0000 (NUL)".into());
    }
    Ok(title.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn times_are_normalised_to_the_stores_form() {
        let q = run_query(&RunQuery {
            since: Some("2026-03-01T10:00:00+02:00".into()),
            until: Some("2026-03-01T09:00:00.123456Z".into()),
            ..RunQuery::default()
        })
        .unwrap();
        assert_eq!(q.since.as_deref(), Some("2026-03-01T08:00:00.000Z"));
        assert_eq!(q.until.as_deref(), Some("2026-03-01T09:00:00.123Z"));
        assert_eq!(q.limit, Some(DEFAULT_PAGE));
        let e = run_query(&RunQuery {
            until: Some("yesterday".into()),
            ..RunQuery::default()
        })
        .unwrap_err();
        assert!(e.to_string().contains("until"), "{e}");
    }

    #[test]
    fn bad_queries_are_refused() {
        let bad = |q: RunQuery| run_query(&q).unwrap_err();
        assert_eq!(
            bad(RunQuery {
                limit: Some(0),
                ..RunQuery::default()
            }),
            QueryError::Limit(0)
        );
        assert_eq!(
            bad(RunQuery {
                limit: Some(501),
                ..RunQuery::default()
            }),
            QueryError::Limit(501)
        );
        assert_eq!(
            bad(RunQuery {
                prompt_version: Some(2),
                ..RunQuery::default()
            }),
            QueryError::VersionWithoutPrompt
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
        assert!(search_text("").is_ok());
        assert!(search_text(&"x".repeat(MAX_FILTER_BYTES + 1)).is_err());
    }

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(title("  Trip plans \n").unwrap(), "Trip plans");
        assert!(title("   ").is_err());
        assert!(title(&"é".repeat(MAX_TITLE_CHARS)).is_ok());
        assert!(title(&"é".repeat(MAX_TITLE_CHARS + 1)).is_err());
        assert!(title("a\0b").unwrap_err().contains("NUL"));
    }
}
