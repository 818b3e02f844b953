//! A streamed HTTP body as Server-Sent Events.
//!
//! `eventsource-stream` does the SSE parsing (events split across network
//! chunks, UTF-8 split across chunks, comments, multi-line `data:`); this
//! module adds the read timeout — the longest silence between two pieces of
//! the body — and turns transport failures into [`ProviderError`]s.

use std::time::Duration;

use bytes::Bytes;
use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};

use super::http::source_chain;
use super::ProviderError;

/// The events of one streamed response.
pub(crate) type Events = BoxStream<'static, Result<Event, ProviderError>>;

/// Parses `response`'s body as SSE, failing with a timeout when the body
/// is silent for longer than `read_timeout`.
pub(crate) fn events(response: reqwest::Response, read_timeout: Duration) -> Events {
    idle_timeout(response.bytes_stream(), read_timeout)
        .eventsource()
        .map(|event| {
            event.map_err(|e| match e {
                EventStreamError::Transport(e) => e,
                EventStreamError::Utf8(e) => {
                    ProviderError::Protocol(format!("the stream is not UTF-8: {e}"))
                }
                EventStreamError::Parser(e) => {
                    ProviderError::Protocol(format!("the stream is not valid SSE: {e}"))
                }
            })
        })
        .boxed()
}

/// The body's chunks, each within `limit` of the one before; the first
/// failure ends the stream.
fn idle_timeout<S>(
    body: S,
    limit: Duration,
) -> impl Stream<Item = Result<Bytes, ProviderError>> + Send + 'static
where
    S: Stream<Item = Result<Bytes, reqwest::Error>> + Send + 'static,
{
    futures::stream::unfold(Some(body.boxed()), move |body| async move {
        let mut body = body?;
        match tokio::time::timeout(limit, body.next()).await {
            Err(_) => Some((
                Err(ProviderError::Timeout(format!(
                    "the stream was silent for {} s",
                    limit.as_secs_f64()
                ))),
                None,
            )),
            Ok(None) => None,
            Ok(Some(Ok(chunk))) => Some((Ok(chunk), Some(body))),
            Ok(Some(Err(e))) => Some((
                Err(ProviderError::Incomplete(format!(
                    "the connection failed: {}",
                    source_chain(&e)
                ))),
                None,
            )),
        }
    })
}
