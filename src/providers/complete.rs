//! A whole reply from a provider: the second call of the provider interface.
//!
//! Every adapter speaks one event stream; a complete response is that stream
//! (asked for without streaming, so the provider sends one answer) folded
//! into one value. Tool-call fragments are joined by their index, as they
//! arrive split across chunks.

use std::collections::BTreeMap;

use futures::StreamExt;

use crate::chat::ToolCall;

use crate::outcome::{FinishReason, Usage};

use super::{ProviderError, ProviderEvent, ProviderStream};

/// Everything a provider returned for one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Completion {
    pub text: String,
    pub reasoning: String,
    /// In the order of their index.
    pub tool_calls: Vec<ToolCall>,
    pub usage: Usage,
    pub finish: Option<FinishReason>,
    pub request_id: Option<String>,
}

impl Completion {
    /// Folds a provider stream into a completion. The first error ends it.
    pub async fn collect(mut stream: ProviderStream) -> Result<Self, ProviderError> {
        let mut out = Completion::default();
        let mut calls: BTreeMap<u32, ToolCall> = BTreeMap::new();
        while let Some(event) = stream.next().await {
            match event? {
                ProviderEvent::TextDelta(t) => out.text.push_str(&t),
                ProviderEvent::ReasoningDelta(t) => out.reasoning.push_str(&t),
                ProviderEvent::ToolCallDelta {
                    index,
                    id,
                    name,
                    arguments,
                    signature,
                } => merge_tool_call_delta(&mut calls, index, id, name, &arguments, signature),
                ProviderEvent::RequestId(id) => out.request_id = Some(id),
                ProviderEvent::Usage(u) => out.usage = u,
                ProviderEvent::Finish(f) => out.finish = Some(f),
            }
        }
        out.tool_calls = calls.into_values().collect();
        Ok(out)
    }
}

/// Adds one tool-call fragment to the calls assembled so far. Providers send
/// a call's id and name once and its arguments in pieces, all under one index
/// (several indexes for parallel calls).
pub fn merge_tool_call_delta(
    calls: &mut BTreeMap<u32, ToolCall>,
    index: u32,
    id: Option<String>,
    name: Option<String>,
    arguments: &str,
    signature: Option<String>,
) {
    let call = calls.entry(index).or_insert_with(|| ToolCall {
        id: String::new(),
        name: String::new(),
        arguments: String::new(),
        signature: None,
    });
    if let Some(id) = id {
        call.id = id;
    }
    if let Some(name) = name {
        call.name = name;
    }
    if signature.is_some() {
        call.signature = signature;
    }
    call.arguments.push_str(arguments);
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::stream;

    #[tokio::test]
    async fn joins_split_parallel_tool_calls_by_index() {
        let events = vec![
            Ok(ProviderEvent::RequestId("req-1".into())),
            Ok(ProviderEvent::TextDelta("Let me ".into())),
            Ok(ProviderEvent::TextDelta("check.".into())),
            Ok(ProviderEvent::ToolCallDelta {
                index: 1,
                id: Some("b".into()),
                name: Some("time".into()),
                arguments: "{\"tz\":".into(),
                signature: None,
            }),
            Ok(ProviderEvent::ToolCallDelta {
                index: 0,
                id: Some("a".into()),
                name: Some("weather".into()),
                arguments: "{\"city\":\"Oslo\"}".into(),
                signature: Some("sig".into()),
            }),
            Ok(ProviderEvent::ToolCallDelta {
                index: 1,
                id: None,
                name: None,
                arguments: "\"UTC\"}".into(),
                signature: None,
            }),
            Ok(ProviderEvent::Usage(Usage {
                input_tokens: 10,
                output_tokens: 4,
                ..Usage::default()
            })),
            Ok(ProviderEvent::Finish(FinishReason::Stop)),
        ];
        let c = Completion::collect(stream::iter(events).boxed())
            .await
            .unwrap();
        assert_eq!(c.text, "Let me check.");
        assert_eq!(c.request_id.as_deref(), Some("req-1"));
        assert_eq!(c.tool_calls.len(), 2);
        assert_eq!(c.tool_calls[0].name, "weather");
        assert_eq!(c.tool_calls[0].signature.as_deref(), Some("sig"));
        assert_eq!(c.tool_calls[1].id, "b");
        assert_eq!(c.tool_calls[1].arguments, "{\"tz\":\"UTC\"}");
        assert_eq!(c.usage.output_tokens, 4);
        assert_eq!(c.finish, Some(FinishReason::Stop));
    }

    #[tokio::test]
    async fn an_error_ends_the_completion() {
        let events = vec![
            Ok(ProviderEvent::TextDelta("partial".into())),
            Err(ProviderError::Timeout("read".into())),
        ];
        let err = Completion::collect(stream::iter(events).boxed())
            .await
            .unwrap_err();
        assert!(matches!(err, ProviderError::Timeout(_)));
    }
}
