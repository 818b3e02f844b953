//! Chat Completions: `POST {base}/chat/completions`.
//!
//! Streaming replies are SSE `chat.completion.chunk`s ended by
//! `data: [DONE]`. Usage only comes with `stream_options.include_usage`, as
//! a last chunk with `choices: []` — and not at all when a stream breaks.
//! Tool calls stream as fragments keyed by `index`, which map one to one
//! onto [`ProviderEvent::ToolCallDelta`].

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{ApiError, Dialect};
use crate::chat::{Message, ResponseFormat, Role};
use crate::outcome::{FinishReason, Usage};
use crate::providers::stream::{self, Flow};
use crate::providers::{json_f32, ProviderError, ProviderEvent, ProviderRequest};

/// The request body.
pub(crate) fn body(req: &ProviderRequest, dialect: Dialect) -> Value {
    let mut b = Map::new();
    b.insert("model".into(), json!(req.model));
    b.insert(
        "messages".into(),
        Value::Array(req.messages.iter().map(message).collect()),
    );
    b.insert("stream".into(), json!(req.stream));
    if req.stream {
        b.insert("stream_options".into(), json!({ "include_usage": true }));
    }
    let max_tokens = match dialect {
        Dialect::OpenAi => "max_completion_tokens",
        Dialect::Compatible => "max_tokens",
    };
    b.insert(max_tokens.into(), json!(req.max_tokens));
    if let Some(t) = req.sent_temperature() {
        b.insert("temperature".into(), json_f32(t));
    }
    if let Some(p) = req.sent_top_p() {
        b.insert("top_p".into(), json_f32(p));
    }
    if let Some(seed) = req.seed {
        b.insert("seed".into(), json!(seed));
    }
    if !req.stop.is_empty() {
        b.insert("stop".into(), json!(req.stop));
    }
    match &req.response_format {
        None => {}
        Some(ResponseFormat::JsonObject) => {
            b.insert("response_format".into(), json!({ "type": "json_object" }));
        }
        Some(ResponseFormat::JsonSchema {
            name,
            schema,
            strict,
        }) => {
            b.insert(
                "response_format".into(),
                json!({
                    "type": "json_schema",
                    "json_schema": { "name": name, "schema": schema, "strict": strict },
                }),
            );
        }
    }
    if !req.tools.is_empty() {
        let tools: Vec<Value> = req
            .tools
            .iter()
            .map(|t| {
                json!({
                    "type": "function",
                    "function": {
                        "name": t.name,
                        "description": t.description,
                        "parameters": t.parameters,
                    },
                })
            })
            .collect();
        b.insert("tools".into(), Value::Array(tools));
    }
    if let Some(effort) = &req.reasoning_effort {
        b.insert("reasoning_effort".into(), json!(effort));
    }
    if let Some(verbosity) = &req.verbosity {
        b.insert("verbosity".into(), json!(verbosity));
    }
    Value::Object(b)
}

/// One conversation message in Chat Completions' form.
fn message(m: &Message) -> Value {
    if let Some(result) = &m.tool_result {
        return json!({
            "role": "tool",
            "tool_call_id": result.call_id,
            "content": m.content,
        });
    }
    if m.role == Role::Assistant && !m.tool_calls.is_empty() {
        let calls: Vec<Value> = m
            .tool_calls
            .iter()
            .map(|c| {
                json!({
                    "id": c.id,
                    "type": "function",
                    "function": { "name": c.name, "arguments": c.arguments },
                })
            })
            .collect();
        let content = if m.content.is_empty() {
            Value::Null
        } else {
            json!(m.content)
        };
        return json!({ "role": "assistant", "content": content, "tool_calls": calls });
    }
    json!({ "role": m.role.as_str(), "content": m.content })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Chunk {
    id: Option<String>,
    choices: Vec<Choice>,
    usage: Option<WireUsage>,
    error: Option<ApiError>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Choice {
    /// `delta` in a chunk; `message` in a whole reply.
    #[serde(alias = "message")]
    delta: Delta,
    finish_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Delta {
    content: Option<String>,
    refusal: Option<String>,
    /// vLLM's reasoning parsers (and DeepSeek) name it so...
    reasoning_content: Option<String>,
    /// ...newer vLLM and Ollama so.
    reasoning: Option<String>,
    tool_calls: Vec<ToolCallFragment>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ToolCallFragment {
    /// Absent in a whole reply, where the position is the index.
    index: Option<u32>,
    id: Option<String>,
    function: FunctionFragment,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FunctionFragment {
    name: Option<String>,
    arguments: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WireUsage {
    prompt_tokens: u32,
    completion_tokens: u32,
    prompt_tokens_details: Option<PromptDetails>,
    completion_tokens_details: Option<CompletionDetails>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PromptDetails {
    cached_tokens: u32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CompletionDetails {
    reasoning_tokens: u32,
}

impl From<WireUsage> for Usage {
    fn from(u: WireUsage) -> Self {
        Usage {
            input_tokens: u.prompt_tokens,
            output_tokens: u.completion_tokens,
            reasoning_tokens: u
                .completion_tokens_details
                .map_or(0, |d| d.reasoning_tokens),
            cached_tokens: u.prompt_tokens_details.map_or(0, |d| d.cached_tokens),
        }
    }
}

/// The state of one Chat Completions reply.
#[derive(Debug, Default)]
pub(crate) struct Decoder {
    request_id_sent: bool,
    finish: Option<String>,
    usage: Option<Usage>,
    refusal: String,
}

impl Decoder {
    fn chunk(&mut self, chunk: Chunk, out: &mut Vec<ProviderEvent>) -> Result<(), ProviderError> {
        if let Some(error) = chunk.error {
            return Err(error.into_error());
        }
        if let (false, Some(id)) = (self.request_id_sent, chunk.id.filter(|id| !id.is_empty())) {
            // No request-id header (vLLM by default): the completion id is
            // the next best thing to quote.
            out.push(ProviderEvent::RequestId(id));
            self.request_id_sent = true;
        }
        // PEP asks for one choice; others (n > 1 on a proxy) are ignored.
        if let Some(choice) = chunk.choices.into_iter().next() {
            let d = choice.delta;
            if let Some(r) = d
                .reasoning_content
                .or(d.reasoning)
                .filter(|r| !r.is_empty())
            {
                out.push(ProviderEvent::ReasoningDelta(r));
            }
            if let Some(text) = d.content.filter(|t| !t.is_empty()) {
                out.push(ProviderEvent::TextDelta(text));
            }
            if let Some(refusal) = d.refusal.filter(|t| !t.is_empty()) {
                self.refusal.push_str(&refusal);
                out.push(ProviderEvent::TextDelta(refusal));
            }
            for (position, call) in d.tool_calls.into_iter().enumerate() {
                out.push(ProviderEvent::ToolCallDelta {
                    index: call
                        .index
                        .unwrap_or_else(|| u32::try_from(position).unwrap_or(u32::MAX)),
                    id: call.id,
                    name: call.function.name,
                    arguments: call.function.arguments.unwrap_or_default(),
                    signature: None,
                });
            }
            if let Some(reason) = choice.finish_reason {
                self.finish = Some(reason);
            }
        }
        if let Some(usage) = chunk.usage {
            self.usage = Some(usage.into());
        }
        Ok(())
    }

    /// The reply is over: usage, then how it ended.
    fn finish(&mut self, out: &mut Vec<ProviderEvent>) -> Result<(), ProviderError> {
        if let Some(usage) = self.usage.take() {
            out.push(ProviderEvent::Usage(usage));
        }
        if !self.refusal.is_empty() {
            return Err(ProviderError::Refused(std::mem::take(&mut self.refusal)));
        }
        let reason = match self.finish.as_deref() {
            Some("stop" | "tool_calls" | "function_call") => FinishReason::Stop,
            // Some compatible servers omit it on the last chunk.
            None => {
                tracing::warn!("the reply ended without a finish_reason");
                FinishReason::Stop
            }
            Some("length") => FinishReason::Length,
            Some("content_filter") => {
                return Err(ProviderError::ContentFiltered(
                    "the provider's filter stopped the reply".into(),
                ))
            }
            Some(other) => {
                return Err(ProviderError::Generation(format!(
                    "the reply stopped: {other}"
                )))
            }
        };
        out.push(ProviderEvent::Finish(reason));
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
        if data.trim() == "[DONE]" {
            self.finish(out)?;
            return Ok(Flow::Done);
        }
        let chunk: Chunk = serde_json::from_str(data)
            .map_err(|e| ProviderError::Protocol(format!("a chunk is not valid JSON: {e}")))?;
        self.chunk(chunk, out)?;
        Ok(Flow::Continue)
    }

    fn end(&mut self, out: &mut Vec<ProviderEvent>) -> Result<(), ProviderError> {
        if self.finish.is_some() {
            // The reply was complete; only [DONE] (and maybe usage) is missing.
            tracing::warn!("the stream ended without [DONE]");
            return self.finish(out);
        }
        Err(ProviderError::Incomplete(
            "the stream ended before the reply was complete".into(),
        ))
    }

    fn whole(&mut self, body: &str, out: &mut Vec<ProviderEvent>) -> Result<(), ProviderError> {
        let chunk: Chunk = serde_json::from_str(body)
            .map_err(|e| ProviderError::Protocol(format!("the reply is not valid JSON: {e}")))?;
        self.chunk(chunk, out)?;
        self.finish(out)
    }

    fn request_id_sent(&mut self) {
        self.request_id_sent = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{ToolCall, ToolSpec};
    use crate::providers::stream::Decoder as _;

    #[test]
    fn body_uses_the_dialects_token_limit_and_omits_absent_controls() {
        let mut req = ProviderRequest::new("gpt-5-mini", vec![Message::new(Role::User, "hi")], 64);
        let b = body(&req, Dialect::OpenAi);
        assert_eq!(b["max_completion_tokens"], 64);
        assert!(b.get("temperature").is_none() && b.get("seed").is_none());
        assert_eq!(b["stream_options"]["include_usage"], true);
        req.stream = false;
        req.controls.temperature = true;
        req.temperature = 0.5;
        let b = body(&req, Dialect::Compatible);
        assert_eq!(
            (b["max_tokens"].clone(), b["temperature"].clone()),
            (json!(64), json!(0.5))
        );
        assert!(b.get("stream_options").is_none());
    }

    #[test]
    fn tool_turns_are_sent_back_in_openai_form() {
        let call = ToolCall {
            id: "call_1".into(),
            name: "f".into(),
            arguments: "{}".into(),
            signature: None,
        };
        let mut assistant = Message::new(Role::Assistant, "");
        assistant.tool_calls.push(call.clone());
        let mut req =
            ProviderRequest::new("m", vec![assistant, Message::tool_output(&call, "42")], 8);
        req.tools.push(ToolSpec {
            name: "f".into(),
            description: String::new(),
            parameters: json!({"type": "object"}),
        });
        let b = body(&req, Dialect::OpenAi);
        assert_eq!(b["messages"][0]["content"], Value::Null);
        assert_eq!(b["messages"][0]["tool_calls"][0]["function"]["name"], "f");
        assert_eq!(b["messages"][1]["role"], "tool");
        assert_eq!(b["messages"][1]["tool_call_id"], "call_1");
        assert_eq!(b["tools"][0]["type"], "function");
    }

    #[test]
    fn finish_before_usage_waits_for_done() {
        let mut d = Decoder::default();
        let mut out = Vec::new();
        let flow = d
            .event(
                "message",
                r#"{"id":"c1","choices":[{"delta":{"content":"hi"},"finish_reason":"stop"}]}"#,
                &mut out,
            )
            .unwrap();
        assert_eq!(flow, Flow::Continue);
        d.event(
            "message",
            r#"{"id":"c1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}"#,
            &mut out,
        )
        .unwrap();
        assert_eq!(d.event("message", "[DONE]", &mut out).unwrap(), Flow::Done);
        assert_eq!(
            out,
            vec![
                ProviderEvent::RequestId("c1".into()),
                ProviderEvent::TextDelta("hi".into()),
                ProviderEvent::Usage(Usage {
                    input_tokens: 3,
                    output_tokens: 1,
                    ..Usage::default()
                }),
                ProviderEvent::Finish(FinishReason::Stop),
            ]
        );
    }
}
