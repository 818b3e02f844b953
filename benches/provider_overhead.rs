//! What PEP's provider layer adds to a streamed reply.
//!
//! A local replay server streams a recorded Chat Completions reply (the
//! `openai_chat/streaming` fixture). The same requests run twice, with the
//! same concurrency: once straight through `reqwest` (send, read the body),
//! once through PEP's OpenAI adapter (retry wrapper, SSE parsing, decoding
//! into `ProviderEvent`s). The difference of the two latency distributions
//! is PEP's overhead: time to the first text (the first `TextDelta` for
//! PEP; for the direct client, the moment that delta's bytes are in) and
//! to the end (`Finish`; the end of the body), at p50 and p99, plus
//! requests per second.
//!
//! `cargo bench --bench provider_overhead` (loopback only; a few seconds).
//! `PEP_BENCH_CONCURRENCY` and `PEP_BENCH_REQUESTS` change the load.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

#[path = "../tests/replay/mod.rs"]
mod replay;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use pep::catalog::{EndpointConfig, OpenAiApi, OpenAiEndpoint, RemoteEndpoint, RetrySettings};
use pep::chat::{Message, Role};
use pep::providers::{Provider, ProviderEvent, ProviderRequest};
use tokio_util::sync::CancellationToken;

/// Time to first and to last byte of one request.
#[derive(Debug, Clone, Copy)]
struct Sample {
    first: Duration,
    last: Duration,
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

fn request() -> ProviderRequest {
    ProviderRequest::new(
        "test-model",
        vec![Message::new(Role::User, "Greet me.")],
        64,
    )
}

/// One request through PEP's adapter.
async fn through_pep(provider: Arc<dyn Provider>) -> Sample {
    let start = Instant::now();
    let mut stream = provider.stream(request(), CancellationToken::new());
    let mut first = None;
    while let Some(event) = stream.next().await {
        match event.expect("the replay succeeds") {
            ProviderEvent::TextDelta(_) if first.is_none() => first = Some(start.elapsed()),
            ProviderEvent::Finish(_) => break,
            _ => {}
        }
    }
    Sample {
        first: first.expect("a text delta"),
        last: start.elapsed(),
    }
}

/// Where the fixture's first text delta is complete on the wire.
const FIRST_TEXT: &[u8] = br#""content":"Hello"}"#;

/// The same request with a bare HTTP client.
async fn direct(client: reqwest::Client, url: Arc<str>, body: Arc<Vec<u8>>) -> Sample {
    let start = Instant::now();
    let response = client
        .post(&*url)
        .header("content-type", "application/json")
        .header("authorization", "Bearer bench")
        .body(body.to_vec())
        .send()
        .await
        .expect("the replay answers");
    let mut bytes = response.bytes_stream();
    let mut first = None;
    let mut seen = Vec::new();
    while let Some(chunk) = bytes.next().await {
        let chunk = chunk.expect("the body arrives");
        if first.is_none() {
            // The first byte of the first text, as PEP's first delta.
            seen.extend_from_slice(&chunk);
            if seen.windows(FIRST_TEXT.len()).any(|w| w == FIRST_TEXT) {
                first = Some(start.elapsed());
            }
        }
    }
    Sample {
        first: first.expect("a body"),
        last: start.elapsed(),
    }
}

/// Runs `requests` calls of `one`, `concurrency` at a time; returns the
/// samples and the wall time.
async fn load<F, Fut>(concurrency: usize, requests: usize, one: F) -> (Vec<Sample>, Duration)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Sample> + Send + 'static,
{
    let start = Instant::now();
    let samples: Vec<Sample> = futures::stream::iter((0..requests).map(|_| tokio::spawn(one())))
        .buffer_unordered(concurrency)
        .map(|r| r.expect("the task finishes"))
        .collect()
        .await;
    (samples, start.elapsed())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

struct Figures {
    first: (Duration, Duration),
    last: (Duration, Duration),
    rps: f64,
}

fn figures(samples: &[Sample], wall: Duration) -> Figures {
    let mut first: Vec<Duration> = samples.iter().map(|s| s.first).collect();
    let mut last: Vec<Duration> = samples.iter().map(|s| s.last).collect();
    first.sort();
    last.sort();
    Figures {
        first: (percentile(&first, 0.5), percentile(&first, 0.99)),
        last: (percentile(&last, 0.5), percentile(&last, 0.99)),
        rps: samples.len() as f64 / wall.as_secs_f64(),
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let concurrency = env_number("PEP_BENCH_CONCURRENCY", 16);
    let requests = env_number("PEP_BENCH_REQUESTS", 2_000);
    let fixture = replay::fixtures().join("openai_chat/streaming.http");
    let server = replay::Replay::start(vec![replay::load(&fixture)]).await;

    let endpoint = EndpointConfig::OpenAi(OpenAiEndpoint {
        api: OpenAiApi::ChatCompletions,
        remote: RemoteEndpoint {
            base_url: Some(format!("{}/v1", server.url)),
            headers: BTreeMap::new(),
            retry: RetrySettings {
                max_retries: 0,
                ..RetrySettings::default()
            },
            ..RemoteEndpoint::default()
        },
    });
    let env = |_: &str| Some("bench".to_owned());
    let provider = pep::providers::build(&endpoint, &env).expect("provider");

    // The exact body PEP sends, for the direct client.
    let _ = through_pep(Arc::clone(&provider)).await;
    let body = serde_json::to_vec(&server.requests()[0].body).expect("body");
    let body = Arc::new(body);
    let url: Arc<str> = format!("{}/v1/chat/completions", server.url).into();
    let client = reqwest::Client::new();

    let direct_one = || direct(client.clone(), Arc::clone(&url), Arc::clone(&body));
    let pep_one = || through_pep(Arc::clone(&provider));

    // Warm up connections and caches, then measure, alternating twice so
    // drift of the machine affects both sides alike.
    load(concurrency, 200, &direct_one).await;
    load(concurrency, 200, &pep_one).await;
    let mut direct_samples = Vec::new();
    let mut pep_samples = Vec::new();
    let (mut direct_wall, mut pep_wall) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..2 {
        let (s, w) = load(concurrency, requests / 2, &direct_one).await;
        direct_samples.extend(s);
        direct_wall += w;
        let (s, w) = load(concurrency, requests / 2, &pep_one).await;
        pep_samples.extend(s);
        pep_wall += w;
    }
    let d = figures(&direct_samples, direct_wall);
    let p = figures(&pep_samples, pep_wall);

    println!(
        "provider_overhead: {} requests per side, {concurrency} at a time, streamed Chat Completions reply (5 deltas + usage) over loopback",
        direct_samples.len()
    );
    println!(
        "{:<26}{:>12}{:>12}{:>12}{:>12}{:>10}",
        "", "first p50", "first p99", "last p50", "last p99", "req/s"
    );
    let row = |name: &str, f: &Figures| {
        println!(
            "{:<26}{:>10.0}µs{:>10.0}µs{:>10.0}µs{:>10.0}µs{:>10.0}",
            name,
            micros(f.first.0),
            micros(f.first.1),
            micros(f.last.0),
            micros(f.last.1),
            f.rps
        );
    };
    row("direct (reqwest)", &d);
    row("through PEP's adapter", &p);
    let added = |a: Duration, b: Duration| micros(a) - micros(b);
    println!(
        "{:<26}{:>10.0}µs{:>10.0}µs{:>10.0}µs{:>10.0}µs{:>9.1}%",
        "added by PEP",
        added(p.first.0, d.first.0),
        added(p.first.1, d.first.1),
        added(p.last.0, d.last.0),
        added(p.last.1, d.last.1),
        (p.rps / d.rps - 1.0) * 100.0
    );
}
