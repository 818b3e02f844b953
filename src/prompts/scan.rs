//! Where a template uses each variable, found by reading its Jinja tags.
//!
//! minijinja says *which* variables a template uses
//! (`Template::undeclared_variables`) but not *where*, and its strict mode
//! stops at the first missing one. This scanner finds every use of a name
//! in the `{{ ... }}` and `{% ... %}` tags, so that each undefined variable
//! is reported with its line and column at once, and so that a variable
//! the template itself treats as optional (`x is defined`, `x | default`)
//! is not reported as missing. It only needs to be right about names
//! minijinja already reported: the scan never decides what is a variable.

use std::collections::HashMap;

/// One use of a name in a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Use {
    /// Byte offset in the template source.
    pub offset: usize,
    /// The use tolerates a missing value: `name is defined`,
    /// `name is not defined`, `name is undefined`, `name | default(...)`,
    /// `name | d(...)`.
    pub optional: bool,
}

/// The uses of each name in `source`, in order.
pub fn uses(source: &str) -> HashMap<String, Vec<Use>> {
    let mut found: HashMap<String, Vec<Use>> = HashMap::new();
    for tag in tags(source) {
        let tokens = tokenize(source, tag);
        for (i, token) in tokens.iter().enumerate() {
            let Token::Ident(name, offset) = *token else {
                continue;
            };
            if !is_variable_position(&tokens, i) {
                continue;
            }
            found.entry(name.to_owned()).or_default().push(Use {
                offset,
                optional: is_optional_use(&tokens, i),
            });
        }
    }
    found
}

/// 1-based line and column (in characters) of byte `offset` in `source`.
pub fn line_column(source: &str, offset: usize) -> (u32, u32) {
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (saturate(line), saturate(column))
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Ident(&'a str, usize),
    Punct(char),
    /// A string or number literal.
    Literal,
}

/// The byte ranges of the insides of the expression and statement tags,
/// skipping comments and `{% raw %}` blocks.
fn tags(source: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = source[at..].find('{') {
        let start = at + found;
        let rest = &source[start..];
        let close = if rest.starts_with("{{") {
            "}}"
        } else if rest.starts_with("{%") {
            "%}"
        } else if rest.starts_with("{#") {
            at = source[start..]
                .find("#}")
                .map_or(source.len(), |i| start + i + 2);
            continue;
        } else {
            at = start + 1;
            continue;
        };
        let inner_start = start + 2;
        let inner_end = find_close(source, inner_start, close);
        let inner = inner_start..inner_end;
        at = (inner_end + 2).min(source.len());
        if close == "%}" && first_word(&source[inner.clone()]) == Some("raw") {
            at = source[at..].find("endraw").map_or(source.len(), |i| at + i);
            continue;
        }
        out.push(inner);
    }
    out
}

/// Where `close` ends the tag that starts at `from`, outside string literals.
fn find_close(source: &str, from: usize, close: &str) -> usize {
    let bytes = source.as_bytes();
    let mut i = from;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(_) if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if source[i..].starts_with(close) => return i,
            None => {}
        }
        i += 1;
    }
    source.len()
}

fn first_word(tag: &str) -> Option<&str> {
    tag.trim_start_matches(['-', '+', '~'])
        .split_whitespace()
        .next()
}

fn tokenize(source: &str, range: std::ops::Range<usize>) -> Vec<Token<'_>> {
    let text = &source[range.clone()];
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if c == '_' || c.is_alphabetic() {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d == '_' || d.is_alphanumeric() {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(Token::Ident(&text[i..end], range.start + i));
        } else if c.is_ascii_digit() {
            while chars
                .peek()
                .is_some_and(|&(_, d)| d.is_ascii_alphanumeric() || d == '.' || d == '_')
            {
                chars.next();
            }
            tokens.push(Token::Literal);
        } else if c == '\'' || c == '"' {
            let mut escaped = false;
            for (_, d) in chars.by_ref() {
                if escaped {
                    escaped = false;
                } else if d == '\\' {
                    escaped = true;
                } else if d == c {
                    break;
                }
            }
            tokens.push(Token::Literal);
        } else {
            tokens.push(Token::Punct(c));
        }
    }
    tokens
}

fn ident_at<'a>(tokens: &[Token<'a>], i: usize) -> Option<&'a str> {
    match tokens.get(i) {
        Some(Token::Ident(name, _)) => Some(name),
        _ => None,
    }
}

/// Not an attribute (`x.name`), a filter (`| name`), a test (`is name`) or
/// a keyword argument (`f(name=1)`).
fn is_variable_position(tokens: &[Token<'_>], i: usize) -> bool {
    let previous = i.checked_sub(1).and_then(|p| tokens.get(p));
    if matches!(previous, Some(Token::Punct('.' | '|'))) {
        return false;
    }
    if let Some(p) = i.checked_sub(1) {
        if ident_at(tokens, p) == Some("is")
            || (ident_at(tokens, p) == Some("not")
                && p.checked_sub(1).and_then(|q| ident_at(tokens, q)) == Some("is"))
        {
            return false;
        }
    }
    let keyword_argument = matches!(tokens.get(i + 1), Some(Token::Punct('=')))
        && !matches!(tokens.get(i + 2), Some(Token::Punct('=')));
    !keyword_argument
}

fn is_optional_use(tokens: &[Token<'_>], i: usize) -> bool {
    let next = |k: usize| ident_at(tokens, i + k);
    match tokens.get(i + 1) {
        Some(Token::Punct('|')) => matches!(next(2), Some("default" | "d")),
        Some(Token::Ident("is", _)) => {
            let test = if next(2) == Some("not") {
                next(3)
            } else {
                next(2)
            };
            matches!(test, Some("defined" | "undefined"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{line_column, uses, Use};

    fn offsets(source: &str, name: &str) -> Vec<usize> {
        uses(source)
            .get(name)
            .map(|u| u.iter().map(|u| u.offset).collect())
            .unwrap_or_default()
    }

    #[test]
    fn finds_variables_in_tags_only() {
        let source = "name {{ name }} {# {{ name }} #}{% if name %}{{ user.name }}{% endif %}";
        assert_eq!(offsets(source, "name"), [8, 38]);
        assert_eq!(offsets(source, "user"), [48]);
    }

    #[test]
    fn attributes_filters_tests_and_keywords_are_not_variables() {
        let source = "{{ a.upper | upper }}{% if b is upper %}{{ f(upper=1) }}{% endif %}";
        assert_eq!(offsets(source, "upper"), Vec::<usize>::new());
        assert_eq!(offsets(source, "a"), [3]);
    }

    #[test]
    fn strings_and_raw_blocks_are_skipped() {
        let source = "{{ 'x }} y' ~ y }}{% raw %}{{ z }}{% endraw %}{{ \"z\" }}";
        assert_eq!(offsets(source, "y"), [14]);
        assert_eq!(offsets(source, "z"), Vec::<usize>::new());
    }

    #[test]
    fn defined_tests_and_defaults_make_a_use_optional() {
        let found =
            uses("{% if t is not defined %}{{ t }}{% endif %}{{ u | default('x') }}{{ v }}");
        assert!(found["t"][0].optional);
        assert!(!found["t"][1].optional);
        assert_eq!(
            found["u"],
            [Use {
                offset: 46,
                optional: true
            }]
        );
        assert!(!found["v"][0].optional);
    }

    #[test]
    fn lines_and_columns_count_characters() {
        let source = "é\nab {{ x }}";
        let offset = source.find('x').unwrap_or(0);
        assert_eq!(line_column(source, offset), (2, 7));
        assert_eq!(line_column("x", 0), (1, 1));
    }
}
