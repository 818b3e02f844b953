//! Google Gemini's native API: `POST {base}/v1beta/models/{model}:generateContent`
//! and `:streamGenerateContent?alt=sse`, key in the `x-goog-api-key` header.
//!
//! With `alt=sse` every SSE record is a whole `GenerateContentResponse`, so
//! the same `decode::Decoder` reads streamed and whole replies. The
//! native protocol (rather than Google's OpenAI-compatible layer) is used
//! because only it carries thought summaries, thought signatures and the
//! separate thinking-token count.

mod decode;
mod request;

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio_util::sync::CancellationToken;

use super::http::{mentions_context_limit, ErrorBody, Hint, Upstream};
use super::stream::{self, Call};
use super::{Provider, ProviderError, ProviderRequest, ProviderStream};

/// A Gemini endpoint.
#[derive(Debug)]
pub struct GeminiProvider {
    upstream: Arc<Upstream>,
    base_url: String,
}

impl GeminiProvider {
    pub(crate) fn new(upstream: Upstream, base_url: String) -> Self {
        Self {
            upstream: Arc::new(upstream),
            base_url: base_url.trim_end_matches('/').to_owned(),
        }
    }
}

impl Provider for GeminiProvider {
    fn name(&self) -> &'static str {
        "gemini"
    }

    fn stream(&self, request: ProviderRequest, cancel: CancellationToken) -> ProviderStream {
        let body = match request::body(&request).and_then(|b| stream::json_body(&b)) {
            Ok(b) => b,
            Err(e) => return stream::failed(e),
        };
        let method = if request.stream {
            "streamGenerateContent?alt=sse"
        } else {
            "generateContent"
        };
        let call = Call {
            upstream: Arc::clone(&self.upstream),
            url: format!(
                "{}/v1beta/models/{}:{method}",
                self.base_url,
                model_path(&request.model)
            ),
            body,
            parse_error,
            request_id_header: None,
            stream: request.stream,
        };
        stream::run(call, decode::Decoder::default(), cancel)
    }
}

/// The model's name as a path segment: `models/` prefixes are accepted in
/// the catalog, anything that could break out of the path is escaped.
fn model_path(model: &str) -> String {
    let name = model.strip_prefix("models/").unwrap_or(model);
    name.chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' | '_' => c.to_string(),
            c => {
                let mut buf = [0u8; 4];
                c.encode_utf8(&mut buf)
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect()
            }
        })
        .collect()
}

/// Google's error object: `{"error": {code, message, status, details}}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ApiError {
    pub message: String,
    pub status: String,
    pub details: Vec<Detail>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Detail {
    /// `ErrorInfo`'s reason, such as `API_KEY_INVALID`.
    reason: Option<String>,
    /// `RetryInfo`'s delay, such as `"7s"`.
    #[serde(rename = "retryDelay")]
    retry_delay: Option<String>,
}

impl ApiError {
    fn hint(&self) -> Option<Hint> {
        let reasons = || self.details.iter().filter_map(|d| d.reason.as_deref());
        if reasons().any(|r| r == "API_KEY_INVALID" || r == "API_KEY_SERVICE_BLOCKED") {
            return Some(Hint::Authentication);
        }
        if self.status == "INVALID_ARGUMENT" && mentions_context_limit(&self.message) {
            return Some(Hint::ContextTooLong);
        }
        None
    }

    fn retry_after(&self) -> Option<Duration> {
        let delay = self.details.iter().find_map(|d| d.retry_delay.as_deref())?;
        let secs: f64 = delay.strip_suffix('s')?.parse().ok()?;
        (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)))
    }

    /// The error an in-stream error object stands for (no HTTP status).
    pub fn into_error(self) -> ProviderError {
        match (self.hint(), self.status.as_str()) {
            (Some(Hint::Authentication), _) => ProviderError::Authentication(self.message),
            (Some(Hint::ContextTooLong), _) => ProviderError::ContextLengthExceeded(self.message),
            (_, "RESOURCE_EXHAUSTED") => ProviderError::RateLimited {
                retry_after: self.retry_after(),
                message: self.message,
            },
            (_, "INVALID_ARGUMENT" | "FAILED_PRECONDITION" | "NOT_FOUND") => {
                ProviderError::BadRequest(self.message)
            }
            _ => ProviderError::Unavailable(self.message),
        }
    }
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ApiError,
}

/// Reads a Google error body; anything else is shown as it came.
pub(crate) fn parse_error(text: &str) -> ErrorBody {
    // Without alt=sse an error may also come wrapped in a JSON array.
    let trimmed = text.trim();
    let inner = trimmed
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(trimmed);
    match serde_json::from_str::<ErrorEnvelope>(inner) {
        Ok(ErrorEnvelope { error }) => ErrorBody {
            hint: error.hint(),
            retry_after: error.retry_after(),
            message: error.message,
        },
        Err(_) => ErrorBody {
            message: trimmed.chars().take(500).collect(),
            ..ErrorBody::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_google_errors() {
        let e = parse_error(
            r#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}"#,
        );
        assert_eq!(e.hint, Some(Hint::Authentication));
        let e = parse_error(
            r#"{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"7s"}]}}"#,
        );
        assert_eq!(e.retry_after, Some(Duration::from_secs(7)));
        assert_eq!(e.hint, None);
    }

    #[test]
    fn model_names_stay_inside_the_path() {
        assert_eq!(model_path("models/gemini-2.5-flash"), "gemini-2.5-flash");
        assert_eq!(model_path("a/../b?x"), "a%2F..%2Fb%3Fx");
    }
}
