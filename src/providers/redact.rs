//! Secrets never leave through an error message.
//!
//! Providers repeat what they were sent when they refuse it: OpenAI quotes
//! the key of a 401, proxies and gateways echo the request's headers,
//! Google's messages carry `?key=` URLs, and a failed connection names the
//! URL it tried. What a [`ProviderError`] says is shown to the user and
//! stored with the run, so every error of a remote provider is passed
//! through [`Redactor::error`] before it leaves the provider (`stream::Run`
//! does it for everything it yields; `http::Upstream` also does it to an
//! error body before reading it, so that no cut can leave half a key, and
//! before it logs a retry).
//!
//! Two things are removed: the endpoint's own secrets (its key, and the
//! values of its credential headers), wherever they occur, and anything
//! shaped like a credential — `Bearer <token>`, OpenAI `sk-…` keys, Google
//! `AIza…` keys, `key=` / `api_key=` / `access_token=` URL parameters and
//! the values of `Authorization`, `x-goog-api-key`, `x-api-key` and
//! `api-key` headers. Each is replaced by [`REDACTED`]. The patterns are
//! written by hand: they are few, ASCII and anchored on fixed words.

use std::ops::Range;

use super::ProviderError;

/// What a secret is replaced with.
pub(crate) const REDACTED: &str = "[redacted]";

/// Removes one endpoint's secrets, and anything shaped like a secret, from
/// provider text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Redactor {
    /// Longest first, so that a secret containing another goes whole.
    secrets: Vec<String>,
}

impl Redactor {
    /// A redactor that also removes these exact values (blank ones are
    /// ignored). Of a `Bearer <token>` value, the token is the secret.
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut all = Vec::new();
        for secret in secrets {
            let secret = secret.trim();
            if secret.is_empty() {
                continue;
            }
            match secret.split_once(' ') {
                Some((scheme, token)) if is_scheme(scheme) && !token.trim().is_empty() => {
                    all.push(token.trim().to_owned());
                }
                _ => all.push(secret.to_owned()),
            }
        }
        all.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        all.dedup();
        Self { secrets: all }
    }

    /// `text` with every secret replaced by [`REDACTED`].
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        patterns(&out)
    }

    /// The same error with every message it carries redacted.
    pub fn error(&self, error: ProviderError) -> ProviderError {
        let r = |m: String| self.text(&m);
        match error {
            ProviderError::ContextTooLong { .. } | ProviderError::Cancelled => error,
            ProviderError::Unavailable(m) => ProviderError::Unavailable(r(m)),
            ProviderError::Generation(m) => ProviderError::Generation(r(m)),
            ProviderError::Authentication(m) => ProviderError::Authentication(r(m)),
            ProviderError::RateLimited {
                retry_after,
                message,
            } => ProviderError::RateLimited {
                retry_after,
                message: r(message),
            },
            ProviderError::QuotaExceeded(m) => ProviderError::QuotaExceeded(r(m)),
            ProviderError::ContextLengthExceeded(m) => ProviderError::ContextLengthExceeded(r(m)),
            ProviderError::ContentFiltered(m) => ProviderError::ContentFiltered(r(m)),
            ProviderError::BadRequest(m) => ProviderError::BadRequest(r(m)),
            ProviderError::Timeout(m) => ProviderError::Timeout(r(m)),
            ProviderError::Incomplete(m) => ProviderError::Incomplete(r(m)),
            ProviderError::Refused(m) => ProviderError::Refused(r(m)),
            ProviderError::Protocol(m) => ProviderError::Protocol(r(m)),
        }
    }
}

/// Whether a header of this name carries a credential.
pub(crate) fn is_credential_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["auth", "key", "token", "secret", "cookie", "password"]
        .iter()
        .any(|word| name.contains(word))
}

/// `text` with everything shaped like a credential replaced by [`REDACTED`].
pub(crate) fn patterns(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut spans = Vec::new();
    header_values(text, &lower, &mut spans);
    bearer_tokens(text, &lower, &mut spans);
    prefixed_keys(text, &mut spans);
    query_parameters(text, &lower, &mut spans);
    if spans.is_empty() {
        return text.to_owned();
    }
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        if span.start < at {
            // Overlaps the span before: that one grows.
            at = at.max(span.end);
            continue;
        }
        out.push_str(&text[at..span.start]);
        out.push_str(REDACTED);
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Header names whose value is a credential.
const HEADERS: [&str; 5] = [
    "authorization",
    "x-goog-api-key",
    "x-api-key",
    "api-key",
    "cookie",
];

/// URL parameters whose value is a credential.
const PARAMETERS: [&str; 5] = ["key", "api_key", "apikey", "api-key", "access_token"];

/// Whether the byte before `at` ends a word (so `at` starts one).
fn starts_word(bytes: &[u8], at: usize) -> bool {
    at == 0 || !bytes[at - 1].is_ascii_alphanumeric()
}

fn is_scheme(word: &str) -> bool {
    !word.is_empty() && word.len() <= 10 && word.bytes().all(|b| b.is_ascii_alphabetic())
}

/// The characters of a token: base64(url), JWTs, keys, masked keys.
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/=*".contains(&b)
}

/// The end of the run of bytes from `from` that satisfy `keep`.
fn run_end(bytes: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    let mut end = from;
    while end < bytes.len() && keep(bytes[end]) {
        end += 1;
    }
    end
}

fn skip_blanks(bytes: &[u8], from: usize) -> usize {
    run_end(bytes, from, |b| b == b' ' || b == b'\t')
}

/// Whether the text at `at` is already a redaction.
fn redacted_at(text: &str, at: usize) -> bool {
    text.get(at..).is_some_and(|t| t.starts_with(REDACTED))
}

/// `Authorization: Bearer x`, `"x-goog-api-key": "x"`, `api-key=x`: the
/// value (after its scheme, if it has one).
fn header_values(text: &str, lower: &str, spans: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    for name in HEADERS {
        for (at, _) in lower.match_indices(name) {
            if !starts_word(bytes, at) {
                continue;
            }
            let mut i = at + name.len();
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                i += 1;
            }
            i = skip_blanks(bytes, i);
            if i >= bytes.len() || (bytes[i] != b':' && bytes[i] != b'=') {
                continue;
            }
            i = skip_blanks(bytes, i + 1);
            let quote = match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    i += 1;
                    Some(q)
                }
                _ => None,
            };
            let span = match quote {
                Some(q) => quoted_value(text, i, q),
                None => bare_value(bytes, i),
            };
            if !span.is_empty() && !redacted_at(text, span.start) {
                spans.push(span);
            }
        }
    }
}

/// The credential in a quoted header value from `from` to quote `q`: all
/// of it, after its scheme if it has one.
fn quoted_value(text: &str, from: usize, q: u8) -> Range<usize> {
    let bytes = text.as_bytes();
    let end = run_end(bytes, from, |b| b != q && b != b'\n');
    let value = text[from..end].trim_end();
    let end = from + value.len();
    // Keep the scheme: `Bearer [redacted]` says what was there.
    let start = match value.split_once(' ') {
        Some((scheme, rest)) if is_scheme(scheme) && !rest.trim().is_empty() => {
            skip_blanks(bytes, from + scheme.len())
        }
        _ => from,
    };
    start..end
}

/// The credential in an unquoted header value at `from`: one token, after
/// a scheme if there is one, so that the prose around it stays.
fn bare_value(bytes: &[u8], from: usize) -> Range<usize> {
    let stop = |b: u8| b.is_ascii_whitespace() || b",;})\"'\\".contains(&b);
    let word_end = run_end(bytes, from, |b| b.is_ascii_alphabetic());
    let after = skip_blanks(bytes, word_end);
    let has_scheme = word_end > from
        && word_end - from <= 10
        && after > word_end
        && bytes.get(after).is_some_and(|&b| !stop(b));
    let start = if has_scheme { after } else { from };
    start..run_end(bytes, start, |b| !stop(b))
}

/// `Bearer <token>` anywhere: the token, when it looks like one (long, or
/// with a digit), so that "uses Bearer auth" stays readable.
fn bearer_tokens(text: &str, lower: &str, spans: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    for (at, _) in lower.match_indices("bearer") {
        let after = at + "bearer".len();
        if !starts_word(bytes, at) || !matches!(bytes.get(after), Some(b' ' | b'\t')) {
            continue;
        }
        let start = skip_blanks(bytes, after);
        let end = run_end(bytes, start, is_token);
        let token = &bytes[start..end];
        if token.len() >= 16 || token.iter().any(u8::is_ascii_digit) {
            spans.push(start..end);
        }
    }
}

/// OpenAI keys (`sk-…`, `sk-proj-…`, also masked as `sk-abc***xyz`) and
/// Google API keys (`AIza…`).
fn prefixed_keys(text: &str, spans: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let key_char = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'*';
    for (prefix, min) in [("sk-", 8), ("AIza", 20)] {
        for (at, _) in text.match_indices(prefix) {
            if at > 0 && key_char(bytes[at - 1]) {
                continue;
            }
            let end = run_end(bytes, at + prefix.len(), key_char);
            if end - (at + prefix.len()) >= min {
                spans.push(at..end);
            }
        }
    }
}

/// `?key=…`, `&api_key=…`, `;access_token=…`: the value.
fn query_parameters(text: &str, lower: &str, spans: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    for name in PARAMETERS {
        for (at, _) in lower.match_indices(name) {
            if at == 0 || !matches!(bytes[at - 1], b'?' | b'&' | b';') {
                continue;
            }
            let start = at + name.len();
            if bytes.get(start) != Some(&b'=') {
                continue;
            }
            let start = start + 1;
            let end = run_end(bytes, start, |b| {
                !b.is_ascii_whitespace() && !b"&#\"'<>()[]{},\\".contains(&b)
            });
            if end > start && !redacted_at(text, start) {
                spans.push(start..end);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor() -> Redactor {
        Redactor::new(["Bearer my-endpoint-key".to_owned(), "  ".to_owned()])
    }

    #[test]
    fn the_endpoints_own_key_goes_wherever_it_is() {
        let r = redactor();
        assert_eq!(
            r.text("Incorrect API key provided: my-endpoint-key. See the docs."),
            "Incorrect API key provided: [redacted]. See the docs."
        );
        assert_eq!(r.text("(my-endpoint-key)"), "([redacted])");
        assert_eq!(
            Redactor::new(["test-key".to_owned()]).text("key test-key,test-key"),
            "key [redacted],[redacted]"
        );
    }

    #[test]
    fn bearer_tokens_go() {
        let p = patterns;
        assert_eq!(
            p("sent Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc and more"),
            "sent Bearer [redacted] and more"
        );
        assert_eq!(p("bearer abc123"), "bearer [redacted]");
        // Prose about the scheme stays.
        assert_eq!(p("use Bearer auth"), "use Bearer auth");
    }

    #[test]
    fn openai_and_google_keys_go() {
        let p = patterns;
        assert_eq!(
            p("key sk-proj-AbC123_xyz-7890abcdefgh is revoked"),
            "key [redacted] is revoked"
        );
        assert_eq!(
            p("Incorrect API key provided: sk-abc12***************wxyz."),
            "Incorrect API key provided: [redacted]."
        );
        assert_eq!(
            p("API key AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW not valid"),
            "API key [redacted] not valid"
        );
        assert_eq!(p("scikit sk-learn, AIza"), "scikit sk-learn, AIza");
    }

    #[test]
    fn key_parameters_in_urls_go() {
        assert_eq!(
            patterns(
                "POST https://host/v1beta/models/m:generateContent?alt=sse&key=abc-123 failed"
            ),
            "POST https://host/v1beta/models/m:generateContent?alt=sse&key=[redacted] failed"
        );
        assert_eq!(
            patterns("error sending request for url (http://h/x?key=s3cr3t)"),
            "error sending request for url (http://h/x?key=[redacted])"
        );
        assert_eq!(
            patterns("https://h/?api_key=a1&access_token=b2#top"),
            "https://h/?api_key=[redacted]&access_token=[redacted]#top"
        );
        // A `key=` that is no URL parameter, and a parameter that is no key.
        assert_eq!(
            patterns("sort key=name, ?monkey=1"),
            "sort key=name, ?monkey=1"
        );
    }

    #[test]
    fn credential_header_values_go() {
        assert_eq!(
            patterns("Authorization: Bearer YOUR_KEY\nAccept: */*"),
            "Authorization: Bearer [redacted]\nAccept: */*"
        );
        assert_eq!(
            patterns(r#"{"headers":{"x-goog-api-key":"short","x-pep":"yes"}}"#),
            r#"{"headers":{"x-goog-api-key":"[redacted]","x-pep":"yes"}}"#
        );
        assert_eq!(
            patterns(r#"{"message": "authorization = Basic dXNlcjpwYXNz"}"#),
            r#"{"message": "authorization = Basic [redacted]"}"#
        );
        assert_eq!(
            patterns("x-api-key: k1; api-key: k2"),
            "x-api-key: [redacted]; api-key: [redacted]"
        );
    }

    #[test]
    fn text_without_secrets_is_untouched() {
        let r = redactor();
        for text in [
            "",
            "The model `gpt-5` does not exist or you do not have access to it.",
            "You didn't provide an API key. Provide it in an Authorization header using Bearer auth.",
            "API key not valid. Please pass a valid API key.",
            "Resource has been exhausted (e.g. check quota). Héllo wörld 🙂",
            "<html><head><title>502 Bad Gateway</title></head></html>",
            "the stream ended before the reply was complete",
        ] {
            assert_eq!(r.text(text), text);
        }
    }

    #[test]
    fn every_message_of_an_error_is_redacted_and_redaction_is_stable() {
        let r = redactor();
        let e = r.error(ProviderError::RateLimited {
            retry_after: None,
            message: "slow down, my-endpoint-key".into(),
        });
        assert_eq!(
            e,
            ProviderError::RateLimited {
                retry_after: None,
                message: "slow down, [redacted]".into()
            }
        );
        let e = r.error(ProviderError::Authentication(
            "Bearer my-endpoint-key sk-proj-0123456789abcdef".into(),
        ));
        assert_eq!(
            e,
            ProviderError::Authentication("Bearer [redacted] [redacted]".into())
        );
        assert_eq!(r.error(e.clone()), e);
        assert_eq!(r.error(ProviderError::Cancelled), ProviderError::Cancelled);
    }

    #[test]
    fn credential_headers_are_recognised() {
        assert!(is_credential_header("Authorization"));
        assert!(is_credential_header("api-key"));
        assert!(is_credential_header("X-Auth-Token"));
        assert!(!is_credential_header("x-pep-test"));
        assert!(!is_credential_header("OpenAI-Organization"));
    }
}
