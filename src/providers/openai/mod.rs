//! OpenAI's two text APIs, and the servers that copy Chat Completions.
//!
//! `chat` speaks Chat Completions (OpenAI, vLLM, llama.cpp's server,
//! Ollama), `responses` the Responses API. Both share the endpoint set-up,
//! the error-body format and the translation of OpenAI's error codes.

pub(crate) mod chat;
pub(crate) mod responses;

use std::sync::Arc;

use serde::Deserialize;
use tokio_util::sync::CancellationToken;

use super::http::{mentions_context_limit, ErrorBody, Hint, Upstream};
use super::stream::{self, Call};
use super::{Provider, ProviderError, ProviderRequest, ProviderStream};
use crate::catalog::OpenAiApi;

/// Which flavour of Chat Completions a server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// OpenAI itself: `max_completion_tokens` (`max_tokens` is refused by
    /// reasoning models).
    OpenAi,
    /// vLLM, llama.cpp, Ollama: `max_tokens`, which all of them take.
    Compatible,
}

/// An OpenAI or OpenAI-compatible endpoint.
#[derive(Debug)]
pub struct OpenAiProvider {
    name: &'static str,
    upstream: Arc<Upstream>,
    base_url: String,
    api: OpenAiApi,
    dialect: Dialect,
}

impl OpenAiProvider {
    pub(crate) fn new(
        name: &'static str,
        upstream: Upstream,
        base_url: String,
        api: OpenAiApi,
        dialect: Dialect,
    ) -> Self {
        Self {
            name,
            upstream: Arc::new(upstream),
            base_url: base_url.trim_end_matches('/').to_owned(),
            api,
            dialect,
        }
    }
}

impl Provider for OpenAiProvider {
    fn name(&self) -> &'static str {
        self.name
    }

    fn stream(&self, request: ProviderRequest, cancel: CancellationToken) -> ProviderStream {
        let (path, body) = match self.api {
            OpenAiApi::ChatCompletions => ("chat/completions", chat::body(&request, self.dialect)),
            OpenAiApi::Responses => ("responses", responses::body(&request)),
        };
        let body = match stream::json_body(&body) {
            Ok(b) => b,
            Err(e) => return stream::failed(e),
        };
        let call = Call {
            upstream: Arc::clone(&self.upstream),
            url: format!("{}/{path}", self.base_url),
            body,
            parse_error,
            request_id_header: Some("x-request-id"),
            stream: request.stream,
        };
        match self.api {
            OpenAiApi::ChatCompletions => stream::run(call, chat::Decoder::default(), cancel),
            OpenAiApi::Responses => stream::run(call, responses::Decoder::default(), cancel),
        }
    }
}

/// OpenAI's error object: `{"error": {message, type, param, code}}`. vLLM
/// sends the same fields at the top level (`{"object": "error", ...}`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ApiError {
    pub message: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub code: Option<serde_json::Value>,
}

impl ApiError {
    fn code(&self) -> String {
        match &self.code {
            Some(serde_json::Value::String(s)) => s.clone(),
            _ => String::new(),
        }
    }

    /// What the code says beyond the HTTP status.
    pub fn hint(&self) -> Option<Hint> {
        let code = self.code();
        let kind = self.kind.as_deref().unwrap_or_default();
        match (code.as_str(), kind) {
            ("context_length_exceeded" | "string_above_max_length", _) => {
                Some(Hint::ContextTooLong)
            }
            ("insufficient_quota", _) | (_, "insufficient_quota") => Some(Hint::QuotaExceeded),
            ("content_filter" | "content_policy_violation", _) => Some(Hint::ContentFiltered),
            ("invalid_api_key", _) => Some(Hint::Authentication),
            _ if mentions_context_limit(&self.message) => Some(Hint::ContextTooLong),
            _ => None,
        }
    }

    /// The error an in-stream error object stands for (no HTTP status).
    pub fn into_error(self) -> ProviderError {
        let hint = self.hint();
        let code = self.code();
        let message = self.message;
        match hint {
            Some(Hint::ContextTooLong) => ProviderError::ContextLengthExceeded(message),
            Some(Hint::ContentFiltered) => ProviderError::ContentFiltered(message),
            Some(Hint::QuotaExceeded) => ProviderError::QuotaExceeded(message),
            Some(Hint::Authentication) => ProviderError::Authentication(message),
            None if code == "rate_limit_exceeded" => ProviderError::RateLimited {
                retry_after: None,
                message,
            },
            None if code == "server_error" || code.is_empty() => {
                ProviderError::Unavailable(message)
            }
            None => ProviderError::Generation(format!("{code}: {message}")),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorEnvelope {
    Nested { error: ApiError },
    Flat(ApiError),
}

/// Reads an OpenAI-style error body; anything else is shown as it came.
pub(crate) fn parse_error(text: &str) -> ErrorBody {
    let error = match serde_json::from_str::<ErrorEnvelope>(text) {
        Ok(ErrorEnvelope::Nested { error } | ErrorEnvelope::Flat(error)) => error,
        Err(_) => ApiError {
            message: text.trim().chars().take(500).collect(),
            ..ApiError::default()
        },
    };
    ErrorBody {
        hint: error.hint(),
        message: error.message,
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_openai_and_vllm_error_bodies() {
        let e = parse_error(
            r#"{"error":{"message":"This model's maximum context length is 128000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
        );
        assert_eq!(e.hint, Some(Hint::ContextTooLong));
        let e = parse_error(
            r#"{"object":"error","message":"bad temperature","type":"BadRequestError","param":null,"code":400}"#,
        );
        assert_eq!((e.message.as_str(), e.hint), ("bad temperature", None));
        let e = parse_error(
            r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#,
        );
        assert_eq!(e.hint, Some(Hint::QuotaExceeded));
        let e = parse_error("<html>bad gateway</html>");
        assert_eq!(e.message, "<html>bad gateway</html>");
    }
}
