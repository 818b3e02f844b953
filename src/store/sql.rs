//! The text of the store's statements, per backend.
//!
//! Each statement is written once, with SQLite's `?` placeholders, as a
//! `static` [`Sql`]. PostgreSQL numbers its parameters (`$1`, `$2`, ...);
//! its text is derived from the same source the first time it is needed and
//! kept for the life of the process, rather than kept as a second copy of
//! every statement.

use std::sync::OnceLock;

/// One statement of the store.
#[derive(Debug)]
pub(crate) struct Sql {
    text: &'static str,
    numbered: OnceLock<String>,
}

impl Sql {
    /// `text` uses `?` placeholders. PostgreSQL's JSONB operators `?`, `?|`
    /// and `?&` cannot be told apart from them, so the store's SQL must not
    /// use those operators (the functions `jsonb_exists*` do the same job).
    pub(crate) const fn new(text: &'static str) -> Self {
        Self {
            text,
            numbered: OnceLock::new(),
        }
    }

    /// The text for SQLite: as written.
    pub(crate) fn sqlite(&'static self) -> &'static str {
        self.text
    }

    /// The text for PostgreSQL: placeholders numbered.
    pub(crate) fn postgres(&'static self) -> &'static str {
        self.numbered.get_or_init(|| numbered(self.text))
    }
}

/// Where the scanner is in the text of a statement.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scan {
    Code,
    /// Inside `'...'` (`''`, an escaped quote, leaves and re-enters).
    Literal,
    /// Inside `"..."`.
    Identifier,
    /// From `--` to the end of the line.
    LineComment,
    /// Inside `/* ... */`.
    BlockComment,
}

/// `sql` with each `?` outside quotes and comments replaced by `$1`, `$2`,
/// ... in order.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut next = 1u32;
    let mut state = Scan::Code;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (state, c) {
            (Scan::Code, '?') => {
                out.push('$');
                out.push_str(&next.to_string());
                next += 1;
                continue;
            }
            (Scan::Code, '\'') => state = Scan::Literal,
            (Scan::Code, '"') => state = Scan::Identifier,
            (Scan::Code, '-') if chars.peek() == Some(&'-') => state = Scan::LineComment,
            (Scan::Code, '/') if chars.peek() == Some(&'*') => state = Scan::BlockComment,
            (Scan::Literal, '\'') | (Scan::Identifier, '"') | (Scan::LineComment, '\n') => {
                state = Scan::Code;
            }
            (Scan::BlockComment, '*') if chars.peek() == Some(&'/') => {
                out.push(c);
                if let Some(slash) = chars.next() {
                    out.push(slash);
                }
                state = Scan::Code;
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{numbered, Sql};

    #[test]
    fn question_marks_are_numbered_in_order() {
        assert_eq!(
            numbered("INSERT INTO t (a, b) VALUES (?, ?) LIMIT ?"),
            "INSERT INTO t (a, b) VALUES ($1, $2) LIMIT $3"
        );
        assert_eq!(numbered("SELECT 1"), "SELECT 1");
    }

    #[test]
    fn quoted_text_and_comments_keep_their_question_marks() {
        assert_eq!(
            numbered("SELECT '?', 'it''s ?', \"a?\" FROM t WHERE x = ? -- why?\nAND y = ?"),
            "SELECT '?', 'it''s ?', \"a?\" FROM t WHERE x = $1 -- why?\nAND y = $2"
        );
        assert_eq!(
            numbered("/* ? */ SELECT ? /* ?*/, ?"),
            "/* ? */ SELECT $1 /* ?*/, $2"
        );
    }

    #[test]
    fn each_backend_gets_its_text() {
        static STATEMENT: Sql = Sql::new("SELECT ? WHERE ?");
        assert_eq!(STATEMENT.sqlite(), "SELECT ? WHERE ?");
        assert_eq!(STATEMENT.postgres(), "SELECT $1 WHERE $2");
        // Derived once, then the same text.
        assert!(std::ptr::eq(STATEMENT.postgres(), STATEMENT.postgres()));
    }
}
