//! The loop every remote provider runs: send the request, then turn the
//! reply into [`ProviderEvent`]s with a wire-format [`Decoder`].
//!
//! The stream is lazy and owns the HTTP response: dropping it closes the
//! connection, and a fired `CancellationToken` does the same at once (the
//! stream then yields [`ProviderError::Cancelled`] and ends). No task is
//! spawned, so nothing can outlive the consumer.
//!
//! Everything the stream yields passes through here, so this is where each
//! error is redacted (see `redact`), and where an answer that is not what
//! was asked for — HTML from a captive portal or a wrong base URL instead of
//! an event stream or JSON — is named as such.

use std::collections::VecDeque;
use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use reqwest::header::CONTENT_TYPE;
use tokio_util::sync::CancellationToken;

use super::http::{ErrorParser, Upstream};
use super::sse::{self, Events};
use super::{ProviderError, ProviderEvent, ProviderStream};

/// Whether a stream goes on after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    /// The provider's terminator was seen; the rest of the body is not read.
    Done,
}

/// One provider's wire format, from bytes to events.
pub(crate) trait Decoder: Send + 'static {
    /// One SSE event (`name` is `message` when the event had none).
    fn event(
        &mut self,
        name: &str,
        data: &str,
        out: &mut Vec<ProviderEvent>,
    ) -> Result<Flow, ProviderError>;

    /// The body ended. Finishes the reply if the provider said it was
    /// complete, otherwise fails with [`ProviderError::Incomplete`].
    fn end(&mut self, out: &mut Vec<ProviderEvent>) -> Result<(), ProviderError>;

    /// A whole, non-streamed reply body.
    fn whole(&mut self, body: &str, out: &mut Vec<ProviderEvent>) -> Result<(), ProviderError>;

    /// The request id came in a response header, so the decoder need not
    /// fall back to the one in the body.
    fn request_id_sent(&mut self) {}
}

/// One request to a provider.
pub(crate) struct Call {
    pub upstream: Arc<Upstream>,
    pub url: String,
    pub body: Bytes,
    pub parse_error: ErrorParser,
    /// The response header that carries the provider's request id.
    pub request_id_header: Option<&'static str>,
    pub stream: bool,
}

/// Serialises a request body. The body is built from plain JSON values, so
/// this cannot fail in practice; if it did, the request is refused.
pub(crate) fn json_body(body: &serde_json::Value) -> Result<Bytes, ProviderError> {
    serde_json::to_vec(body)
        .map(Bytes::from)
        .map_err(|e| ProviderError::BadRequest(format!("cannot encode the request: {e}")))
}

/// Runs `call` and decodes its reply with `decoder`.
pub(crate) fn run<D: Decoder>(call: Call, decoder: D, cancel: CancellationToken) -> ProviderStream {
    let run = Run {
        upstream: Arc::clone(&call.upstream),
        decoder,
        cancel,
        pending: VecDeque::new(),
        phase: Phase::Start(call),
    };
    futures::stream::unfold(run, |mut run| async move {
        let item = run.next().await?;
        Some((item, run))
    })
    .boxed()
}

/// A failed request before any output: a stream of that one error.
pub(crate) fn failed(error: ProviderError) -> ProviderStream {
    futures::stream::iter([Err(error)]).boxed()
}

enum Phase {
    Start(Call),
    Streaming(Events),
    Done,
}

struct Run<D> {
    /// For redacting errors.
    upstream: Arc<Upstream>,
    decoder: D,
    cancel: CancellationToken,
    pending: VecDeque<Result<ProviderEvent, ProviderError>>,
    phase: Phase,
}

impl<D: Decoder> Run<D> {
    async fn next(&mut self) -> Option<Result<ProviderEvent, ProviderError>> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item.map_err(|e| self.upstream.redact.error(e)));
            }
            match std::mem::replace(&mut self.phase, Phase::Done) {
                Phase::Done => return None,
                Phase::Start(call) => self.start(call).await,
                Phase::Streaming(mut events) => {
                    let next = tokio::select! {
                        biased;
                        () = self.cancel.cancelled() => {
                            // `events` (and with it the connection) is dropped here.
                            self.pending.push_back(Err(ProviderError::Cancelled));
                            continue;
                        }
                        next = events.next() => next,
                    };
                    let mut out = Vec::new();
                    let outcome = match next {
                        Some(Ok(event)) => self.decoder.event(&event.event, &event.data, &mut out),
                        Some(Err(e)) => Err(e),
                        None => self.decoder.end(&mut out).map(|()| Flow::Done),
                    };
                    self.pending.extend(out.into_iter().map(Ok));
                    match outcome {
                        Ok(Flow::Continue) => self.phase = Phase::Streaming(events),
                        Ok(Flow::Done) => {}
                        Err(e) => self.pending.push_back(Err(e)),
                    }
                }
            }
        }
    }

    async fn start(&mut self, call: Call) {
        let response = match call
            .upstream
            .post(&call.url, call.body, call.parse_error, &self.cancel)
            .await
        {
            Ok(r) => r,
            Err(e) => {
                self.pending.push_back(Err(e));
                return;
            }
        };
        let request_id = call
            .request_id_header
            .and_then(|h| response.headers().get(h))
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty());
        if let Some(id) = request_id {
            self.pending
                .push_back(Ok(ProviderEvent::RequestId(id.to_owned())));
            self.decoder.request_id_sent();
        }
        let content_type = media_type(&response);
        if call.stream {
            if let Some(other) = content_type.filter(|t| t != "text/event-stream") {
                let excerpt = call.upstream.excerpt(response, &self.cancel).await;
                if self.cancel.is_cancelled() {
                    self.pending.push_back(Err(ProviderError::Cancelled));
                    return;
                }
                self.pending.push_back(Err(ProviderError::Protocol(format!(
                    "the provider answered with {other}, not an event stream: \
                     is the base URL right? ({excerpt})"
                ))));
                return;
            }
            self.phase = Phase::Streaming(sse::events(response, call.upstream.read_timeout));
            return;
        }
        let mut out = Vec::new();
        let outcome = match call.upstream.read_body(response, &self.cancel).await {
            // Only a reply the decoder cannot read is looked at again.
            Ok(body) => self.decoder.whole(&body, &mut out).map_err(|e| match e {
                ProviderError::Protocol(_) => {
                    not_json(&call.upstream, content_type.as_deref(), &body).unwrap_or(e)
                }
                e => e,
            }),
            Err(e) => Err(e),
        };
        self.pending.extend(out.into_iter().map(Ok));
        if let Err(e) = outcome {
            self.pending.push_back(Err(e));
        }
    }
}

/// A response's media type (`text/html` of `text/html; charset=utf-8`),
/// lower case; `None` when it has none.
fn media_type(response: &reqwest::Response) -> Option<String> {
    crate::media::essence(response.headers().get(CONTENT_TYPE)?.to_str().ok()?)
}

/// The error for a whole reply that is not JSON, saying what it was.
fn not_json(upstream: &Upstream, media: Option<&str>, body: &str) -> Option<ProviderError> {
    let parsed = serde_json::from_str::<serde::de::IgnoredAny>(body).err()?;
    let excerpt = upstream.quote(body);
    Some(ProviderError::Protocol(match media {
        Some(m) if !m.contains("json") => {
            format!("the provider answered with {m}, not JSON: is the base URL right? ({excerpt})")
        }
        _ => format!("the reply is not valid JSON ({parsed}; {excerpt})"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::RemoteEndpoint;

    #[test]
    fn a_body_that_is_not_json_is_named_and_quoted_without_secrets() {
        let endpoint = RemoteEndpoint::default();
        let upstream =
            Upstream::new(&endpoint, Some(("x-goog-api-key", "k-123456".into()))).unwrap();
        let page = format!(
            "<html>\n  <title>Sign in</title> k-123456 {}</html>",
            "x".repeat(300)
        );
        let Some(ProviderError::Protocol(m)) = not_json(&upstream, Some("text/html"), &page) else {
            panic!("not named")
        };
        assert!(m.starts_with("the provider answered with text/html, not JSON: is the base URL right? (it began: <html> <title>Sign in</title> [redacted] xxx"), "{m}");
        assert!(m.ends_with("x…)") && m.chars().count() < 300, "{m}");
        let Some(ProviderError::Protocol(m)) = not_json(&upstream, Some("application/json"), "{")
        else {
            panic!("not named")
        };
        assert!(m.starts_with("the reply is not valid JSON (EOF"), "{m}");
        assert_eq!(not_json(&upstream, None, r#"{"ok": true}"#), None);
    }
}
