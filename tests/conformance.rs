//! One conformance suite for every remote provider adapter.
//!
//! Each case is written once (in `cases`) against a [`Spec`] and stamped
//! over every adapter by `conformance!`, one `#[tokio::test]` per case and
//! provider. The providers' replies are recorded wire traffic, written from
//! each provider's documented format, in `tests/fixtures/<provider>/`; a
//! local server replays them and records what the adapter sent, which the
//! cases compare with `<case>.request.json` where one exists.
//!
//! The `live_*` cases call the real APIs when their key is in the
//! environment (OPENAI_API_KEY, GEMINI_API_KEY; PEP_LIVE_VLLM_BASE_URL and
//! PEP_LIVE_VLLM_MODEL for a vLLM server) and print why they are skipped
//! otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod replay;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use pep::catalog::{
    EndpointConfig, OpenAiApi, OpenAiEndpoint, RemoteEndpoint, RetrySettings, Timeouts,
};
use pep::chat::{Message, ResponseFormat, Role, ToolCall, ToolSpec};
use pep::outcome::{FinishReason, Usage};
use pep::providers::{
    merge_tool_call_delta, Provider, ProviderError, ProviderEvent, ProviderRequest, ProviderStream,
};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

use replay::{Recorded, Replay};

/// What differs between adapters: how to reach them and what their wire
/// format can express.
struct Spec {
    /// The fixtures folder.
    name: &'static str,
    /// The endpoint for a replay server at `url` with this read timeout.
    endpoint: fn(url: &str, read_ms: u64) -> EndpointConfig,
    /// The path requests go to when streaming, and when not.
    stream_path: &'static str,
    whole_path: &'static str,
    /// The header that carries the key, and its expected value.
    auth: (&'static str, &'static str),
    /// Whether the wire format shows reasoning text.
    reasoning_text: bool,
    /// Whether tool-call arguments can arrive in fragments.
    split_arguments: bool,
    /// Whether tool calls carry ids.
    tool_ids: bool,
    /// Whether the provider has a content filter / refusals.
    content_filter: bool,
    refusals: bool,
    quota_errors: bool,
    /// Whether usage counts reasoning tokens (vLLM does not).
    reasoning_tokens: bool,
    /// The request ids of the `plain_text` and `streaming` fixtures.
    request_ids: (&'static str, &'static str),
    live: Live,
}

/// How to reach the real service.
struct Live {
    /// Environment variables that must be set.
    needs: &'static [&'static str],
    endpoint: fn() -> EndpointConfig,
    model: fn() -> String,
    reasoning_effort: Option<&'static str>,
}

const TEST_KEY: &str = "test-key";

fn remote(base_url: String, read_ms: u64) -> RemoteEndpoint {
    RemoteEndpoint {
        base_url: Some(base_url),
        base_url_env: None,
        api_key_env: None,
        headers: BTreeMap::from([("x-pep-test".to_owned(), "yes".to_owned())]),
        timeouts: Timeouts {
            connect_ms: 1_000,
            read_ms,
        },
        retry: RetrySettings {
            max_retries: 2,
            base_delay_ms: 10,
            max_delay_ms: 1_000,
        },
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

const OPENAI_CHAT: Spec = Spec {
    name: "openai_chat",
    endpoint: |url, read_ms| {
        EndpointConfig::OpenAi(OpenAiEndpoint {
            api: OpenAiApi::ChatCompletions,
            remote: remote(format!("{url}/v1"), read_ms),
        })
    },
    stream_path: "/v1/chat/completions",
    whole_path: "/v1/chat/completions",
    auth: ("authorization", "Bearer test-key"),
    reasoning_text: false,
    split_arguments: true,
    tool_ids: true,
    content_filter: true,
    refusals: true,
    quota_errors: true,
    reasoning_tokens: true,
    request_ids: ("req_plain_1", "req_stream_1"),
    live: Live {
        needs: &["OPENAI_API_KEY"],
        endpoint: || EndpointConfig::OpenAi(OpenAiEndpoint::default()),
        model: || "gpt-4o-mini".into(),
        reasoning_effort: None,
    },
};

const OPENAI_RESPONSES: Spec = Spec {
    name: "openai_responses",
    endpoint: |url, read_ms| {
        EndpointConfig::OpenAi(OpenAiEndpoint {
            api: OpenAiApi::Responses,
            remote: remote(format!("{url}/v1"), read_ms),
        })
    },
    stream_path: "/v1/responses",
    whole_path: "/v1/responses",
    auth: ("authorization", "Bearer test-key"),
    // Reasoning summaries need `reasoning.summary`, which PEP does not ask
    // for (OpenAI refuses it to unverified organisations).
    reasoning_text: false,
    split_arguments: true,
    tool_ids: true,
    content_filter: true,
    refusals: true,
    quota_errors: true,
    reasoning_tokens: true,
    request_ids: ("req_plain_1", "req_stream_1"),
    live: Live {
        needs: &["OPENAI_API_KEY"],
        endpoint: || {
            EndpointConfig::OpenAi(OpenAiEndpoint {
                api: OpenAiApi::Responses,
                ..OpenAiEndpoint::default()
            })
        },
        model: || "gpt-5-nano".into(),
        reasoning_effort: Some("minimal"),
    },
};

const GEMINI: Spec = Spec {
    name: "gemini",
    endpoint: |url, read_ms| EndpointConfig::Gemini(remote(url.to_owned(), read_ms)),
    stream_path: "/v1beta/models/test-model:streamGenerateContent?alt=sse",
    whole_path: "/v1beta/models/test-model:generateContent",
    auth: ("x-goog-api-key", "test-key"),
    reasoning_text: true,
    split_arguments: false,
    tool_ids: false,
    content_filter: true,
    refusals: false,
    quota_errors: false,
    reasoning_tokens: true,
    request_ids: ("Xq2zaOrPLpGmz7IP8rS1qA0", "Yq2zaNbTNs-Fz7IPk_6x0Qk"),
    live: Live {
        needs: &["GEMINI_API_KEY"],
        endpoint: || EndpointConfig::Gemini(RemoteEndpoint::default()),
        model: || "gemini-2.5-flash-lite".into(),
        reasoning_effort: None,
    },
};

const VLLM: Spec = Spec {
    name: "vllm",
    endpoint: |url, read_ms| {
        EndpointConfig::OpenaiCompatible(RemoteEndpoint {
            api_key_env: Some("VLLM_API_KEY".into()),
            ..remote(format!("{url}/v1"), read_ms)
        })
    },
    stream_path: "/v1/chat/completions",
    whole_path: "/v1/chat/completions",
    auth: ("authorization", "Bearer test-key"),
    reasoning_text: true,
    split_arguments: true,
    tool_ids: true,
    content_filter: false,
    refusals: false,
    quota_errors: false,
    reasoning_tokens: false,
    request_ids: ("chatcmpl-7c1e6e7f0a4b4c2b", "chatcmpl-5d2f9a3be8f04a1c"),
    live: Live {
        needs: &["PEP_LIVE_VLLM_BASE_URL", "PEP_LIVE_VLLM_MODEL"],
        endpoint: || {
            EndpointConfig::OpenaiCompatible(RemoteEndpoint {
                base_url_env: Some("PEP_LIVE_VLLM_BASE_URL".into()),
                api_key_env: env_var("PEP_LIVE_VLLM_API_KEY")
                    .map(|_| "PEP_LIVE_VLLM_API_KEY".to_owned()),
                ..RemoteEndpoint::default()
            })
        },
        model: || env_var("PEP_LIVE_VLLM_MODEL").unwrap_or_default(),
        reasoning_effort: None,
    },
};

/// Everything a provider reported for one turn, assembled.
#[derive(Debug, Default)]
struct Turn {
    text: String,
    text_deltas: usize,
    reasoning: String,
    /// By index.
    tool_calls: BTreeMap<u32, ToolCall>,
    tool_deltas: usize,
    request_id: Option<String>,
    usage: Option<Usage>,
    finish: Option<FinishReason>,
    error: Option<ProviderError>,
    /// Events after a `Finish` or an error (there must be none).
    after_end: usize,
}

impl Turn {
    fn add(&mut self, item: Result<ProviderEvent, ProviderError>) {
        if self.finish.is_some() || self.error.is_some() {
            self.after_end += 1;
        }
        match item {
            Ok(ProviderEvent::TextDelta(t)) => {
                self.text.push_str(&t);
                self.text_deltas += 1;
            }
            Ok(ProviderEvent::ReasoningDelta(t)) => self.reasoning.push_str(&t),
            Ok(ProviderEvent::ToolCallDelta {
                index,
                id,
                name,
                arguments,
                signature,
            }) => {
                self.tool_deltas += 1;
                merge_tool_call_delta(&mut self.tool_calls, index, id, name, &arguments, signature);
            }
            Ok(ProviderEvent::RequestId(id)) => {
                assert!(self.request_id.is_none(), "a second request id: {id}");
                assert!(
                    self.text_deltas == 0 && self.tool_deltas == 0,
                    "the request id must come before any output"
                );
                self.request_id = Some(id);
            }
            Ok(ProviderEvent::Usage(u)) => self.usage = Some(u),
            Ok(ProviderEvent::Finish(f)) => self.finish = Some(f),
            Err(e) => self.error = Some(e),
        }
    }

    fn args(&self, index: u32) -> Value {
        let call = self.tool_calls.get(&index).expect("tool call");
        serde_json::from_str(&call.arguments)
            .unwrap_or_else(|e| panic!("arguments {:?}: {e}", call.arguments))
    }

    fn json_reply(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("reply {:?}: {e}", self.text))
    }

    #[track_caller]
    fn assert_ok(&self, finish: FinishReason) {
        assert_eq!(self.error, None, "{self:#?}");
        assert_eq!(self.finish, Some(finish), "{self:#?}");
        assert_eq!(self.after_end, 0, "events after the end: {self:#?}");
    }
}

/// Reads a stream to its end (at most 10 s).
async fn collect(stream: ProviderStream) -> Turn {
    let mut turn = Turn::default();
    let all = stream.for_each(|item| {
        turn.add(item);
        futures::future::ready(())
    });
    tokio::time::timeout(Duration::from_secs(10), all)
        .await
        .expect("the stream ended within 10 s");
    turn
}

/// A provider aimed at a replay of `fixtures` (in order, the last repeating).
struct Bench {
    replay: Replay,
    provider: Arc<dyn Provider>,
}

impl Spec {
    fn dir(&self) -> PathBuf {
        replay::fixtures().join(self.name)
    }

    fn recorded(&self, fixture: &str) -> Recorded {
        replay::load(&self.dir().join(format!("{fixture}.http")))
    }

    async fn bench(&self, fixtures: &[&str]) -> Bench {
        self.bench_with_read(fixtures, 2_000).await
    }

    async fn bench_with_read(&self, fixtures: &[&str], read_ms: u64) -> Bench {
        let replay = Replay::start(fixtures.iter().map(|f| self.recorded(f)).collect()).await;
        let endpoint = (self.endpoint)(&replay.url, read_ms);
        let env = |name: &str| {
            matches!(name, "OPENAI_API_KEY" | "GEMINI_API_KEY" | "VLLM_API_KEY")
                .then(|| TEST_KEY.to_owned())
        };
        let provider = pep::providers::build(&endpoint, &env).expect("provider");
        Bench { replay, provider }
    }

    /// Runs `request` against `fixtures` and returns the turn.
    async fn run(&self, fixtures: &[&str], request: ProviderRequest) -> (Turn, Bench) {
        let bench = self.bench(fixtures).await;
        let turn = collect(bench.provider.stream(request, CancellationToken::new())).await;
        (turn, bench)
    }

    /// Checks the last request against `<case>.request.json`: `path`,
    /// `headers` and `body` there must match (objects as subsets; the value
    /// `"<absent>"` means the key must not be sent).
    fn check_request(&self, bench: &Bench, case: &str) {
        let seen = bench.replay.requests();
        let last = seen.last().expect("a request was made");
        assert_eq!(last.method, "POST");
        let (header, value) = self.auth;
        assert_eq!(
            last.headers.get(header).and_then(|v| v.to_str().ok()),
            Some(value),
            "the key header"
        );
        assert_eq!(
            last.headers.get("x-pep-test").and_then(|v| v.to_str().ok()),
            Some("yes"),
            "the endpoint's extra header"
        );
        let path = self.dir().join(format!("{case}.request.json"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            return;
        };
        let expected: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Some(p) = expected.get("path") {
            assert_eq!(Some(last.path.as_str()), p.as_str(), "request path");
        }
        if let Some(body) = expected.get("body") {
            assert_subset(body, &last.body, "body");
        }
    }

    fn skip(&self, why: &str) {
        println!("skipped: {} {why}", self.name);
    }
}

#[track_caller]
fn assert_subset(expected: &Value, actual: &Value, at: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                let here = format!("{at}.{key}");
                match (value, a.get(key)) {
                    (Value::String(s), None) if s == "<absent>" => {}
                    (Value::String(s), Some(v)) if s == "<absent>" => {
                        panic!("{here} must not be sent, got {v}")
                    }
                    (_, None) => panic!("{here} is missing in {actual}"),
                    (value, Some(v)) => assert_subset(value, v, &here),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(e.len(), a.len(), "{at}: {actual}");
            for (i, (e, a)) in e.iter().zip(a).enumerate() {
                assert_subset(e, a, &format!("{at}[{i}]"));
            }
        }
        (e, a) => assert_eq!(e, a, "{at}"),
    }
}

/// The request most cases send: a system and a user message, every
/// sampling control set.
fn request(text: &str) -> ProviderRequest {
    let mut r = ProviderRequest::new(
        "test-model",
        vec![
            Message::new(Role::System, "You are terse."),
            Message::new(Role::User, text),
        ],
        64,
    );
    r.controls.temperature = true;
    r.controls.top_p = true;
    r.temperature = 0.2;
    r.top_p = 0.9;
    r
}

fn weather_tool() -> ToolSpec {
    ToolSpec {
        name: "get_weather".into(),
        description: "Current weather in a city".into(),
        parameters: json!({
            "type": "object",
            "properties": {
                "city": { "type": "string" },
                "unit": { "type": "string", "enum": ["celsius", "fahrenheit"] }
            },
            "required": ["city"],
            "additionalProperties": false
        }),
    }
}

fn time_tool() -> ToolSpec {
    ToolSpec {
        name: "get_time".into(),
        description: "Current time in a timezone".into(),
        parameters: json!({
            "type": "object",
            "properties": { "timezone": { "type": "string" } },
            "required": ["timezone"],
            "additionalProperties": false
        }),
    }
}

fn weather_schema() -> ResponseFormat {
    ResponseFormat::JsonSchema {
        name: "weather".into(),
        schema: json!({
            "type": "object",
            "properties": {
                "city": { "type": "string" },
                "temperature_c": { "type": "number" }
            },
            "required": ["city", "temperature_c"],
            "additionalProperties": false
        }),
        strict: true,
    }
}

/// The text of the `streaming` fixtures.
const STREAMED: &str = "Hello, wörld! 🙂 How are you?";

mod cases {
    use super::*;

    pub async fn plain_text(s: &Spec) {
        let mut req = request("Say hello.");
        req.stream = false;
        req.seed = Some(7);
        req.stop = vec!["END".into()];
        let (turn, bench) = s.run(&["plain_text"], req).await;
        turn.assert_ok(FinishReason::Stop);
        assert_eq!(turn.text, "Hello! How can I help you today?");
        assert_eq!(turn.request_id.as_deref(), Some(s.request_ids.0));
        let usage = turn.usage.expect("usage");
        assert_eq!((usage.input_tokens, usage.output_tokens), (12, 9));
        s.check_request(&bench, "plain_text");
        assert_eq!(bench.replay.requests()[0].path, s.whole_path);
    }

    pub async fn streaming(s: &Spec) {
        let (turn, bench) = s.run(&["streaming"], request("Greet me.")).await;
        turn.assert_ok(FinishReason::Stop);
        assert_eq!(turn.text, STREAMED);
        assert!(turn.text_deltas >= 3, "{} deltas", turn.text_deltas);
        assert_eq!(turn.request_id.as_deref(), Some(s.request_ids.1));
        s.check_request(&bench, "streaming");
        assert_eq!(bench.replay.requests()[0].path, s.stream_path);
    }

    pub async fn usage(s: &Spec) {
        let (turn, _) = s.run(&["usage"], request("Count.")).await;
        turn.assert_ok(FinishReason::Stop);
        assert_eq!(turn.text, "Counted.");
        assert_eq!(
            turn.usage,
            Some(Usage {
                input_tokens: 2048,
                output_tokens: 300,
                reasoning_tokens: if s.reasoning_tokens { 128 } else { 0 },
                cached_tokens: 1024,
            })
        );
    }

    pub async fn reasoning(s: &Spec) {
        let mut req = request("What is the capital of France?");
        req.controls = Default::default();
        req.reasoning_effort = Some("low".into());
        req.thinking_budget = Some(1024);
        req.verbosity = (s.name.starts_with("openai")).then(|| "low".to_owned());
        let (turn, bench) = s.run(&["reasoning"], req).await;
        turn.assert_ok(FinishReason::Stop);
        assert_eq!(turn.text, "Paris.");
        let expected = if s.reasoning_tokens { 256 } else { 0 };
        assert_eq!(turn.usage.map(|u| u.reasoning_tokens), Some(expected));
        if s.reasoning_text {
            assert_eq!(
                turn.reasoning,
                "The user asks for a capital. France's is Paris."
            );
        } else {
            assert_eq!(turn.reasoning, "");
        }
        s.check_request(&bench, "reasoning");
    }

    pub async fn tool_call(s: &Spec) {
        let mut req = request("Weather in Paris?");
        req.tools = vec![weather_tool()];
        let (turn, bench) = s.run(&["tool_call"], req).await;
        turn.assert_ok(FinishReason::Stop);
        assert_eq!(turn.tool_calls.len(), 1, "{turn:#?}");
        let call = &turn.tool_calls[&0];
        assert_eq!(call.name, "get_weather");
        assert_eq!(turn.args(0), json!({ "city": "Paris" }));
        if s.tool_ids {
            assert_eq!(call.id, "call_weather_1");
        }
        s.check_request(&bench, "tool_call");
    }

    pub async fn parallel_tool_calls(s: &Spec) {
        let mut req = request("Weather in Paris and time in Tokyo?");
        req.tools = vec![weather_tool(), time_tool()];
        let (turn, _) = s.run(&["parallel_tool_calls"], req).await;
        turn.assert_ok(FinishReason::Stop);
        assert_eq!(turn.tool_calls.len(), 2, "{turn:#?}");
        assert_eq!(turn.tool_calls[&0].name, "get_weather");
        assert_eq!(turn.args(0), json!({ "city": "Paris" }));
        assert_eq!(turn.tool_calls[&1].name, "get_time");
        assert_eq!(turn.args(1), json!({ "timezone": "Asia/Tokyo" }));
        if s.tool_ids {
            assert_eq!(turn.tool_calls[&0].id, "call_weather_1");
            assert_eq!(turn.tool_calls[&1].id, "call_time_2");
        }
    }

    pub async fn tool_arguments_split(s: &Spec) {
        if !s.split_arguments {
            return s.skip("sends each function call whole; nothing to reassemble");
        }
        let mut req = request("Weather in Paris, in celsius?");
        req.tools = vec![weather_tool()];
        let (turn, _) = s.run(&["tool_arguments_split"], req).await;
        turn.assert_ok(FinishReason::Stop);
        assert!(turn.tool_deltas >= 4, "{} deltas", turn.tool_deltas);
        assert_eq!(turn.args(0), json!({ "city": "Paris", "unit": "celsius" }));
    }

    pub async fn tool_round_trip(s: &Spec) {
        let call = ToolCall {
            id: if s.tool_ids {
                "call_weather_1".into()
            } else {
                String::new()
            },
            name: "get_weather".into(),
            arguments: r#"{"city":"Paris"}"#.into(),
            signature: (!s.tool_ids).then(|| "c2lnbmF0dXJl".to_owned()),
        };
        let mut req = request("Weather in Paris?");
        req.tools = vec![weather_tool()];
        req.messages.push(Message {
            tool_calls: vec![call.clone()],
            ..Message::new(Role::Assistant, "")
        });
        req.messages.push(Message::tool_output(
            &call,
            r#"{"temperature_c":18,"sky":"clear"}"#,
        ));
        let (turn, bench) = s.run(&["tool_round_trip"], req).await;
        turn.assert_ok(FinishReason::Stop);
        assert_eq!(turn.text, "It is 18 °C and clear in Paris.");
        s.check_request(&bench, "tool_round_trip");
    }

    pub async fn tool_signature(s: &Spec) {
        if s.tool_ids {
            return s.skip("has no thought signatures");
        }
        let mut req = request("Weather in Paris?");
        req.tools = vec![weather_tool()];
        let (turn, _) = s.run(&["tool_call"], req).await;
        turn.assert_ok(FinishReason::Stop);
        assert_eq!(
            turn.tool_calls[&0].signature.as_deref(),
            Some("c2lnbmF0dXJl")
        );
    }

    pub async fn json_object(s: &Spec) {
        let mut req = request("Answer in JSON: what is 6 x 7?");
        req.response_format = Some(ResponseFormat::JsonObject);
        let (turn, bench) = s.run(&["json_object"], req).await;
        turn.assert_ok(FinishReason::Stop);
        assert_eq!(turn.json_reply(), json!({ "answer": 42 }));
        s.check_request(&bench, "json_object");
    }

    pub async fn json_schema(s: &Spec) {
        let mut req = request("Weather in Paris as JSON.");
        req.response_format = Some(weather_schema());
        let (turn, bench) = s.run(&["json_schema"], req).await;
        turn.assert_ok(FinishReason::Stop);
        assert_eq!(
            turn.json_reply(),
            json!({ "city": "Paris", "temperature_c": 18 })
        );
        s.check_request(&bench, "json_schema");
    }

    pub async fn max_tokens(s: &Spec) {
        let (turn, _) = s.run(&["max_tokens"], request("Write a story.")).await;
        turn.assert_ok(FinishReason::Length);
        assert_eq!(turn.text, "Once upon a");
    }

    pub async fn refusal(s: &Spec) {
        if !s.refusals {
            return s.skip("has no refusal field");
        }
        let (turn, _) = s.run(&["refusal"], request("Something bad.")).await;
        assert_eq!(turn.text, "I'm sorry, I can't help with that.");
        assert_eq!(
            turn.error,
            Some(ProviderError::Refused(
                "I'm sorry, I can't help with that.".into()
            ))
        );
    }

    /// Runs a fixture that must fail, and returns the error and the
    /// number of requests made.
    async fn failure(s: &Spec, fixture: &str) -> (ProviderError, usize) {
        let (turn, bench) = s.run(&[fixture], request("Hi.")).await;
        assert_eq!(turn.after_end, 0, "events after the error: {turn:#?}");
        assert_eq!(turn.finish, None, "{turn:#?}");
        let error = turn.error.expect("an error");
        assert!(!error.to_string().is_empty());
        (error, bench.replay.requests().len())
    }

    pub async fn unauthorized(s: &Spec) {
        let (e, requests) = failure(s, "unauthorized").await;
        assert!(matches!(e, ProviderError::Authentication(_)), "{e:?}");
        assert_eq!(requests, 1, "authentication errors are not retried");
    }

    /// No secret survives in what the user is shown: `turn.error`'s text
    /// is what the engine reports and stores.
    #[track_caller]
    fn assert_no_secret(e: &ProviderError) {
        let text = e.to_string();
        for secret in [
            TEST_KEY,
            "sk-proj-Zx81kLmNoPqRsTuV",
            "AIzaSyDq3n8b0fKx7tYh2LmQwErTyUiOpAsDfGh",
        ] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert!(text.contains("[redacted]"), "{text}");
    }

    pub async fn unauthorized_key_is_redacted(s: &Spec) {
        let (e, requests) = failure(s, "key_echoed").await;
        assert!(matches!(e, ProviderError::Authentication(_)), "{e:?}");
        assert_no_secret(&e);
        // The rest of the provider's words are kept.
        assert!(
            e.to_string().to_lowercase().contains("not valid")
                || e.to_string().contains("Incorrect API key"),
            "{e}"
        );
        assert_eq!(requests, 1);
    }

    pub async fn error_mid_stream_is_redacted(s: &Spec) {
        let (turn, _) = s.run(&["error_mid_stream"], request("Greet me.")).await;
        assert_eq!(turn.text, "Hello");
        assert_eq!(turn.finish, None);
        let e = turn.error.expect("an error");
        assert!(e.to_string().contains("The upstream failed"), "{e}");
        assert_no_secret(&e);
    }

    /// A 200 answer of HTML (a captive portal, a wrong base URL) is named,
    /// with the start of the page, for streamed and whole requests alike.
    pub async fn html_instead_of_a_stream(s: &Spec) {
        let (turn, _) = s.run(&["captive_portal"], request("Greet me.")).await;
        assert_eq!((turn.text.as_str(), turn.finish), ("", None), "{turn:#?}");
        let Some(ProviderError::Protocol(m)) = &turn.error else {
            panic!("{turn:#?}")
        };
        assert!(
            m.starts_with(
                "the provider answered with text/html, not an event stream: is the base URL right?"
            ),
            "{m}"
        );
        assert!(m.contains("<title>Guest Wi-Fi: sign in</title>"), "{m}");
        assert!(m.chars().count() < 400, "the excerpt is short: {m}");
        assert!(!m.contains(TEST_KEY), "{m}");

        let mut req = request("Greet me.");
        req.stream = false;
        let (turn, _) = s.run(&["captive_portal"], req).await;
        let Some(ProviderError::Protocol(m)) = &turn.error else {
            panic!("{turn:#?}")
        };
        assert!(
            m.starts_with("the provider answered with text/html, not JSON: is the base URL right?"),
            "{m}"
        );
        assert!(m.contains("Guest Wi-Fi"), "{m}");
    }

    pub async fn rate_limited(s: &Spec) {
        let (e, requests) = failure(s, "rate_limited").await;
        match e {
            ProviderError::RateLimited {
                retry_after,
                message,
            } => {
                assert_eq!(retry_after, Some(Duration::from_secs(30)));
                assert!(!message.is_empty());
            }
            e => panic!("{e:?}"),
        }
        assert_eq!(requests, 1, "a wait longer than the limit goes to the user");
    }

    pub async fn quota_exceeded(s: &Spec) {
        if !s.quota_errors {
            return s.skip("has no separate quota error");
        }
        let (e, requests) = failure(s, "quota_exceeded").await;
        assert!(matches!(e, ProviderError::QuotaExceeded(_)), "{e:?}");
        assert_eq!(requests, 1, "waiting does not cure an empty account");
    }

    pub async fn bad_request(s: &Spec) {
        let (e, requests) = failure(s, "bad_request").await;
        let ProviderError::BadRequest(message) = &e else {
            panic!("{e:?}")
        };
        assert!(
            message.contains("temperature"),
            "the provider's words: {message}"
        );
        assert_eq!(requests, 1);
    }

    pub async fn context_too_long(s: &Spec) {
        let (e, _) = failure(s, "context_too_long").await;
        assert!(
            matches!(&e, ProviderError::ContextLengthExceeded(m) if !m.is_empty()),
            "{e:?}"
        );
        assert_eq!(e.kind(), "context_too_long");
    }

    pub async fn content_filtered(s: &Spec) {
        if !s.content_filter {
            return s.skip("has no content filter");
        }
        let (turn, _) = s.run(&["content_filtered"], request("Hi.")).await;
        assert!(
            matches!(turn.error, Some(ProviderError::ContentFiltered(_))),
            "{turn:#?}"
        );
        assert_eq!(turn.finish, None);
    }

    pub async fn server_error(s: &Spec) {
        let (e, requests) = failure(s, "server_error").await;
        assert!(matches!(e, ProviderError::Unavailable(_)), "{e:?}");
        assert_eq!(requests, 3, "one attempt and two retries");
    }

    pub async fn unavailable(s: &Spec) {
        let (e, requests) = failure(s, "unavailable").await;
        assert!(matches!(e, ProviderError::Unavailable(_)), "{e:?}");
        assert_eq!(requests, 3, "one attempt and two retries");
    }

    pub async fn rate_limited_then_ok(s: &Spec) {
        let (turn, bench) = s
            .run(&["rate_limited_briefly", "streaming"], request("Greet me."))
            .await;
        turn.assert_ok(FinishReason::Stop);
        assert_eq!(turn.text, STREAMED);
        assert_eq!(bench.replay.requests().len(), 2);
    }

    pub async fn server_error_then_ok(s: &Spec) {
        let (turn, bench) = s
            .run(&["server_error", "streaming"], request("Greet me."))
            .await;
        turn.assert_ok(FinishReason::Stop);
        assert_eq!(turn.text, STREAMED);
        let seen = bench.replay.requests();
        assert_eq!(seen.len(), 2);
        assert_eq!(
            seen[0].body, seen[1].body,
            "the retry sends the same request"
        );
    }

    pub async fn cancel_mid_stream(s: &Spec) {
        let bench = s.bench(&["stalled"]).await;
        let cancel = CancellationToken::new();
        let mut stream = bench.provider.stream(request("Greet me."), cancel.clone());
        let mut turn = Turn::default();
        while turn.text_deltas < 2 {
            let item = tokio::time::timeout(Duration::from_secs(5), stream.next())
                .await
                .expect("deltas arrive")
                .expect("the stream goes on");
            turn.add(item);
        }
        assert_eq!(turn.text, "Hello, wörld");
        let stopped = tokio::time::Instant::now();
        cancel.cancel();
        let rest = tokio::time::timeout(Duration::from_secs(1), stream.collect::<Vec<_>>())
            .await
            .expect("the stream ends at once");
        assert_eq!(rest, vec![Err(ProviderError::Cancelled)]);
        assert!(stopped.elapsed() < Duration::from_millis(500));
        assert!(
            bench
                .replay
                .disconnected_within(Duration::from_secs(2))
                .await,
            "the upstream request was dropped"
        );
    }

    pub async fn drop_mid_stream(s: &Spec) {
        let bench = s.bench(&["stalled"]).await;
        let mut stream = bench
            .provider
            .stream(request("Greet me."), CancellationToken::new());
        let first = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .expect("output arrives");
        assert!(matches!(first, Some(Ok(_))), "{first:?}");
        drop(stream);
        assert!(
            bench
                .replay
                .disconnected_within(Duration::from_secs(2))
                .await,
            "dropping the stream drops the upstream request"
        );
    }

    pub async fn truncated(s: &Spec) {
        let (turn, _) = s.run(&["truncated"], request("Greet me.")).await;
        assert_eq!(turn.text, "Hello, wörld");
        assert!(
            matches!(turn.error, Some(ProviderError::Incomplete(_))),
            "{turn:#?}"
        );
        assert_eq!(turn.finish, None);
    }

    pub async fn malformed_chunk(s: &Spec) {
        let (turn, _) = s.run(&["malformed_chunk"], request("Greet me.")).await;
        assert_eq!(turn.text, "Hello");
        assert!(
            matches!(turn.error, Some(ProviderError::Protocol(_))),
            "{turn:#?}"
        );
    }

    pub async fn read_timeout(s: &Spec) {
        let bench = s.bench_with_read(&["silent"], 300).await;
        let started = tokio::time::Instant::now();
        let turn = collect(
            bench
                .provider
                .stream(request("Greet me."), CancellationToken::new()),
        )
        .await;
        assert_eq!(turn.text, "Hello");
        assert!(
            matches!(turn.error, Some(ProviderError::Timeout(_))),
            "{turn:#?}"
        );
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    pub async fn unreachable(s: &Spec) {
        // A port that was just free: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let endpoint = (s.endpoint)(&format!("http://127.0.0.1:{port}"), 1_000);
        let env = |_: &str| Some(TEST_KEY.to_owned());
        let provider = pep::providers::build(&endpoint, &env).expect("provider");
        let turn = collect(provider.stream(request("Hi."), CancellationToken::new())).await;
        assert!(
            matches!(&turn.error, Some(ProviderError::Unavailable(m)) if m.contains("cannot reach")),
            "{turn:#?}"
        );
    }

    // ---- live smoke tests against the real service ----

    /// The live provider, or `None` (with the reason printed) without keys.
    fn live(s: &Spec) -> Option<(Arc<dyn Provider>, ProviderRequest)> {
        if let Some(missing) = s.live.needs.iter().find(|v| env_var(v).is_none()) {
            s.skip(&format!("live: {missing} not set"));
            return None;
        }
        let provider = pep::providers::build(&(s.live.endpoint)(), &env_var).expect("provider");
        let mut req = ProviderRequest::new((s.live.model)(), Vec::new(), 1024);
        req.reasoning_effort = s.live.reasoning_effort.map(str::to_owned);
        Some((provider, req))
    }

    pub async fn live_text(s: &Spec) {
        let Some((provider, mut req)) = live(s) else {
            return;
        };
        req.messages = vec![Message::new(Role::User, "Reply with the single word: pong")];
        let turn = collect(provider.stream(req, CancellationToken::new())).await;
        turn.assert_ok(FinishReason::Stop);
        assert!(turn.text.to_lowercase().contains("pong"), "{turn:#?}");
        let usage = turn.usage.expect("usage");
        assert!(
            usage.input_tokens > 0 && usage.output_tokens > 0,
            "{usage:?}"
        );
        assert!(turn.request_id.is_some());
    }

    pub async fn live_json_schema(s: &Spec) {
        let Some((provider, mut req)) = live(s) else {
            return;
        };
        req.messages = vec![Message::new(
            Role::User,
            "Give today's weather for Paris as JSON (invent plausible values).",
        )];
        req.response_format = Some(weather_schema());
        let turn = collect(provider.stream(req, CancellationToken::new())).await;
        turn.assert_ok(FinishReason::Stop);
        let reply = turn.json_reply();
        assert!(reply["city"].is_string() && reply["temperature_c"].is_number());
    }

    pub async fn live_tool_call(s: &Spec) {
        let Some((provider, mut req)) = live(s) else {
            return;
        };
        req.messages = vec![Message::new(
            Role::User,
            "What is the weather in Paris? Use the tool.",
        )];
        req.tools = vec![weather_tool()];
        let turn = collect(provider.stream(req, CancellationToken::new())).await;
        turn.assert_ok(FinishReason::Stop);
        let call = turn.tool_calls.get(&0).expect("a tool call");
        assert_eq!(call.name, "get_weather");
        assert!(turn.args(0)["city"]
            .as_str()
            .unwrap_or_default()
            .contains("Paris"));
    }
}

/// One `#[tokio::test]` per case for one provider.
macro_rules! cases {
    ($spec:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                cases::$case(&$spec).await;
            }
        )*
    };
}

/// The suite, stamped over every provider.
macro_rules! conformance {
    ($($provider:ident => $spec:expr),* $(,)?) => {
        $(
            mod $provider {
                use super::*;
                cases!($spec;
                    plain_text, streaming, usage, reasoning,
                    tool_call, parallel_tool_calls, tool_arguments_split, tool_round_trip,
                    tool_signature, json_object, json_schema, max_tokens, refusal,
                    unauthorized, unauthorized_key_is_redacted, error_mid_stream_is_redacted,
                    html_instead_of_a_stream, rate_limited, quota_exceeded, bad_request, context_too_long,
                    content_filtered, server_error, unavailable,
                    rate_limited_then_ok, server_error_then_ok,
                    cancel_mid_stream, drop_mid_stream, truncated, malformed_chunk,
                    read_timeout, unreachable,
                    live_text, live_json_schema, live_tool_call,
                );
            }
        )*
    };
}

conformance! {
    openai_chat => OPENAI_CHAT,
    openai_responses => OPENAI_RESPONSES,
    gemini => GEMINI,
    vllm => VLLM,
}
