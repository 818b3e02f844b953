//! The chat data model shared by the browser, the REST API and the providers.
//!
//! These types are the contract of one chat turn: what a client asks for
//! ([`ChatRequest`]) and the events it receives while the reply is produced
//! ([`ChatEvent`]). They are serde-only so that they compile to wasm as well.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::outcome::Validation;
use crate::outcome::{FinishReason, PromptRef, RunMetrics, RunStatus, Usage};

#[cfg(feature = "openapi")]
mod document;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    /// The lowercase name used by chat templates and provider APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// One message of a conversation.
///
/// Besides text, an assistant message may carry the tool calls the model
/// made, and a user message may carry the answer to one of them
/// ([`ToolResult`], with the tool's output as `content`): Gemini models tool
/// answers as user turns too, and keeping the role set at three means every
/// client that only shows text needs no change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Message {
    pub role: Role,
    pub content: String,
    /// The tool calls of an assistant turn, to be sent back on the next turn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// Set when this (user) message is a tool's answer; `content` is the output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_result: Option<ToolResult>,
}

impl Message {
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        Self {
            role,
            content: content.into(),
            tool_calls: Vec::new(),
            tool_result: None,
        }
    }

    /// A user message answering the tool call `call` with `output`.
    pub fn tool_output(call: &ToolCall, output: impl Into<String>) -> Self {
        Self {
            tool_result: Some(ToolResult {
                call_id: call.id.clone(),
                name: call.name.clone(),
            }),
            ..Self::new(Role::User, output)
        }
    }
}

/// A tool call the model made, as assembled from the provider's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ToolCall {
    /// The provider's id for the call; empty when the provider gives none
    /// (Gemini 2.5 matches answers by name).
    #[serde(default)]
    pub id: String,
    pub name: String,
    /// The arguments as JSON text, exactly as the model wrote them.
    pub arguments: String,
    /// Opaque provider state that must travel back with the call (Gemini's
    /// `thoughtSignature`; Gemini 3 rejects a function-call turn without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// Which tool call a user message answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ToolResult {
    pub call_id: String,
    /// The function's name: Gemini matches answers by name.
    pub name: String,
}

/// A function the model may call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ToolSpec {
    /// `[A-Za-z0-9_-]`, at most 64 characters (the common limit).
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// JSON Schema of the arguments object.
    #[serde(default = "empty_object_schema")]
    pub parameters: serde_json::Value,
}

fn empty_object_schema() -> serde_json::Value {
    serde_json::json!({ "type": "object", "properties": {} })
}

/// The shape the reply must take. Absent means free text. (Its API schema
/// is written in `document`: a derived one leaves each variant open to
/// fields the reader refuses.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[serde(deny_unknown_fields)]
pub enum ResponseFormat {
    /// Any valid JSON object (the prompt must ask for JSON).
    JsonObject,
    /// JSON that follows `schema`. `strict` asks the provider to enforce it,
    /// which limits the schema to the provider's supported subset.
    JsonSchema {
        /// `[A-Za-z0-9_-]`, at most 64 characters.
        name: String,
        schema: serde_json::Value,
        #[serde(default)]
        strict: bool,
    },
}

/// Sampling and length controls. `None` means "the model's default" from the
/// catalog, never a silent guess by a provider.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct GenerationParams {
    pub temperature: Option<f32>,
    pub top_p: Option<f32>,
    #[serde(deserialize_with = "crate::strict::whole_opt")]
    pub max_tokens: Option<u32>,
    /// At most [`MAX_SEED`]: providers take a signed 64-bit seed.
    #[serde(deserialize_with = "crate::strict::whole_opt")]
    // An integer bound, so the document states it exactly (a float one
    // rounds to 2^63 and reads as exclusive of i64::MAX).
    #[cfg_attr(feature = "openapi", schema(maximum = 9_223_372_036_854_775_807_u64))]
    pub seed: Option<u64>,
    pub stop: Vec<String>,
    pub repeat_penalty: Option<f32>,
    /// How hard a reasoning model thinks: one of the model's
    /// `params.reasoning_effort.values` from the catalog.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<String>,
    /// How long the answer is (OpenAI GPT-5 family): one of the model's
    /// `params.verbosity.values`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verbosity: Option<String>,
    /// Free text when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<ResponseFormat>,
    /// Functions the model may call.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolSpec>,
}

/// The largest seed: providers read it as a signed 64-bit integer. It is
/// checked where a request or a saved prompt comes in, not when a value is
/// read, so a run stored with a larger seed still reads back.
pub const MAX_SEED: u64 = i64::MAX.unsigned_abs();

/// A request for one chat turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    /// A model id from the catalog (`GET /api/v1/models`).
    pub model: String,
    /// The conversation so far, ending with the user's new message.
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub messages: Vec<Message>,
    #[serde(default)]
    pub params: GenerationParams,
    /// Groups the runs of one playground session.
    #[serde(default)]
    pub session_id: Option<String>,
    /// Stores the turn in this conversation (made by the client; created on
    /// its first turn). The request is the truth: the stored messages become
    /// `messages` plus the reply, so an edit or a regenerate replaces what
    /// followed the changed message.
    #[serde(default)]
    pub conversation_id: Option<Uuid>,
    /// The saved prompt version this turn was made from, if any.
    #[serde(default)]
    pub prompt: Option<PromptRef>,
}

/// What a client receives while a turn runs: `started`, then deltas
/// (`delta`, `reasoning`), `progress` figures and, at the end, the
/// `tool_call`s, then exactly one `done`. Serialized with a `type` tag, one
/// JSON object per event (SSE `data:` lines on the REST API, NDJSON lines to
/// the browser).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatEvent {
    Started {
        run_id: Uuid,
        model: String,
        /// The OpenTelemetry trace id (32 hex digits) of the run's span,
        /// when the server exports traces.
        trace_id: Option<String>,
    },
    /// A piece of the reply.
    Delta { text: String },
    /// A piece of the model's visible reasoning (thought summaries); not
    /// part of the reply.
    Reasoning { text: String },
    /// A complete tool call, sent when the provider finishes.
    ToolCall { call: ToolCall },
    /// Live figures while the reply streams: at most about five a second,
    /// and one right after the first token. `usage` is the provider's
    /// latest report or, before it reports output tokens, the deltas
    /// counted so far; `metrics` are measured up to now.
    Progress { usage: Usage, metrics: RunMetrics },
    Done {
        run_id: Uuid,
        status: RunStatus,
        finish_reason: FinishReason,
        usage: Usage,
        metrics: RunMetrics,
        /// The provider's or the engine's message when `status` is `failed`.
        error: Option<String>,
        trace_id: Option<String>,
        /// Whether the reply kept to the JSON response format; `None`
        /// without one, or when the run did not end `ok`.
        validation: Option<Validation>,
        /// False when the run could not be written to the history after
        /// every retry: the reply above is whole, but the run is missing
        /// from the runs page (the server logged it in full instead).
        #[serde(default = "yes")]
        stored: bool,
    },
}

fn yes() -> bool {
    true
}

/// A whole turn, answered at once (`POST /api/v1/chat` without `stream`,
/// the `chat_complete` server function): the events of [`ChatEvent`]
/// folded together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatReply {
    pub run_id: Uuid,
    /// The reply's text.
    pub text: String,
    /// The model's visible reasoning, empty when it showed none.
    pub reasoning: String,
    pub tool_calls: Vec<ToolCall>,
    pub status: RunStatus,
    pub finish_reason: FinishReason,
    pub usage: Usage,
    pub metrics: RunMetrics,
    pub error: Option<String>,
    pub trace_id: Option<String>,
    pub validation: Option<Validation>,
    /// See [`ChatEvent::Done`]'s `stored`.
    #[serde(default = "yes")]
    pub stored: bool,
}

impl ChatReply {
    /// A reply to be assembled with [`ChatReply::apply`]. Until its `done`
    /// event arrives it reads as failed, so a stream that breaks off is
    /// never mistaken for a finished turn.
    pub fn new(run_id: Uuid) -> Self {
        Self {
            run_id,
            text: String::new(),
            reasoning: String::new(),
            tool_calls: Vec::new(),
            status: RunStatus::Failed,
            finish_reason: FinishReason::Error,
            usage: Usage::default(),
            metrics: RunMetrics::default(),
            error: Some("the run ended without a result".into()),
            trace_id: None,
            validation: None,
            stored: false,
        }
    }

    /// Adds one event of the turn.
    pub fn apply(&mut self, event: ChatEvent) {
        match event {
            ChatEvent::Started { trace_id, .. } => self.trace_id = trace_id,
            ChatEvent::Delta { text } => self.text.push_str(&text),
            ChatEvent::Reasoning { text } => self.reasoning.push_str(&text),
            ChatEvent::ToolCall { call } => self.tool_calls.push(call),
            ChatEvent::Progress { usage, metrics } => {
                self.usage = usage;
                self.metrics = metrics;
            }
            ChatEvent::Done {
                run_id,
                status,
                finish_reason,
                usage,
                metrics,
                error,
                trace_id,
                validation,
                stored,
            } => {
                self.stored = stored;
                self.run_id = run_id;
                self.status = status;
                self.finish_reason = finish_reason;
                self.usage = usage;
                self.metrics = metrics;
                self.error = error;
                self.trace_id = trace_id.or(self.trace_id.take());
                self.validation = validation;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_is_the_events_folded() {
        let run_id = Uuid::nil();
        let mut reply = ChatReply::new(run_id);
        assert_eq!(reply.status, RunStatus::Failed);
        let call = ToolCall {
            id: "c1".into(),
            name: "f".into(),
            arguments: "{}".into(),
            signature: None,
        };
        let events = [
            ChatEvent::Started {
                run_id,
                model: "m".into(),
                trace_id: Some("ab".repeat(16)),
            },
            ChatEvent::Reasoning { text: "hm".into() },
            ChatEvent::Delta { text: "He".into() },
            ChatEvent::Delta { text: "llo".into() },
            ChatEvent::ToolCall { call: call.clone() },
            ChatEvent::Done {
                run_id,
                status: RunStatus::Ok,
                finish_reason: FinishReason::Stop,
                usage: Usage {
                    output_tokens: 2,
                    ..Usage::default()
                },
                metrics: RunMetrics::default(),
                error: None,
                trace_id: None,
                validation: None,
                stored: true,
            },
        ];
        for e in events {
            reply.apply(e);
        }
        assert_eq!(
            (reply.text.as_str(), reply.reasoning.as_str()),
            ("Hello", "hm")
        );
        assert_eq!(reply.tool_calls, vec![call]);
        assert_eq!((reply.status, reply.error.clone()), (RunStatus::Ok, None));
        assert_eq!(reply.usage.output_tokens, 2);
        assert_eq!(reply.trace_id, Some("ab".repeat(16)));
        assert!(reply.stored);
    }

    #[test]
    fn events_keep_their_wire_names() {
        let e = serde_json::to_value(ChatEvent::Reasoning { text: "x".into() }).unwrap();
        assert_eq!(e, serde_json::json!({"type": "reasoning", "text": "x"}));
        let e = serde_json::to_value(ChatEvent::Progress {
            usage: Usage::default(),
            metrics: RunMetrics::default(),
        })
        .unwrap();
        assert_eq!(e["type"], "progress");
        assert_eq!(e["metrics"]["ttft_ms"], serde_json::Value::Null);
    }
}
