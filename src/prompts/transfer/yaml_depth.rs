//! How deep a YAML text nests, measured in one linear pass before the text
//! is parsed.
//!
//! libyaml (under `serde_norway`) keeps one entry per open flow collection
//! and looks at every entry for every token, so `[[[[...` 100,000 deep takes
//! it most of a minute, quadratic in the depth, before `serde_norway`'s own
//! recursion limit is ever reached. This scanner follows just enough of
//! YAML's lexical rules (quoted, plain and block scalars, comments, flow and
//! block collections) to tell a bracket that opens a collection from one
//! inside text, and stops at the first level past [`MAX_YAML_DEPTH`].

/// The deepest an import may nest: flow collections (`[`, `{`) and block
/// collections (indentation, `- `) together. A bundle needs about ten
/// levels around a response-format schema, which is itself at most 64 JSON
/// levels deep (`crate::schema::bounds`); `serde_norway` refuses anything
/// past 128 anyway, after reading all of it.
pub const MAX_YAML_DEPTH: usize = 100;

/// The text nests past [`MAX_YAML_DEPTH`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the YAML nests deeper than the depth limit of {MAX_YAML_DEPTH} levels (line {line})")]
pub struct TooDeep {
    /// Where the limit was crossed, from 1.
    pub line: usize,
}

/// Whether `text` stays within [`MAX_YAML_DEPTH`]. It never refuses a text
/// that nests less, and reads each byte once; text that is not YAML is left
/// for the parser to refuse. Flow collections, the quadratic case, are
/// counted exactly; block collections as libyaml's indentation levels, so a
/// sequence written at its key's own column adds none (libyaml reads those
/// in linear time, and `serde_norway` refuses past 128 levels).
pub fn check_depth(text: &[u8]) -> Result<(), TooDeep> {
    Scanner {
        text,
        at: 0,
        line: 0,
        column: 0,
        indents: Vec::new(),
        flow: 0,
        plain_continues: false,
    }
    .run()
}

struct Scanner<'t> {
    text: &'t [u8],
    at: usize,
    line: usize,
    /// In characters, as libyaml counts.
    column: usize,
    /// The columns of the open block collections (libyaml's indents).
    indents: Vec<usize>,
    /// Open flow collections.
    flow: usize,
    /// The last line ended inside a plain scalar, which may go on over the
    /// lines indented more than its collection.
    plain_continues: bool,
}

impl Scanner<'_> {
    fn peek(&self, ahead: usize) -> u8 {
        self.text.get(self.at + ahead).copied().unwrap_or(0)
    }

    fn blank_or_end(&self, ahead: usize) -> bool {
        matches!(self.peek(ahead), b' ' | b'\t' | b'\r' | b'\n' | 0)
    }

    fn done(&self) -> bool {
        self.at >= self.text.len()
    }

    fn bump(&mut self) {
        let Some(&b) = self.text.get(self.at) else {
            return;
        };
        if b == b'\n' {
            self.line += 1;
            self.column = 0;
        } else if b & 0xC0 != 0x80 {
            self.column += 1;
        }
        self.at += 1;
    }

    fn skip_line(&mut self) {
        while !self.done() && self.peek(0) != b'\n' {
            self.bump();
        }
        self.bump();
    }

    fn skip_to_line_end(&mut self) {
        while !self.done() && self.peek(0) != b'\n' {
            self.bump();
        }
    }

    /// The leading spaces of the line that starts here.
    fn indentation(&self) -> usize {
        self.text[self.at.min(self.text.len())..]
            .iter()
            .take_while(|&&b| b == b' ')
            .count()
    }

    fn top(&self) -> Option<usize> {
        self.indents.last().copied()
    }

    fn deeper_than_top(&self, column: usize) -> bool {
        self.top().is_none_or(|top| column > top)
    }

    fn within(&self) -> Result<(), TooDeep> {
        if self.indents.len() + self.flow > MAX_YAML_DEPTH {
            Err(TooDeep {
                line: self.line + 1,
            })
        } else {
            Ok(())
        }
    }

    /// Closes the block collections deeper than `column`.
    fn unroll(&mut self, column: usize) {
        while self.top().is_some_and(|top| top > column) {
            self.indents.pop();
        }
    }

    /// Opens a block collection at `column` unless one is open there.
    fn roll(&mut self, column: usize) -> Result<(), TooDeep> {
        if self.deeper_than_top(column) {
            self.indents.push(column);
        }
        self.within()
    }

    fn run(mut self) -> Result<(), TooDeep> {
        while !self.done() {
            let indent = self.indentation();
            match self.text.get(self.at + indent).copied().unwrap_or(0) {
                b'\r' | b'\n' | 0 => {
                    self.skip_line();
                    continue;
                }
                b'#' => {
                    self.plain_continues = false;
                    self.skip_line();
                    continue;
                }
                _ => {}
            }
            for _ in 0..indent {
                self.bump();
            }
            if self.plain_continues && self.deeper_than_top(indent) && !self.document_marker() {
                self.plain();
                if !self.plain_continues {
                    // It ended at `: ` or ` #`: the rest of the line is tokens.
                    self.block_line()?;
                }
            } else {
                self.block_line()?;
            }
        }
        Ok(())
    }

    fn document_marker(&self) -> bool {
        self.column == 0
            && (self.text[self.at..].starts_with(b"---")
                || self.text[self.at..].starts_with(b"..."))
            && self.blank_or_end(3)
    }

    /// The tokens of one line in block context, from its first token; ends
    /// at the start of the next line the main loop should look at.
    fn block_line(&mut self) -> Result<(), TooDeep> {
        self.plain_continues = false;
        // Where the node a `: ` would make a key starts (simple keys stay
        // on one line).
        let mut key: Option<(usize, usize)> = None;
        loop {
            let c = self.peek(0);
            let column = self.column;
            match c {
                0 => return Ok(()),
                b'\n' => {
                    self.bump();
                    return Ok(());
                }
                b' ' | b'\t' | b'\r' => self.bump(),
                b'#' => self.skip_to_line_end(),
                b'%' if column == 0 => self.skip_to_line_end(),
                _ if self.document_marker() => {
                    self.indents.clear();
                    self.flow = 0;
                    key = None;
                    for _ in 0..3 {
                        self.bump();
                    }
                }
                b'-' | b'?' if self.blank_or_end(1) => {
                    self.unroll(column);
                    self.roll(column)?;
                    key = None;
                    self.bump();
                }
                b':' if self.blank_or_end(1) => {
                    let at = match key {
                        Some((line, column)) if line == self.line => column,
                        _ => column,
                    };
                    self.roll(at)?;
                    key = None;
                    self.bump();
                }
                b'[' | b'{' => {
                    self.unroll(column);
                    key.get_or_insert((self.line, column));
                    self.flow = 1;
                    self.within()?;
                    self.bump();
                    self.flow_collection()?;
                }
                b'"' | b'\'' => {
                    self.unroll(column);
                    key.get_or_insert((self.line, column));
                    self.quoted(c);
                }
                b'|' | b'>' => {
                    self.block_scalar();
                    return Ok(());
                }
                b'&' | b'!' | b'*' => {
                    self.unroll(column);
                    key.get_or_insert((self.line, column));
                    while !self.blank_or_end(0) {
                        self.bump();
                    }
                }
                _ => {
                    self.unroll(column);
                    key.get_or_insert((self.line, column));
                    self.plain();
                    if self.plain_continues {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// A plain scalar (or its continuation) in block context: up to `: `,
    /// ` #` or the end of the line, where it may go on.
    fn plain(&mut self) {
        self.plain_continues = false;
        loop {
            match self.peek(0) {
                0 => return,
                b'\n' => {
                    self.plain_continues = true;
                    self.bump();
                    return;
                }
                b':' if self.blank_or_end(1) => return,
                b' ' | b'\t' if self.peek(1) == b'#' => return,
                _ => self.bump(),
            }
        }
    }

    /// A quoted scalar, from its opening quote; it may span lines.
    fn quoted(&mut self, quote: u8) {
        self.bump();
        while !self.done() {
            let c = self.peek(0);
            // An escape (`\"`) or a doubled single quote (`''`) is text.
            let escaped = (quote == b'"' && c == b'\\')
                || (quote == b'\'' && c == b'\'' && self.peek(1) == b'\'');
            if escaped {
                self.bump();
            } else if c == quote {
                self.bump();
                return;
            }
            self.bump();
        }
    }

    /// A literal or folded block scalar, from its `|` or `>`: the header,
    /// then every line indented as its content (or blank).
    fn block_scalar(&mut self) {
        self.bump();
        let mut increment = None;
        while let c @ (b'+' | b'-' | b'0'..=b'9') = self.peek(0) {
            if c.is_ascii_digit() {
                increment = Some(usize::from(c - b'0'));
            }
            self.bump();
        }
        self.skip_line();
        let mut content = increment.map(|i| self.top().map_or(i, |top| top + i));
        while !self.done() {
            let indent = self.indentation();
            let blank = matches!(
                self.text.get(self.at + indent).copied().unwrap_or(0),
                b'\r' | b'\n' | 0
            );
            let inside = blank
                || match content {
                    Some(content) => indent >= content,
                    None if self.deeper_than_top(indent) => {
                        content = Some(indent.max(1));
                        true
                    }
                    None => false,
                };
            if !inside {
                return;
            }
            self.skip_line();
        }
    }

    /// The inside of a flow collection, after its first opening bracket,
    /// up to the bracket that closes it.
    fn flow_collection(&mut self) -> Result<(), TooDeep> {
        let mut in_plain = false;
        let mut after_space = false;
        while !self.done() {
            let c = self.peek(0);
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => {
                    self.bump();
                    after_space = true;
                    continue;
                }
                b'#' if !in_plain || after_space => {
                    self.skip_to_line_end();
                    in_plain = false;
                    continue;
                }
                b'"' | b'\'' if !in_plain => {
                    self.quoted(c);
                    after_space = false;
                    continue;
                }
                b'[' | b'{' => {
                    self.flow += 1;
                    self.within()?;
                    in_plain = false;
                }
                b']' | b'}' => {
                    self.flow = self.flow.saturating_sub(1);
                    self.bump();
                    if self.flow == 0 {
                        return Ok(());
                    }
                    in_plain = false;
                    after_space = false;
                    continue;
                }
                b',' => in_plain = false,
                b':' if !in_plain || self.blank_or_end(1) => in_plain = false,
                b'?' | b'-' if !in_plain && self.blank_or_end(1) => {}
                _ => in_plain = true,
            }
            after_space = false;
            self.bump();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::{check_depth, MAX_YAML_DEPTH};

    fn refused(text: &str) -> bool {
        check_depth(text.as_bytes()).is_err()
    }

    #[test]
    fn deep_flow_and_block_nesting_is_refused_at_once() {
        let n = 100_000;
        let flow = format!("prompts: {}{}", "[".repeat(n), "]".repeat(n));
        let block = format!("prompts:\n{}x\n", "- ".repeat(n));
        let mut indented = String::from("prompts:\n");
        for i in 0..1_000 {
            indented.push_str(&" ".repeat(i));
            indented.push_str("-\n");
        }
        let mut keys = String::new();
        for i in 0..1_000 {
            keys.push_str(&" ".repeat(i));
            keys.push_str("k:\n");
        }
        for text in [&flow, &block, &indented, &keys] {
            let err = check_depth(text.as_bytes()).unwrap_err();
            assert!(err.to_string().contains("depth limit of 100"), "{err}");
        }
    }

    #[test]
    fn nesting_up_to_the_limit_is_fine() {
        let n = MAX_YAML_DEPTH - 1;
        assert!(!refused(&format!("a: {}{}", "[".repeat(n), "]".repeat(n))));
        assert!(refused(&format!(
            "a: {}{}",
            "[".repeat(n + 1),
            "]".repeat(n + 1)
        )));
        assert!(!refused(&format!("{}x", "- ".repeat(MAX_YAML_DEPTH))));
        assert!(refused(&format!("{}x", "- ".repeat(MAX_YAML_DEPTH + 1))));
    }

    #[test]
    fn brackets_inside_text_do_not_count() {
        let deep = "[".repeat(500);
        let texts = [
            format!("a: x {deep}\n"),
            format!("a: \"{deep}\"\n"),
            format!("a: '{deep}'\n"),
            format!("a: x # {deep}\n# {deep}\n"),
            format!("a: |\n  {deep}\n\n  {deep}\nb: 1\n"),
            format!("a: >2\n   {deep}\nb: 1\n"),
            format!("a: plain\n  {deep}\n  more\nb: 1\n"),
            format!("a: [x, \"{deep}\", '{deep}']\n"),
            format!("a: {{k: \"{deep}\", j: '{deep}'}}\n"),
            format!("a: !tag{deep} x\n"),
            format!("- - {{t: \"a]b\"}}\n  - x {deep}\n"),
        ];
        for text in &texts {
            assert!(!refused(text), "{text}");
        }
    }

    #[test]
    fn brackets_after_text_still_count() {
        let deep = "[".repeat(200);
        // A quote inside a flow plain scalar does not start a quoted one,
        // and a bracket ends a flow plain scalar.
        assert!(refused(&format!("a: [x'y, {deep}, 'z]\n")));
        assert!(refused(&format!("a: [x{deep}\n")));
        // A comment ends a plain scalar: the next line is a new token.
        assert!(refused(&format!("a: x #c\n{deep}\n")));
        // A block scalar ends at the first line indented less.
        assert!(refused(&format!("a: |\n  text\nb: {deep}\n")));
        assert!(refused(&format!("- \"x\"\n- '{{'\n- {deep}\n")));
    }
}
