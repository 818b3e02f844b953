//! Delimiter helpers for the message box: fence off part of a prompt so the
//! model can tell instructions from data (quoted text, code, documents).
//!
//! Pure text functions; the composer applies them to the textarea. Cursor
//! positions come from the DOM, which counts UTF-16 code units, so they are
//! converted here rather than trusted as byte offsets.

/// A kind of delimiter pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    TripleQuotes,
    Backticks,
    XmlTag,
    Hashes,
    Dashes,
}

impl Delimiter {
    pub const ALL: [Delimiter; 5] = [
        Delimiter::TripleQuotes,
        Delimiter::Backticks,
        Delimiter::XmlTag,
        Delimiter::Hashes,
        Delimiter::Dashes,
    ];

    /// Stable name for the picker's `<option value>`.
    pub fn key(self) -> &'static str {
        match self {
            Delimiter::TripleQuotes => "quotes",
            Delimiter::Backticks => "backticks",
            Delimiter::XmlTag => "xml",
            Delimiter::Hashes => "hashes",
            Delimiter::Dashes => "dashes",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Delimiter::TripleQuotes => "\"\"\" triple quotes",
            Delimiter::Backticks => "``` backticks",
            Delimiter::XmlTag => "<tag> XML tag",
            Delimiter::Hashes => "### hashes",
            Delimiter::Dashes => "--- dashes",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.key() == key)
    }

    /// The opening and closing lines. `tag` names the XML element; it is
    /// reduced to a valid name (letters, digits, `_`, `-`, `.`), `input` if
    /// nothing is left.
    pub fn pair(self, tag: &str) -> (String, String) {
        match self {
            Delimiter::TripleQuotes => ("\"\"\"".into(), "\"\"\"".into()),
            Delimiter::Backticks => ("```".into(), "```".into()),
            Delimiter::Hashes => ("###".into(), "###".into()),
            Delimiter::Dashes => ("---".into(), "---".into()),
            Delimiter::XmlTag => {
                let name = xml_name(tag);
                (format!("<{name}>"), format!("</{name}>"))
            }
        }
    }
}

fn xml_name(tag: &str) -> String {
    let name: String = tag
        .trim()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect();
    match name.chars().next() {
        Some(c) if c.is_alphabetic() || c == '_' => name,
        _ => "input".into(),
    }
}

/// The text after an edit and where the cursor goes (UTF-16 offsets, as
/// the textarea counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub text: String,
    pub cursor: u32,
}

/// Inserts the pair around the selection `[start, end)` (an empty selection
/// is the cursor), each delimiter on its own line; the cursor lands inside.
pub fn insert_at(text: &str, start: u32, end: u32, open: &str, close: &str) -> Edit {
    let a = byte_offset(text, start.min(end));
    let b = byte_offset(text, start.max(end));
    let (before, selected, after) = (&text[..a], &text[a..b], &text[b..]);
    let lead = if before.is_empty() || before.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    let trail = if after.starts_with('\n') { "" } else { "\n" };
    let head = format!("{before}{lead}{open}\n{selected}");
    let cursor = utf16_len(&head);
    Edit {
        text: format!("{head}\n{close}{trail}{after}"),
        cursor,
    }
}

/// Wraps the whole message in the pair; the cursor goes to the end.
pub fn wrap_all(text: &str, open: &str, close: &str) -> Edit {
    let body = text.trim_matches('\n');
    let text = format!("{open}\n{body}\n{close}");
    Edit {
        cursor: utf16_len(&text),
        text,
    }
}

fn utf16_len(s: &str) -> u32 {
    u32::try_from(s.encode_utf16().count()).unwrap_or(u32::MAX)
}

/// The byte offset of a UTF-16 position, clamped to the text.
fn byte_offset(text: &str, utf16: u32) -> usize {
    let mut units = 0u32;
    for (i, c) in text.char_indices() {
        if units >= utf16 {
            return i;
        }
        units += u32::try_from(c.len_utf16()).unwrap_or(2);
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_a_pair_at_the_cursor_on_its_own_lines() {
        let (open, close) = Delimiter::TripleQuotes.pair("");
        let e = insert_at("Summarise:", 10, 10, &open, &close);
        assert_eq!(e.text, "Summarise:\n\"\"\"\n\n\"\"\"\n");
        // The cursor sits on the empty line between the delimiters.
        assert_eq!(e.cursor, 15);
    }

    #[test]
    fn wraps_the_selection() {
        let (open, close) = Delimiter::XmlTag.pair("doc");
        let e = insert_at("Read this text now", 5, 14, &open, &close);
        assert_eq!(e.text, "Read \n<doc>\nthis text\n</doc>\n now");
    }

    #[test]
    fn positions_count_utf16_like_the_browser() {
        // "é" is one UTF-16 unit, "😀" two; the cursor after them is 3.
        let e = insert_at("é😀x", 3, 3, "###", "###");
        assert_eq!(e.text, "é😀\n###\n\n###\nx");
        let out_of_range = insert_at("ab", 99, 99, "---", "---");
        assert_eq!(out_of_range.text, "ab\n---\n\n---\n");
    }

    #[test]
    fn wrap_all_fences_the_whole_message() {
        let (open, close) = Delimiter::Backticks.pair("");
        let e = wrap_all("\nfn main() {}\n", &open, &close);
        assert_eq!(e.text, "```\nfn main() {}\n```");
        assert_eq!(e.cursor, 20);
    }

    #[test]
    fn xml_tag_names_are_cleaned() {
        assert_eq!(Delimiter::XmlTag.pair("<bad tag>").0, "<badtag>");
        assert_eq!(Delimiter::XmlTag.pair("  ").0, "<input>");
        assert_eq!(Delimiter::XmlTag.pair("1st").0, "<input>");
    }

    #[test]
    fn every_delimiter_round_trips_its_key() {
        for d in Delimiter::ALL {
            assert_eq!(Delimiter::from_key(d.key()), Some(d));
        }
    }
}
