//! The text of the store's statements, per backend.
//!
//! Each statement is written once, with SQLite's `?` placeholders, as a
//! `static` [`Sql`]. PostgreSQL numbers its parameters (`$1`, `$2`, ...);
//! its text is derived from the same source the first time it is needed and
//! kept for the life of the process, rather than kept as a second copy of
//! every statement.
//!
//! A search whose clauses depend on its filters is a [`Built`] statement:
//! its text is assembled at run time from fixed fragments, still with `?`
//! placeholders, and numbered the same way. Values are always bound, never
//! written into the text.

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

/// A statement assembled at run time from fixed fragments (see the
/// module's doc), with the values to bind in order.
#[derive(Debug, Default)]
pub(crate) struct Built {
    text: String,
    numbered: OnceLock<String>,
    params: Vec<Param>,
}

/// A value bound to a [`Built`] statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    Text(String),
    Int(i64),
    /// Text or NULL.
    OptText(Option<String>),
}

impl Built {
    /// Appends a fragment of SQL. Only fixed text belongs here: every value
    /// goes through [`Built::bind`].
    pub(crate) fn push(&mut self, fragment: &'static str) -> &mut Self {
        self.text.push_str(fragment);
        self.numbered = OnceLock::new();
        self
    }

    /// Appends `fragment`, which holds one `?`, and the value it stands for.
    pub(crate) fn push_bind(&mut self, fragment: &'static str, value: Param) -> &mut Self {
        self.push(fragment);
        self.params.push(value);
        self
    }

    /// `(?, ?, ...)` with one placeholder per value.
    pub(crate) fn push_list(&mut self, values: impl IntoIterator<Item = Param>) -> &mut Self {
        self.push("(");
        for (i, value) in values.into_iter().enumerate() {
            self.push(if i == 0 { "?" } else { ", ?" });
            self.params.push(value);
        }
        self.push(")")
    }

    /// The text for SQLite: as assembled.
    pub(crate) fn sqlite(&self) -> &str {
        &self.text
    }

    /// The text for PostgreSQL: placeholders numbered.
    pub(crate) fn postgres(&self) -> &str {
        self.numbered.get_or_init(|| numbered(&self.text))
    }

    /// The values, in the order of their placeholders.
    pub(crate) fn params(&self) -> &[Param] {
        &self.params
    }
}

/// `text` as a LIKE pattern (with `ESCAPE '\'`) that finds it anywhere,
/// lowercased by Rust (the same on both backends, unlike SQL's `lower`),
/// with the pattern characters escaped.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
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
    use super::{contains_pattern, numbered, Built, Param, Sql};

    #[test]
    fn like_patterns_escape_their_wildcards() {
        assert_eq!(contains_pattern("JSON"), "%json%");
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(contains_pattern("ÉTÉ"), "%été%");
    }

    #[test]
    fn built_statements_number_their_values_in_order() {
        let mut sql = Built::default();
        sql.push("SELECT * FROM t WHERE 1 = 1")
            .push_bind(" AND a = ?", Param::Text("x?".into()))
            .push(" AND b IN ")
            .push_list([Param::Int(1), Param::Int(2)])
            .push_bind(" LIMIT ?", Param::Int(5));
        assert_eq!(
            sql.sqlite(),
            "SELECT * FROM t WHERE 1 = 1 AND a = ? AND b IN (?, ?) LIMIT ?"
        );
        assert_eq!(
            sql.postgres(),
            "SELECT * FROM t WHERE 1 = 1 AND a = $1 AND b IN ($2, $3) LIMIT $4"
        );
        assert_eq!(sql.params().len(), 4);
        assert_eq!(sql.params()[0], Param::Text("x?".into()));
    }

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
