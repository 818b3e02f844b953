//! Model output as Markdown, made safe to put into the page.
//!
//! A reply is untrusted text: a model can be asked (or tricked) to write
//! `<script>` or `javascript:` links. Rendering goes through pulldown-cmark
//! with every raw HTML event turned back into escaped text and every link
//! or image address kept only when its scheme is harmless, so the HTML this
//! returns contains no markup the model wrote itself. Code blocks get a copy
//! button; the page handles its clicks by delegation (one listener per
//! message, not one per block).

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

/// The class of the copy button placed on every code block.
pub const COPY_CODE_CLASS: &str = "copy-code";

/// Renders `source` to sanitized HTML.
pub fn to_html(source: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    let events = Parser::new_ext(source, options).map(sanitize);
    let mut html = String::with_capacity(source.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// One event made safe: raw HTML becomes text, unsafe addresses are
/// dropped, code blocks are framed with their copy button.
fn sanitize(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::CodeBlock(kind)) => Event::Html(code_block_open(&kind).into()),
        Event::End(TagEnd::CodeBlock) => Event::Html("</code></pre></div>".into()),
        other => other,
    }
}

/// The opening of a code block: a frame, its language and a copy button.
/// The language is reduced to `[A-Za-z0-9_+-]` so it cannot break out of
/// the attribute.
fn code_block_open(kind: &CodeBlockKind<'_>) -> String {
    let lang: String = match kind {
        CodeBlockKind::Fenced(info) => info
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-'))
            .take(32)
            .collect(),
        CodeBlockKind::Indented => String::new(),
    };
    let label = if lang.is_empty() { "code" } else { &lang };
    let class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{lang}\"")
    };
    format!(
        "<div class=\"code-block\"><div class=\"code-head\"><span>{label}</span>\
         <button type=\"button\" class=\"{COPY_CODE_CLASS}\" aria-label=\"Copy code\">Copy</button></div>\
         <pre><code{class}>"
    )
}

/// Keeps web, mail and in-page addresses; anything else (`javascript:`,
/// `data:`, `vbscript:`, ...) becomes an empty link.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim_start().to_ascii_lowercase();
    let scheme_end = lower.find([':', '/', '?', '#']);
    let has_scheme = scheme_end.is_some_and(|i| lower[i..].starts_with(':'));
    let allowed = !has_scheme
        || ["http:", "https:", "mailto:"]
            .iter()
            .any(|s| lower.starts_with(s));
    if allowed {
        url
    } else {
        CowStr::Borrowed("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_common_markdown() {
        let html = to_html("# Title\n\nSome **bold** and `code`.\n\n- one\n- two\n");
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(html.contains("<code>code</code>"), "{html}");
        assert!(html.contains("<li>two</li>"), "{html}");
    }

    #[test]
    fn raw_html_is_shown_as_text_not_markup() {
        let html = to_html("Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
    }

    #[test]
    fn dangerous_link_schemes_are_removed() {
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " data:text/html,x",
            "vbscript:x",
        ] {
            let html = to_html(&format!("[click]({url}) ![i]({url})"));
            assert!(
                !html.to_ascii_lowercase().contains("script:"),
                "{url}: {html}"
            );
            assert!(!html.contains("data:"), "{url}: {html}");
        }
        let html = to_html("[a](https://example.com/x?y=1) [b](/runs) [c](#top) [d](mailto:a@b.c)");
        assert!(
            html.contains("href=\"https://example.com/x?y=1\""),
            "{html}"
        );
        assert!(html.contains("href=\"/runs\""), "{html}");
        assert!(html.contains("href=\"#top\""), "{html}");
        assert!(html.contains("href=\"mailto:a@b.c\""), "{html}");
    }

    #[test]
    fn code_blocks_get_a_copy_button_and_escaped_content() {
        let html = to_html("```rust\nlet a = \"<b>\";\n```\n");
        assert!(html.contains("class=\"language-rust\""), "{html}");
        assert!(html.contains(COPY_CODE_CLASS), "{html}");
        assert!(html.contains("&lt;b&gt;"), "{html}");
        assert!(html.ends_with("</code></pre></div>\n") || html.contains("</code></pre></div>"));
    }

    #[test]
    fn a_hostile_language_tag_cannot_break_the_attribute() {
        let html = to_html("```\"><script>x\ncode\n```\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("language-scriptx"), "{html}");
    }

    #[test]
    fn an_unfinished_stream_still_renders() {
        // Mid-stream text often ends inside a code fence or emphasis.
        let html = to_html("Here:\n```py\nprint(1");
        assert!(html.contains("print(1"), "{html}");
        assert!(html.contains("</code></pre></div>"), "{html}");
    }
}
