//! Speed and memory of the embedded model through PEP's provider, printed as
//! figures (a benchmark, not a test):
//!
//!   cargo bench --bench local_model            (PEP_TEST_MODEL picks the GGUF)
//!
//! For each run: time to first token (prompt processing + one decode step),
//! decode speed after the first token, and the process's peak RSS.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;
use pep::chat::{Message, Role};
use pep::outcome::FinishReason;
use pep::providers::local::{LoadedModel, LocalProvider, Threads};
use pep::providers::{Provider, ProviderEvent, ProviderRequest};
use tokio_util::sync::CancellationToken;

const RUNS: usize = 5;
const MAX_TOKENS: u32 = 128;

fn model_path() -> PathBuf {
    std::env::var_os("PEP_TEST_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("data/models/SmolLM2-135M-Instruct.Q4_1.gguf")
        })
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn main() {
    let path = model_path();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return eprintln!("tokio: {e}"),
    };
    let load_start = Instant::now();
    let model = match LoadedModel::load(&path) {
        Ok(m) => Arc::new(m),
        Err(e) => return eprintln!("cannot load {}: {e}", path.display()),
    };
    println!(
        "model {} loaded in {:.0} ms",
        path.display(),
        load_start.elapsed().as_secs_f64() * 1e3
    );
    let threads = Threads::choose(0);
    println!(
        "threads: decode {}, batch {}",
        threads.decode, threads.batch
    );
    let provider = LocalProvider::new(model, 1, threads);

    let mut ttfts = Vec::new();
    let mut rates = Vec::new();
    for run in 0..RUNS {
        let mut req = ProviderRequest::new(
            "local",
            vec![Message::new(
                Role::User,
                "Write a detailed story about a lighthouse keeper and a storm.",
            )],
            MAX_TOKENS,
        );
        req.temperature = 0.7;
        req.seed = Some(run as u64);
        req.repeat_penalty = 1.15;
        let (ttft, rate, tokens, finish) = runtime.block_on(async {
            let start = Instant::now();
            let mut first = None;
            let mut tokens = 0u32;
            let mut finish = None;
            let mut stream = provider.stream(req, CancellationToken::new());
            while let Some(ev) = stream.next().await {
                match ev {
                    Ok(ProviderEvent::TextDelta(_)) => {
                        first.get_or_insert_with(Instant::now);
                    }
                    Ok(ProviderEvent::Usage(u)) => tokens = u.output_tokens,
                    Ok(ProviderEvent::Finish(f)) => finish = Some(f),
                    Ok(_) => {}
                    Err(e) => eprintln!("error: {e}"),
                }
            }
            let end = Instant::now();
            let first = first.unwrap_or(end);
            let decode = end.duration_since(first).as_secs_f64();
            let rate = if tokens > 1 && decode > 0.0 {
                f64::from(tokens - 1) / decode
            } else {
                0.0
            };
            (
                first.duration_since(start).as_secs_f64() * 1e3,
                rate,
                tokens,
                finish,
            )
        });
        println!(
            "run {run}: ttft {ttft:7.1} ms, decode {rate:6.1} tokens/s, {tokens} tokens, finish {:?}",
            finish.unwrap_or(FinishReason::Error)
        );
        ttfts.push(ttft);
        rates.push(rate);
    }
    ttfts.sort_by(f64::total_cmp);
    rates.sort_by(f64::total_cmp);
    println!(
        "summary over {RUNS} runs: ttft p50 {:.1} ms (max {:.1}); decode p50 {:.1} tokens/s (min {:.1}); peak RSS {:.0} MB",
        percentile(&ttfts, 0.5),
        percentile(&ttfts, 1.0),
        percentile(&rates, 0.5),
        percentile(&rates, 0.0),
        peak_rss_mb().unwrap_or(f64::NAN)
    );
}
