//! The embedded model through the provider interface: real llama.cpp, real
//! GGUF, real tokens.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

mod common;

use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use pep::chat::{Message, Role};
use pep::outcome::{FinishReason, Usage};
use pep::providers::local::{LoadedModel, LocalProvider, Threads};
use pep::providers::{Provider, ProviderEvent, ProviderRequest};
use tokio_util::sync::CancellationToken;

fn provider() -> LocalProvider {
    static MODEL: std::sync::OnceLock<Arc<LoadedModel>> = std::sync::OnceLock::new();
    let model = MODEL
        .get_or_init(|| Arc::new(LoadedModel::load(&common::model_path()).expect("model loads")));
    LocalProvider::new(Arc::clone(model), 2, Threads::choose(0))
}

fn request(prompt: &str, max_tokens: u32) -> ProviderRequest {
    let mut req = ProviderRequest::new(
        "local/smollm2-135m",
        vec![Message::new(Role::User, prompt)],
        max_tokens,
    );
    req.temperature = 0.0;
    req.seed = Some(7);
    req.repeat_penalty = 1.1;
    req
}

struct Collected {
    deltas: Vec<(Instant, String)>,
    usage: Option<Usage>,
    finish: Option<FinishReason>,
}

impl Collected {
    fn text(&self) -> String {
        self.deltas.iter().map(|(_, t)| t.as_str()).collect()
    }
}

async fn collect(
    p: &LocalProvider,
    req: ProviderRequest,
    cancel_after: Option<usize>,
) -> Collected {
    let cancel = CancellationToken::new();
    let mut stream = p.stream(req, cancel.clone());
    let mut c = Collected {
        deltas: Vec::new(),
        usage: None,
        finish: None,
    };
    while let Some(ev) = stream.next().await {
        match ev.expect("no provider error") {
            ProviderEvent::TextDelta(t) => {
                c.deltas.push((Instant::now(), t));
                if Some(c.deltas.len()) == cancel_after {
                    cancel.cancel();
                }
            }
            ProviderEvent::Usage(u) => c.usage = Some(u),
            ProviderEvent::Finish(f) => c.finish = Some(f),
            // The local model reports no reasoning, tool calls or request ids.
            other => panic!("unexpected event from the local model: {other:?}"),
        }
    }
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_tokens_incrementally_and_counts_usage() {
    let c = collect(
        &provider(),
        request("Count from one to twenty in words.", 40),
        None,
    )
    .await;
    assert!(
        c.deltas.len() >= 5,
        "only {} deltas: {:?}",
        c.deltas.len(),
        c.text()
    );
    // Incremental: the deltas did not all arrive at once.
    let first = c.deltas.first().map(|d| d.0).expect("a delta");
    let last = c.deltas.last().map(|d| d.0).expect("a delta");
    assert!(last > first, "all deltas arrived at the same instant");
    let usage = c.usage.expect("usage reported");
    assert!(usage.input_tokens > 5, "{usage:?}");
    assert!(
        usage.output_tokens >= c.deltas.len() as u32 && usage.output_tokens <= 40,
        "{usage:?}"
    );
    assert!(matches!(
        c.finish,
        Some(FinishReason::Stop | FinishReason::Length)
    ));
    assert!(!c.text().trim().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_tokens_ends_with_length() {
    let c = collect(
        &provider(),
        request("Write a long essay about the sea.", 8),
        None,
    )
    .await;
    assert_eq!(c.finish, Some(FinishReason::Length));
    assert_eq!(c.usage.expect("usage").output_tokens, 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_seed_same_reply_when_sampling() {
    let p = provider();
    let mut req = request("Invent a name for a cat.", 16);
    req.temperature = 0.9;
    req.seed = Some(42);
    let a = collect(&p, req.clone(), None).await.text();
    let b = collect(&p, req, None).await.text();
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_sequence_ends_the_reply_and_is_not_emitted() {
    let p = provider();
    let prompt = "Write a short poem about autumn leaves.";
    // Greedy decoding is deterministic: take a stop sequence from the middle
    // of the free reply, and the stopped reply must be exactly its prefix.
    let text = collect(&p, request(prompt, 40), None).await.text();
    let chars: Vec<char> = text.chars().collect();
    assert!(
        chars.len() > 10,
        "reply too short to pick a stop from: {text:?}"
    );
    let mid = chars.len() / 2;
    let stop: String = chars[mid..mid + 3].iter().collect();
    let expected = &text[..text.find(&stop).expect("stop occurs in the text")];
    let mut req = request(prompt, 40);
    req.stop = vec![stop.clone()];
    let c = collect(&p, req, None).await;
    assert_eq!(c.finish, Some(FinishReason::Stop));
    assert!(!c.text().contains(&stop), "{:?}", c.text());
    assert_eq!(c.text(), expected, "stop {stop:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_stops_generation_at_once() {
    let c = collect(
        &provider(),
        request("Write a very long story about a dragon.", 2000),
        Some(3),
    )
    .await;
    assert_eq!(c.finish, Some(FinishReason::Cancelled));
    let usage = c.usage.expect("usage still reported after a stop");
    assert!(
        usage.output_tokens < 20,
        "kept generating after cancel: {usage:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_long_a_conversation_is_a_clear_error() {
    let p = provider();
    let long = "word ".repeat(12_000);
    let mut stream = p.stream(request(&long, 10), CancellationToken::new());
    let first = stream.next().await.expect("an event");
    let err = first.expect_err("context too long");
    assert!(err.to_string().contains("too long"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complete_returns_the_whole_reply() {
    let p = provider();
    let req = request("Count from one to twenty in words.", 24);
    let streamed = collect(&p, req.clone(), None).await;
    let whole = p
        .complete(req, CancellationToken::new())
        .await
        .expect("completion");
    // Greedy decoding: the whole reply equals the streamed one.
    assert_eq!(whole.text, streamed.text());
    assert_eq!(Some(whole.usage), streamed.usage);
    assert_eq!(whole.finish, streamed.finish);
    assert!(whole.tool_calls.is_empty() && whole.reasoning.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_object_mode_always_yields_a_json_object() {
    let p = provider();
    let mut req = request("Describe a cat as JSON with its name and colour.", 160);
    req.response_format = Some(pep::chat::ResponseFormat::JsonObject);
    let c = collect(&p, req, None).await;
    assert_eq!(c.finish, Some(FinishReason::Stop), "reply: {}", c.text());
    let value: serde_json::Value =
        serde_json::from_str(&c.text()).unwrap_or_else(|e| panic!("not JSON ({e}): {}", c.text()));
    assert!(value.is_object(), "{value}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_schema_mode_follows_the_schema() {
    let p = provider();
    let schema = serde_json::json!({
        "type": "object",
        "properties": {
            "city": { "type": "string", "maxLength": 24 },
            "population_millions": { "type": "integer", "minimum": 0, "maximum": 100 },
            "capital": { "type": "boolean" }
        },
        "required": ["city", "population_millions", "capital"],
        "additionalProperties": false
    });
    let mut req = request("Give facts about Paris.", 160);
    req.response_format = Some(pep::chat::ResponseFormat::JsonSchema {
        name: "city".into(),
        schema,
        strict: true,
    });
    let c = collect(&p, req, None).await;
    assert_eq!(c.finish, Some(FinishReason::Stop), "reply: {}", c.text());
    let value: serde_json::Value =
        serde_json::from_str(&c.text()).unwrap_or_else(|e| panic!("not JSON ({e}): {}", c.text()));
    let obj = value.as_object().expect("an object");
    let mut keys: Vec<_> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["capital", "city", "population_millions"], "{value}");
    assert!(
        obj["city"]
            .as_str()
            .is_some_and(|s| s.chars().count() <= 24),
        "{value}"
    );
    assert!(
        obj["population_millions"]
            .as_u64()
            .is_some_and(|n| n <= 100),
        "{value}"
    );
    assert!(obj["capital"].is_boolean(), "{value}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_llama_cpp_cannot_convert_is_a_clear_error() {
    let p = provider();
    let mut req = request("Anything.", 16);
    req.response_format = Some(pep::chat::ResponseFormat::JsonSchema {
        name: "bad".into(),
        schema: serde_json::json!({ "$ref": "#/definitions/missing" }),
        strict: false,
    });
    let mut stream = p.stream(req, CancellationToken::new());
    let first = stream.next().await.expect("an event");
    let err = first.expect_err("the schema cannot become a grammar");
    assert!(err.to_string().contains("grammar"), "{err}");
}
