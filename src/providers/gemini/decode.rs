//! `GenerateContentResponse`s to [`ProviderEvent`]s.
//!
//! A streamed reply has no terminator of its own: the last record carries a
//! `finishReason`, then the body ends. So the reply is only complete when
//! the body ends *after* a finish reason; usage (cumulative in every
//! record) is reported once, at the end.

use serde::Deserialize;
use serde_json::Value;

use super::ApiError;
use crate::outcome::{FinishReason, Usage};
use crate::providers::stream::{self, Flow};
use crate::providers::{ProviderError, ProviderEvent};

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Response {
    candidates: Vec<Candidate>,
    usage_metadata: Option<UsageMetadata>,
    prompt_feedback: Option<PromptFeedback>,
    response_id: Option<String>,
    error: Option<ApiError>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Candidate {
    content: Option<Content>,
    finish_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Content {
    parts: Vec<Part>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Part {
    text: Option<String>,
    thought: bool,
    thought_signature: Option<String>,
    function_call: Option<FunctionCall>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FunctionCall {
    id: Option<String>,
    name: String,
    args: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct UsageMetadata {
    prompt_token_count: u32,
    candidates_token_count: u32,
    thoughts_token_count: u32,
    cached_content_token_count: u32,
    tool_use_prompt_token_count: u32,
}

impl From<UsageMetadata> for Usage {
    /// Gemini counts thinking apart from the candidates; both are billed as
    /// output, so PEP's output count holds both (as OpenAI's does).
    fn from(u: UsageMetadata) -> Self {
        Usage {
            input_tokens: u
                .prompt_token_count
                .saturating_add(u.tool_use_prompt_token_count),
            output_tokens: u
                .candidates_token_count
                .saturating_add(u.thoughts_token_count),
            reasoning_tokens: u.thoughts_token_count,
            cached_tokens: u.cached_content_token_count,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct PromptFeedback {
    block_reason: Option<String>,
}

/// The state of one Gemini reply.
#[derive(Debug, Default)]
pub(super) struct Decoder {
    request_id_sent: bool,
    tool_calls: u32,
    finish: Option<String>,
    usage: Option<Usage>,
}

impl Decoder {
    fn response(&mut self, r: Response, out: &mut Vec<ProviderEvent>) -> Result<(), ProviderError> {
        if let Some(error) = r.error {
            return Err(error.into_error());
        }
        if let (false, Some(id)) = (self.request_id_sent, r.response_id) {
            out.push(ProviderEvent::RequestId(id));
            self.request_id_sent = true;
        }
        if let Some(reason) = r.prompt_feedback.and_then(|f| f.block_reason) {
            return Err(ProviderError::ContentFiltered(format!(
                "Gemini blocked the prompt ({reason})"
            )));
        }
        if let Some(usage) = r.usage_metadata {
            self.usage = Some(usage.into());
        }
        let Some(candidate) = r.candidates.into_iter().next() else {
            return Ok(());
        };
        for part in candidate.content.map(|c| c.parts).unwrap_or_default() {
            if let Some(call) = part.function_call {
                let arguments = call.args.map_or_else(|| "{}".to_owned(), |a| a.to_string());
                out.push(ProviderEvent::ToolCallDelta {
                    index: self.tool_calls,
                    id: call.id,
                    name: Some(call.name),
                    arguments,
                    signature: part.thought_signature,
                });
                self.tool_calls += 1;
            } else if let Some(text) = part.text.filter(|t| !t.is_empty()) {
                out.push(if part.thought {
                    ProviderEvent::ReasoningDelta(text)
                } else {
                    ProviderEvent::TextDelta(text)
                });
            }
        }
        if let Some(reason) = candidate.finish_reason {
            self.finish = Some(reason);
        }
        Ok(())
    }
}

impl stream::Decoder for Decoder {
    fn event(
        &mut self,
        _name: &str,
        data: &str,
        out: &mut Vec<ProviderEvent>,
    ) -> Result<Flow, ProviderError> {
        let r: Response = serde_json::from_str(data)
            .map_err(|e| ProviderError::Protocol(format!("a chunk is not valid JSON: {e}")))?;
        self.response(r, out)?;
        Ok(Flow::Continue)
    }

    fn end(&mut self, out: &mut Vec<ProviderEvent>) -> Result<(), ProviderError> {
        let Some(reason) = self.finish.take() else {
            return Err(ProviderError::Incomplete(
                "the stream ended without a finish reason".into(),
            ));
        };
        if let Some(usage) = self.usage.take() {
            out.push(ProviderEvent::Usage(usage));
        }
        let finish = match reason.as_str() {
            "STOP" | "FINISH_REASON_UNSPECIFIED" => FinishReason::Stop,
            "MAX_TOKENS" => FinishReason::Length,
            "SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII"
            | "IMAGE_SAFETY" => {
                return Err(ProviderError::ContentFiltered(format!(
                    "Gemini stopped the reply ({reason})"
                )))
            }
            "MALFORMED_FUNCTION_CALL" => {
                return Err(ProviderError::Generation(
                    "the model wrote a malformed function call".into(),
                ))
            }
            other => {
                return Err(ProviderError::Generation(format!(
                    "Gemini stopped the reply ({other})"
                )))
            }
        };
        out.push(ProviderEvent::Finish(finish));
        Ok(())
    }

    fn whole(&mut self, body: &str, out: &mut Vec<ProviderEvent>) -> Result<(), ProviderError> {
        let r: Response = serde_json::from_str(body)
            .map_err(|e| ProviderError::Protocol(format!("the reply is not valid JSON: {e}")))?;
        self.response(r, out)?;
        self.end(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::stream::Decoder as _;

    #[test]
    fn thoughts_calls_and_usage() {
        let mut d = Decoder::default();
        let mut out = Vec::new();
        d.event(
            "message",
            r#"{"candidates":[{"content":{"role":"model","parts":[{"text":"hmm","thought":true},{"functionCall":{"name":"f","args":{"a":1}},"thoughtSignature":"s1"}]}}],"responseId":"r1"}"#,
            &mut out,
        )
        .unwrap();
        d.event(
            "message",
            r#"{"candidates":[{"content":{"role":"model","parts":[{"text":""}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"thoughtsTokenCount":7,"cachedContentTokenCount":4}}"#,
            &mut out,
        )
        .unwrap();
        d.end(&mut out).unwrap();
        assert_eq!(
            out,
            vec![
                ProviderEvent::RequestId("r1".into()),
                ProviderEvent::ReasoningDelta("hmm".into()),
                ProviderEvent::ToolCallDelta {
                    index: 0,
                    id: None,
                    name: Some("f".into()),
                    arguments: r#"{"a":1}"#.into(),
                    signature: Some("s1".into()),
                },
                ProviderEvent::Usage(Usage {
                    input_tokens: 10,
                    output_tokens: 12,
                    reasoning_tokens: 7,
                    cached_tokens: 4,
                }),
                ProviderEvent::Finish(FinishReason::Stop),
            ]
        );
    }

    #[test]
    fn no_finish_reason_is_incomplete() {
        let mut d = Decoder::default();
        let mut out = Vec::new();
        d.event(
            "message",
            r#"{"candidates":[{"content":{"parts":[{"text":"Hel"}]}}]}"#,
            &mut out,
        )
        .unwrap();
        assert!(matches!(d.end(&mut out), Err(ProviderError::Incomplete(_))));
    }
}
