//! How the API document states the history's text rules (see
//! `pep::query`): the schemas of the run filters, the conversation
//! search and a conversation's title, built from the limits the engine
//! checks.

use pep::query::{MAX_FILTER_CHARS, MAX_TITLE_CHARS};

/// No U+0000.
const NO_NUL: &str = r"^[^\x00]*$";
/// Not blank, no U+0000.
const NOT_BLANK: &str = r"^[^\x00]*[^\s\x00][^\x00]*$";

pep::text_schema!(
    /// Text to match exactly, without U+0000.
    FilterText, 1, MAX_FILTER_CHARS, Some(NO_NUL)
);
pep::text_schema!(
    /// Text to find (any case), without U+0000; empty finds everything.
    SearchText, 0, MAX_FILTER_CHARS, Some(NO_NUL)
);
pep::text_schema!(
    /// Not blank, without U+0000; trimmed when stored.
    Title, 1, MAX_TITLE_CHARS, Some(NOT_BLANK)
);
