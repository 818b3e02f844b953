//! Providers: one trait, one module per backend.
//!
//! Every provider turns a [`ProviderRequest`] into a stream of
//! [`ProviderEvent`]s, so the engine, the recorder and the clients never see a
//! provider's wire format. Cancellation is cooperative: a provider stops as
//! soon as its `CancellationToken` fires or its stream is dropped.
//!
//! The remote providers share one HTTP path (`http`: retries before the
//! first byte, timeouts, status → [`ProviderError`]) and one streaming loop
//! (`stream`); each wire format is a `stream::Decoder` plus a function that
//! writes the request body. [`build`] turns a catalog endpoint into one.
//! Errors pass through `redact` on their way out, so no key reaches the
//! user or a stored run.
//!
//! | module | wire format |
//! | --- | --- |
//! | `openai::chat` | Chat Completions: OpenAI, and vLLM / llama.cpp / Ollama as `openai_compatible` |
//! | `openai::responses` | OpenAI's Responses API |
//! | `gemini` | Gemini's native `generateContent` |

use std::time::Duration;

use futures::stream::BoxStream;
use tokio_util::sync::CancellationToken;

use crate::chat::{Message, ResponseFormat, ToolSpec};

use crate::outcome::{FinishReason, Usage};

mod complete;
pub mod gemini;
mod http;
#[cfg(feature = "local")]
pub mod local;
pub mod openai;
mod redact;
mod retry;
mod setup;
mod sse;
mod stream;

pub use complete::{merge_tool_call_delta, Completion};
pub use setup::{build, connect, SetupError};

/// A request with every parameter resolved against the catalog: providers
/// never apply defaults of their own.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderRequest {
    pub messages: Vec<Message>,
    pub temperature: f32,
    pub top_p: f32,
    pub max_tokens: u32,
    pub seed: Option<u64>,
    pub stop: Vec<String>,
    pub repeat_penalty: f32,
    /// The model's name at the provider (the catalog's `provider_model`).
    /// The local provider serves one model and ignores it.
    pub model: String,
    /// Which of the numeric controls above the model has. A remote provider
    /// sends only those: reasoning models reject `temperature` and `top_p`.
    pub controls: Controls,
    /// Stream the reply (`true`, the default) or ask for it whole.
    pub stream: bool,
    pub response_format: Option<ResponseFormat>,
    pub tools: Vec<ToolSpec>,
    /// One of the model's allowed values, sent as is (OpenAI, vLLM).
    pub reasoning_effort: Option<String>,
    /// Gemini's `thinkingBudget` for the chosen effort, from the catalog.
    pub thinking_budget: Option<i32>,
    pub verbosity: Option<String>,
}

impl ProviderRequest {
    /// A request with the catalog's usual defaults, for tests and tools:
    /// streaming, no optional controls.
    pub fn new(model: impl Into<String>, messages: Vec<Message>, max_tokens: u32) -> Self {
        Self {
            messages,
            temperature: 1.0,
            top_p: 1.0,
            max_tokens,
            seed: None,
            stop: Vec::new(),
            repeat_penalty: 1.0,
            model: model.into(),
            controls: Controls::default(),
            stream: true,
            response_format: None,
            tools: Vec::new(),
            reasoning_effort: None,
            thinking_budget: None,
            verbosity: None,
        }
    }

    /// The temperature to send, if the model has that control.
    pub fn sent_temperature(&self) -> Option<f32> {
        self.controls.temperature.then_some(self.temperature)
    }

    /// The top-p to send, if the model has that control.
    pub fn sent_top_p(&self) -> Option<f32> {
        self.controls.top_p.then_some(self.top_p)
    }
}

/// An `f32` control as JSON with the digits the user typed: `0.2`, not
/// `0.20000000298023224` (what widening the float to `f64` would send).
pub(crate) fn json_f32(value: f32) -> serde_json::Value {
    value
        .to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// The numeric controls a model has (from its catalog `params`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Controls {
    pub temperature: bool,
    pub top_p: bool,
}

/// One thing a provider reports while generating.
///
/// Tool calls stream as [`ProviderEvent::ToolCallDelta`]s: the first delta of
/// an `index` carries its `id` and `name`, later ones only `arguments`
/// fragments, to be concatenated per index. Several indexes mean parallel
/// calls.
#[derive(Debug, Clone, PartialEq)]
pub enum ProviderEvent {
    TextDelta(String),
    /// Reasoning the provider shows (Gemini thought summaries, the Responses
    /// API's reasoning summaries, vLLM's `reasoning_content`). Not part of
    /// the reply.
    ReasoningDelta(String),
    ToolCallDelta {
        index: u32,
        id: Option<String>,
        name: Option<String>,
        arguments: String,
        /// Opaque state to send back with the call (Gemini's
        /// `thoughtSignature`), on the delta that carries it.
        signature: Option<String>,
    },
    /// The provider's id for this request (OpenAI's `x-request-id` header,
    /// Gemini's `responseId`), sent once, before any output: it is what the
    /// provider's support asks for. Kept apart from [`Usage`] because usage
    /// may never arrive when a stream breaks, and the id matters most then.
    RequestId(String),
    Usage(Usage),
    Finish(FinishReason),
}

/// Why a provider could not answer. The messages are written for the person
/// in front of the playground: what happened and what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    #[error("the conversation is too long for this model: {tokens} tokens, the model takes at most {limit}")]
    ContextTooLong { tokens: usize, limit: usize },
    /// The provider's server failed (5xx) or could not be reached.
    #[error("the model is not available: {0}")]
    Unavailable(String),
    #[error("generation failed: {0}")]
    Generation(String),
    /// 401/403: a missing, wrong or revoked key, or no access to the model.
    #[error("the provider rejected the API key: {0}")]
    Authentication(String),
    /// 429 after the retries, or with a `Retry-After` longer than PEP waits.
    #[error("{}", rate_limited_message(*retry_after, message))]
    RateLimited {
        retry_after: Option<Duration>,
        message: String,
    },
    /// 429 that waiting does not cure: the account is out of credit.
    #[error("the provider account has no quota left (check its billing): {0}")]
    QuotaExceeded(String),
    /// The provider's own context-length error (the remote counterpart of
    /// [`ProviderError::ContextTooLong`], whose figures only the local model knows).
    #[error("the conversation is too long for this model: {0}")]
    ContextLengthExceeded(String),
    /// The provider's safety system blocked the prompt or the reply, or the
    /// model refused.
    #[error("the provider's content filter blocked this: {0}")]
    ContentFiltered(String),
    /// The provider refused the request as malformed; its message says why.
    #[error("the provider refused the request: {0}")]
    BadRequest(String),
    #[error("the provider did not answer in time: {0}")]
    Timeout(String),
    #[error("the request was cancelled")]
    Cancelled,
    /// The stream closed before the provider said the reply was complete.
    #[error("the reply broke off before it was complete: {0}")]
    Incomplete(String),
    /// The model declined to answer (OpenAI's `refusal`); its words were
    /// streamed as text.
    #[error("the model refused: {0}")]
    Refused(String),
    /// The provider sent something PEP cannot read.
    #[error("the provider sent a reply PEP cannot read: {0}")]
    Protocol(String),
}

fn rate_limited_message(retry_after: Option<Duration>, message: &str) -> String {
    match retry_after {
        Some(d) => format!(
            "the provider is rate limiting requests; try again in {} s: {message}",
            d.as_secs_f64().ceil()
        ),
        None => format!("the provider is rate limiting requests; try again shortly: {message}"),
    }
}

impl ProviderError {
    /// A stable machine name for the error kind (for API clients and logs).
    pub fn kind(&self) -> &'static str {
        match self {
            ProviderError::ContextTooLong { .. } | ProviderError::ContextLengthExceeded(_) => {
                "context_too_long"
            }
            ProviderError::Unavailable(_) => "unavailable",
            ProviderError::Generation(_) => "generation",
            ProviderError::Authentication(_) => "authentication",
            ProviderError::RateLimited { .. } => "rate_limited",
            ProviderError::QuotaExceeded(_) => "quota_exceeded",
            ProviderError::ContentFiltered(_) => "content_filtered",
            ProviderError::BadRequest(_) => "bad_request",
            ProviderError::Timeout(_) => "timeout",
            ProviderError::Cancelled => "cancelled",
            ProviderError::Incomplete(_) => "incomplete",
            ProviderError::Refused(_) => "refused",
            ProviderError::Protocol(_) => "protocol",
        }
    }
}

/// The stream every provider returns.
pub type ProviderStream = BoxStream<'static, Result<ProviderEvent, ProviderError>>;

/// A model backend.
pub trait Provider: Send + Sync {
    /// A short name for logs and run records (`local`, `openai`, ...).
    fn name(&self) -> &'static str;

    /// Starts generating. The stream ends after a `Finish` event or an error.
    fn stream(&self, request: ProviderRequest, cancel: CancellationToken) -> ProviderStream;

    /// The whole reply at once: the request is sent without streaming and
    /// the provider's events are folded into a [`Completion`].
    fn complete(
        &self,
        mut request: ProviderRequest,
        cancel: CancellationToken,
    ) -> futures::future::BoxFuture<'static, Result<Completion, ProviderError>> {
        request.stream = false;
        Box::pin(Completion::collect(self.stream(request, cancel)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_message_says_when_to_retry() {
        let e = ProviderError::RateLimited {
            retry_after: Some(Duration::from_millis(7_200)),
            message: "slow down".into(),
        };
        assert_eq!(
            e.to_string(),
            "the provider is rate limiting requests; try again in 8 s: slow down"
        );
        assert_eq!(e.kind(), "rate_limited");
    }

    #[test]
    fn only_controls_the_model_has_are_sent() {
        let mut r = ProviderRequest::new("m", Vec::new(), 10);
        assert_eq!((r.sent_temperature(), r.sent_top_p()), (None, None));
        r.controls.temperature = true;
        r.temperature = 0.2;
        assert_eq!(r.sent_temperature(), Some(0.2));
        assert_eq!(json_f32(0.2).to_string(), "0.2");
    }
}
