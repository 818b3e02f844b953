//! The Responses API: `POST {base}/responses`.
//!
//! A streamed reply is a series of typed SSE events (`response.created`,
//! `response.output_text.delta`, ...) that ends with `response.completed`,
//! `response.incomplete` or `response.failed`; there is no `[DONE]`. Usage
//! arrives with the final response object. Function calls are output items
//! with their own `output_index`; PEP numbers them 0, 1, ... in order of
//! appearance so they read like Chat Completions' tool-call indexes.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::ApiError;
use crate::chat::{Message, ResponseFormat, Role};
use crate::outcome::{FinishReason, Usage};
use crate::providers::stream::{self, Flow};
use crate::providers::{json_f32, ProviderError, ProviderEvent, ProviderRequest};

/// The request body. Nothing is stored at OpenAI (`store: false`): a
/// playground's prompts are the user's, and PEP keeps its own history.
pub(crate) fn body(req: &ProviderRequest) -> Value {
    let mut b = Map::new();
    b.insert("model".into(), json!(req.model));
    b.insert(
        "input".into(),
        Value::Array(req.messages.iter().flat_map(input_items).collect()),
    );
    b.insert("stream".into(), json!(req.stream));
    b.insert("store".into(), json!(false));
    // Includes the reasoning tokens.
    b.insert("max_output_tokens".into(), json!(req.max_tokens));
    if let Some(t) = req.sent_temperature() {
        b.insert("temperature".into(), json_f32(t));
    }
    if let Some(p) = req.sent_top_p() {
        b.insert("top_p".into(), json_f32(p));
    }
    let mut text = Map::new();
    match &req.response_format {
        None => {}
        Some(ResponseFormat::JsonObject) => {
            text.insert("format".into(), json!({ "type": "json_object" }));
        }
        Some(ResponseFormat::JsonSchema {
            name,
            schema,
            strict,
        }) => {
            // Flat, unlike Chat Completions' nested `json_schema` object.
            text.insert(
                "format".into(),
                json!({ "type": "json_schema", "name": name, "schema": schema, "strict": strict }),
            );
        }
    }
    if let Some(verbosity) = &req.verbosity {
        text.insert("verbosity".into(), json!(verbosity));
    }
    if !text.is_empty() {
        b.insert("text".into(), Value::Object(text));
    }
    if let Some(effort) = &req.reasoning_effort {
        b.insert("reasoning".into(), json!({ "effort": effort }));
    }
    if !req.tools.is_empty() {
        let tools: Vec<Value> = req
            .tools
            .iter()
            .map(|t| {
                json!({
                    "type": "function",
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.parameters,
                    "strict": false,
                })
            })
            .collect();
        b.insert("tools".into(), Value::Array(tools));
    }
    Value::Object(b)
}

/// One conversation message as input items: a message, then its function
/// calls (assistant) — or a function call's output (a tool answer).
fn input_items(m: &Message) -> Vec<Value> {
    if let Some(result) = &m.tool_result {
        return vec![json!({
            "type": "function_call_output",
            "call_id": result.call_id,
            "output": m.content,
        })];
    }
    let mut items = Vec::new();
    if !m.content.is_empty() || m.tool_calls.is_empty() {
        items.push(json!({ "role": m.role.as_str(), "content": m.content }));
    }
    if m.role == Role::Assistant {
        items.extend(m.tool_calls.iter().map(|c| {
            json!({
                "type": "function_call",
                "call_id": c.id,
                "name": c.name,
                "arguments": c.arguments,
            })
        }));
    }
    items
}

/// The fields PEP reads from any streamed event.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    delta: String,
    arguments: Option<String>,
    output_index: Option<u32>,
    item: Option<Item>,
    response: Option<Response>,
    /// The `error` event's own fields.
    code: Option<Value>,
    message: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Item {
    #[serde(rename = "type")]
    kind: String,
    call_id: Option<String>,
    name: Option<String>,
    arguments: Option<String>,
    /// A message's parts (whole replies).
    content: Vec<Part>,
    /// A reasoning item's summary (whole replies).
    summary: Vec<Part>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Part {
    #[serde(rename = "type")]
    kind: String,
    text: String,
    refusal: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Response {
    id: Option<String>,
    status: Option<String>,
    output: Vec<Item>,
    usage: Option<WireUsage>,
    incomplete_details: Option<IncompleteDetails>,
    error: Option<ApiError>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct IncompleteDetails {
    reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WireUsage {
    input_tokens: u32,
    output_tokens: u32,
    input_tokens_details: Option<InputDetails>,
    output_tokens_details: Option<OutputDetails>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InputDetails {
    cached_tokens: u32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OutputDetails {
    reasoning_tokens: u32,
}

impl From<WireUsage> for Usage {
    fn from(u: WireUsage) -> Self {
        Usage {
            input_tokens: u.input_tokens,
            output_tokens: u.output_tokens,
            reasoning_tokens: u.output_tokens_details.map_or(0, |d| d.reasoning_tokens),
            cached_tokens: u.input_tokens_details.map_or(0, |d| d.cached_tokens),
        }
    }
}

/// The state of one Responses API reply.
#[derive(Debug, Default)]
pub(crate) struct Decoder {
    request_id_sent: bool,
    /// `output_index` → PEP's tool-call index.
    tool_index: HashMap<u32, u32>,
    /// Tool calls whose arguments came as deltas (so `.done` adds nothing).
    streamed_arguments: HashMap<u32, bool>,
    refusal: String,
}

impl Decoder {
    fn tool_call(&mut self, output_index: u32) -> u32 {
        let next = u32::try_from(self.tool_index.len()).unwrap_or(u32::MAX);
        *self.tool_index.entry(output_index).or_insert(next)
    }

    fn request_id(&mut self, response: &Response, out: &mut Vec<ProviderEvent>) {
        if let (false, Some(id)) = (self.request_id_sent, &response.id) {
            out.push(ProviderEvent::RequestId(id.clone()));
            self.request_id_sent = true;
        }
    }

    /// A final response object: usage, then how it ended.
    fn end_with(
        &mut self,
        response: Response,
        out: &mut Vec<ProviderEvent>,
    ) -> Result<(), ProviderError> {
        if let Some(usage) = response.usage {
            out.push(ProviderEvent::Usage(usage.into()));
        }
        match response.status.as_deref().unwrap_or("completed") {
            "failed" => {
                return Err(response.error.map_or_else(
                    || ProviderError::Unavailable("the response failed".into()),
                    ApiError::into_error,
                ))
            }
            "incomplete" => {
                let reason = response.incomplete_details.unwrap_or_default().reason;
                return match reason.as_str() {
                    "max_output_tokens" => {
                        out.push(ProviderEvent::Finish(FinishReason::Length));
                        Ok(())
                    }
                    "content_filter" => Err(ProviderError::ContentFiltered(
                        "the provider's filter stopped the reply".into(),
                    )),
                    other => Err(ProviderError::Generation(format!(
                        "the reply is incomplete: {other}"
                    ))),
                };
            }
            _ => {}
        }
        if !self.refusal.is_empty() {
            return Err(ProviderError::Refused(std::mem::take(&mut self.refusal)));
        }
        out.push(ProviderEvent::Finish(FinishReason::Stop));
        Ok(())
    }

    /// The output items of a whole reply, as the events a stream would give.
    fn items(&mut self, items: Vec<Item>, out: &mut Vec<ProviderEvent>) {
        for (position, item) in items.into_iter().enumerate() {
            match item.kind.as_str() {
                "reasoning" => out.extend(
                    item.summary
                        .into_iter()
                        .filter(|p| !p.text.is_empty())
                        .map(|p| ProviderEvent::ReasoningDelta(p.text)),
                ),
                "message" => {
                    for part in item.content {
                        match part.kind.as_str() {
                            "output_text" => out.push(ProviderEvent::TextDelta(part.text)),
                            "refusal" => {
                                self.refusal.push_str(&part.refusal);
                                out.push(ProviderEvent::TextDelta(part.refusal));
                            }
                            _ => {}
                        }
                    }
                }
                "function_call" => {
                    let index = self.tool_call(u32::try_from(position).unwrap_or(u32::MAX));
                    out.push(ProviderEvent::ToolCallDelta {
                        index,
                        id: item.call_id,
                        name: item.name,
                        arguments: item.arguments.unwrap_or_default(),
                        signature: None,
                    });
                }
                _ => {}
            }
        }
    }
}

impl stream::Decoder for Decoder {
    fn event(
        &mut self,
        _name: &str,
        data: &str,
        out: &mut Vec<ProviderEvent>,
    ) -> Result<Flow, ProviderError> {
        let event: Event = serde_json::from_str(data)
            .map_err(|e| ProviderError::Protocol(format!("an event is not valid JSON: {e}")))?;
        match event.kind.as_str() {
            "response.created" => {
                if let Some(r) = &event.response {
                    self.request_id(r, out);
                }
            }
            "response.output_text.delta" if !event.delta.is_empty() => {
                out.push(ProviderEvent::TextDelta(event.delta));
            }
            "response.refusal.delta" if !event.delta.is_empty() => {
                self.refusal.push_str(&event.delta);
                out.push(ProviderEvent::TextDelta(event.delta));
            }
            "response.reasoning_summary_text.delta" if !event.delta.is_empty() => {
                out.push(ProviderEvent::ReasoningDelta(event.delta));
            }
            "response.output_item.added" => match (event.item, event.output_index) {
                (Some(item), Some(at)) if item.kind == "function_call" => {
                    let index = self.tool_call(at);
                    let arguments = item.arguments.unwrap_or_default();
                    self.streamed_arguments.insert(at, !arguments.is_empty());
                    out.push(ProviderEvent::ToolCallDelta {
                        index,
                        id: item.call_id,
                        name: item.name,
                        arguments,
                        signature: None,
                    });
                }
                _ => {}
            },
            "response.function_call_arguments.delta" => {
                if let Some(at) = event.output_index {
                    let index = self.tool_call(at);
                    self.streamed_arguments.insert(at, true);
                    out.push(ProviderEvent::ToolCallDelta {
                        index,
                        id: None,
                        name: None,
                        arguments: event.delta,
                        signature: None,
                    });
                }
            }
            "response.function_call_arguments.done" => {
                // Servers that skip the deltas still send the whole text here.
                if let (Some(at), Some(arguments)) = (event.output_index, event.arguments) {
                    if !self.streamed_arguments.get(&at).copied().unwrap_or(false) {
                        let index = self.tool_call(at);
                        self.streamed_arguments.insert(at, true);
                        out.push(ProviderEvent::ToolCallDelta {
                            index,
                            id: None,
                            name: None,
                            arguments,
                            signature: None,
                        });
                    }
                }
            }
            "response.completed" | "response.incomplete" | "response.failed" => {
                let mut response = event.response.unwrap_or_default();
                if response.status.is_none() {
                    response.status = Some(event.kind.trim_start_matches("response.").to_owned());
                }
                self.end_with(response, out)?;
                return Ok(Flow::Done);
            }
            "error" => {
                let code = event.code.and_then(|c| c.as_str().map(str::to_owned));
                return Err(ApiError {
                    message: event.message.unwrap_or_default(),
                    kind: None,
                    code: code.map(Value::String),
                }
                .into_error());
            }
            _ => {}
        }
        Ok(Flow::Continue)
    }

    fn end(&mut self, _out: &mut Vec<ProviderEvent>) -> Result<(), ProviderError> {
        Err(ProviderError::Incomplete(
            "the stream ended before the response was completed".into(),
        ))
    }

    fn whole(&mut self, body: &str, out: &mut Vec<ProviderEvent>) -> Result<(), ProviderError> {
        let mut response: Response = serde_json::from_str(body)
            .map_err(|e| ProviderError::Protocol(format!("the reply is not valid JSON: {e}")))?;
        self.request_id(&response, out);
        self.items(std::mem::take(&mut response.output), out);
        self.end_with(response, out)
    }

    fn request_id_sent(&mut self) {
        self.request_id_sent = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::ToolCall;
    use crate::providers::stream::Decoder as _;

    #[test]
    fn body_is_flat_and_stores_nothing() {
        let mut req = ProviderRequest::new("gpt-5.2", vec![Message::new(Role::User, "hi")], 100);
        req.response_format = Some(ResponseFormat::JsonSchema {
            name: "answer".into(),
            schema: json!({"type": "object"}),
            strict: true,
        });
        req.reasoning_effort = Some("low".into());
        req.verbosity = Some("high".into());
        let b = body(&req);
        assert_eq!(b["store"], false);
        assert_eq!(b["max_output_tokens"], 100);
        assert_eq!(b["text"]["format"]["name"], "answer");
        assert_eq!(b["text"]["verbosity"], "high");
        assert_eq!(b["reasoning"]["effort"], "low");
        assert_eq!(b["input"][0], json!({"role": "user", "content": "hi"}));
    }

    #[test]
    fn tool_turns_become_items() {
        let call = ToolCall {
            id: "call_9".into(),
            name: "f".into(),
            arguments: r#"{"a":1}"#.into(),
            signature: None,
        };
        let mut a = Message::new(Role::Assistant, "");
        a.tool_calls.push(call.clone());
        let b = body(&ProviderRequest::new(
            "m",
            vec![a, Message::tool_output(&call, "ok")],
            5,
        ));
        assert_eq!(b["input"][0]["type"], "function_call");
        assert_eq!(b["input"][0]["call_id"], "call_9");
        assert_eq!(b["input"][1]["type"], "function_call_output");
        assert_eq!(b["input"][1]["output"], "ok");
    }

    #[test]
    fn output_indexes_become_dense_tool_indexes() {
        let mut d = Decoder::default();
        let mut out = Vec::new();
        d.event("x", r#"{"type":"response.output_item.added","output_index":1,"item":{"type":"function_call","call_id":"c","name":"f","arguments":""}}"#, &mut out).unwrap();
        d.event(
            "x",
            r#"{"type":"response.function_call_arguments.delta","output_index":1,"delta":"{}"}"#,
            &mut out,
        )
        .unwrap();
        d.event(
            "x",
            r#"{"type":"response.function_call_arguments.done","output_index":1,"arguments":"{}"}"#,
            &mut out,
        )
        .unwrap();
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(matches!(
            out[1],
            ProviderEvent::ToolCallDelta { index: 0, .. }
        ));
    }
}
