//! The HTTP path every remote provider shares: one client per endpoint,
//! `POST` with retries before the first byte, time limits, and the mapping
//! of an error response to a [`ProviderError`].
//!
//! What differs per provider — where the error message sits in the body and
//! which codes mean "context too long" or "blocked" — comes in as an
//! [`ErrorParser`]; the status-code rules are the same for all. Error text
//! is redacted (`redact`) before anything reads it.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::{Response, StatusCode};
use tokio_util::sync::CancellationToken;

use super::redact::{is_credential_header, Redactor};
use super::retry::{retry_after, RetryPolicy};
use super::ProviderError;
use crate::catalog::RemoteEndpoint;

/// What a provider-specific parser found in an error body.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ErrorBody {
    /// The provider's own words, shown to the user.
    pub message: String,
    /// What the provider's error code says beyond the status.
    pub hint: Option<Hint>,
    /// A wait the body asks for (Gemini's `RetryInfo`).
    pub retry_after: Option<Duration>,
}

/// A provider's error code, translated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hint {
    ContextTooLong,
    ContentFiltered,
    QuotaExceeded,
    Authentication,
}

/// Reads a provider's error body (any status, maybe not JSON).
pub(crate) type ErrorParser = fn(&str) -> ErrorBody;

/// Most error bodies this long are HTML from a proxy; no one reads further.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// How much of an unexpected body an error quotes, in characters.
const EXCERPT_CHARS: usize = 200;

/// How much of an unexpected body is read to quote from.
const EXCERPT_BYTES: usize = 4 * 1024;

/// One endpoint's connection: client, headers and rules.
#[derive(Debug)]
pub(crate) struct Upstream {
    client: reqwest::Client,
    headers: HeaderMap,
    pub read_timeout: Duration,
    retry: RetryPolicy,
    /// The endpoint's key and credential headers, kept out of errors.
    pub redact: Redactor,
}

/// Why an endpoint's client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("header {0} is not a valid HTTP header")]
    Header(String),
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

impl Upstream {
    /// A client for `endpoint` that sends `auth` (name, value) and the
    /// endpoint's extra headers with every request.
    pub fn new(
        endpoint: &RemoteEndpoint,
        auth: Option<(&'static str, String)>,
    ) -> Result<Self, ClientError> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let bad = |name: &str| ClientError::Header(name.to_owned());
        let mut secrets = Vec::new();
        for (name, value) in &endpoint.headers {
            if is_credential_header(name) {
                secrets.push(value.clone());
            }
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad(name))?;
            let value = HeaderValue::from_str(value).map_err(|_| bad(name))?;
            headers.insert(header, value);
        }
        if let Some((name, value)) = auth {
            secrets.push(value.clone());
            let mut value = HeaderValue::from_str(&value).map_err(|_| bad(name))?;
            value.set_sensitive(true);
            headers.insert(HeaderName::from_static(name), value);
        }
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(endpoint.timeouts.connect_ms))
            .user_agent(concat!("pep/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Client(e.to_string()))?;
        Ok(Self {
            client,
            headers,
            read_timeout: Duration::from_millis(endpoint.timeouts.read_ms),
            retry: RetryPolicy::from(&endpoint.retry),
            redact: Redactor::new(secrets),
        })
    }

    /// Posts `body` to `url` and returns the response once it has a 2xx
    /// status. Rate limits, server errors and refused connections are
    /// retried with back-off; nothing is retried once a 2xx response has
    /// started, so a reply is never produced (or billed) twice.
    pub async fn post(
        &self,
        url: &str,
        body: Bytes,
        parse_error: ErrorParser,
        cancel: &CancellationToken,
    ) -> Result<Response, ProviderError> {
        let mut retry = 0;
        loop {
            let send = self
                .client
                .post(url)
                .headers(self.headers.clone())
                .body(body.clone())
                .send();
            let sent = tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(ProviderError::Cancelled),
                sent = tokio::time::timeout(self.read_timeout, send) => sent,
            };
            let (error, retryable, wait) = match sent {
                Err(_) => (
                    ProviderError::Timeout(format!(
                        "no response within {} s",
                        self.read_timeout.as_secs_f64()
                    )),
                    // The provider may be working on it (and billing it).
                    false,
                    None,
                ),
                Ok(Err(e)) => {
                    let retryable = e.is_connect();
                    let error = if e.is_timeout() {
                        ProviderError::Timeout(format!("cannot connect: {}", source_chain(&e)))
                    } else {
                        ProviderError::Unavailable(format!(
                            "cannot reach the provider: {}",
                            source_chain(&e)
                        ))
                    };
                    (error, retryable, None)
                }
                Ok(Ok(response)) if response.status().is_success() => return Ok(response),
                Ok(Ok(response)) => {
                    let status = response.status();
                    let header_wait = retry_after(response.headers());
                    let text = self.error_text(response, cancel).await?;
                    // Before parsing: a parser may cut the text, and half a
                    // key is still too much.
                    let text = self.redact.text(&text);
                    let parsed = parse_error(&text);
                    let wait = header_wait.or(parsed.retry_after);
                    let error = classify(status, parsed, wait);
                    let retryable = matches!(
                        error,
                        ProviderError::RateLimited { .. } | ProviderError::Unavailable(_)
                    );
                    (error, retryable, wait)
                }
            };
            let error = self.redact.error(error);
            retry += 1;
            let delay = if retryable {
                self.retry.delay(retry, wait)
            } else {
                None
            };
            let Some(delay) = delay else {
                return Err(error);
            };
            tracing::warn!(%error, retry, delay_ms = delay.as_millis(), "provider request failed; retrying");
            tokio::select! {
                biased;
                () = cancel.cancelled() => return Err(ProviderError::Cancelled),
                () = tokio::time::sleep(delay) => {}
            }
        }
    }

    /// The body of an error response, cut to a sane length.
    async fn error_text(
        &self,
        response: Response,
        cancel: &CancellationToken,
    ) -> Result<String, ProviderError> {
        let bytes = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(ProviderError::Cancelled),
            b = tokio::time::timeout(self.read_timeout, response.bytes()) => b,
        };
        let bytes = match bytes {
            Ok(Ok(b)) => b,
            // The status alone still says what went wrong.
            Ok(Err(_)) | Err(_) => Bytes::new(),
        };
        let cut = &bytes[..bytes.len().min(MAX_ERROR_BODY)];
        Ok(String::from_utf8_lossy(cut).into_owned())
    }

    /// The start of a body PEP cannot use, for an error to quote: read
    /// within the read timeout, redacted, blanks collapsed, cut short.
    pub async fn excerpt(&self, mut response: Response, cancel: &CancellationToken) -> String {
        let mut bytes = Vec::new();
        while bytes.len() < EXCERPT_BYTES {
            let chunk = tokio::select! {
                biased;
                () = cancel.cancelled() => break,
                c = tokio::time::timeout(self.read_timeout, response.chunk()) => c,
            };
            match chunk {
                Ok(Ok(Some(chunk))) => bytes.extend_from_slice(&chunk),
                Ok(Ok(None) | Err(_)) | Err(_) => break,
            }
        }
        self.quote(&String::from_utf8_lossy(&bytes))
    }

    /// `text` as an error quotes it: redacted, blanks collapsed, cut short.
    pub fn quote(&self, text: &str) -> String {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let clean = self.redact.text(&flat);
        if clean.is_empty() {
            return "the body is empty".to_owned();
        }
        let mut cut: String = clean.chars().take(EXCERPT_CHARS).collect();
        if cut.len() < clean.len() {
            cut.push('…');
        }
        format!("it began: {cut}")
    }

    /// Reads a whole (non-streamed) response body within the read timeout.
    pub async fn read_body(
        &self,
        response: Response,
        cancel: &CancellationToken,
    ) -> Result<String, ProviderError> {
        let bytes = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(ProviderError::Cancelled),
            b = tokio::time::timeout(self.read_timeout, response.bytes()) => b,
        };
        match bytes {
            Ok(Ok(b)) => String::from_utf8(b.to_vec())
                .map_err(|_| ProviderError::Protocol("the reply is not UTF-8".into())),
            Ok(Err(e)) => Err(ProviderError::Incomplete(format!(
                "the connection failed: {}",
                source_chain(&e)
            ))),
            Err(_) => Err(ProviderError::Timeout(format!(
                "the reply did not arrive within {} s",
                self.read_timeout.as_secs_f64()
            ))),
        }
    }
}

/// The error a failed response stands for: the status decides the kind,
/// the provider's code refines it, the provider's message explains it.
pub(crate) fn classify(
    status: StatusCode,
    body: ErrorBody,
    retry_after: Option<Duration>,
) -> ProviderError {
    let message = if body.message.trim().is_empty() {
        status.canonical_reason().unwrap_or("no message").to_owned()
    } else {
        body.message
    };
    match (status.as_u16(), body.hint) {
        (_, Some(Hint::QuotaExceeded)) => ProviderError::QuotaExceeded(message),
        (401 | 403, _) | (_, Some(Hint::Authentication)) => ProviderError::Authentication(message),
        (429, _) => ProviderError::RateLimited {
            retry_after,
            message,
        },
        (_, Some(Hint::ContextTooLong)) => ProviderError::ContextLengthExceeded(message),
        (_, Some(Hint::ContentFiltered)) => ProviderError::ContentFiltered(message),
        (408 | 504, _) => ProviderError::Timeout(message),
        (500..=599, _) => ProviderError::Unavailable(format!("{status}: {message}")),
        (400..=499, _) => ProviderError::BadRequest(message),
        _ => ProviderError::Protocol(format!("unexpected status {status}: {message}")),
    }
}

/// Whether a provider's message says the prompt is over the context limit
/// (for servers that have no code for it, like vLLM and Gemini).
pub(crate) fn mentions_context_limit(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "maximum context length",
        "context length",
        "context window",
        "exceeds the maximum number of tokens",
        "too many tokens",
        "prompt is too long",
    ]
    .iter()
    .any(|needle| m.contains(needle))
}

/// reqwest's error with its causes: "error sending request" alone says
/// nothing, the cause ("connection refused") says what to fix.
pub(crate) fn source_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(message: &str, hint: Option<Hint>) -> ErrorBody {
        ErrorBody {
            message: message.into(),
            hint,
            retry_after: None,
        }
    }

    #[test]
    fn statuses_map_to_kinds() {
        let s = |code| StatusCode::from_u16(code).unwrap();
        assert_eq!(
            classify(s(401), body("bad key", None), None),
            ProviderError::Authentication("bad key".into())
        );
        assert_eq!(
            classify(s(429), body("slow", None), Some(Duration::from_secs(2))),
            ProviderError::RateLimited {
                retry_after: Some(Duration::from_secs(2)),
                message: "slow".into()
            }
        );
        assert_eq!(
            classify(s(429), body("pay", Some(Hint::QuotaExceeded)), None),
            ProviderError::QuotaExceeded("pay".into())
        );
        assert_eq!(
            classify(s(400), body("long", Some(Hint::ContextTooLong)), None),
            ProviderError::ContextLengthExceeded("long".into())
        );
        assert_eq!(
            classify(s(400), body("no", None), None),
            ProviderError::BadRequest("no".into())
        );
        assert_eq!(
            classify(s(503), body("", None), None),
            ProviderError::Unavailable("503 Service Unavailable: Service Unavailable".into())
        );
    }

    #[test]
    fn context_limit_wording_is_recognised() {
        assert!(mentions_context_limit(
            "This model's maximum context length is 32768 tokens."
        ));
        assert!(mentions_context_limit(
            "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."
        ));
        assert!(!mentions_context_limit("Invalid value for temperature"));
    }
}
