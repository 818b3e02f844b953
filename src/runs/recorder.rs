//! Measures a run while it streams: time to first token, latency and decode
//! speed. It only reads a monotonic clock per event, so it costs nothing on
//! the token path.

use std::time::{Duration, Instant};

use crate::catalog::Pricing;
use crate::outcome::{RunMetrics, Usage};

/// Collects the timings of one stream.
#[derive(Debug, Clone)]
pub struct Stopwatch {
    started: Instant,
    first_token: Option<Instant>,
}

impl Stopwatch {
    pub fn start() -> Self {
        Self::start_at(Instant::now())
    }

    pub fn start_at(started: Instant) -> Self {
        Self {
            started,
            first_token: None,
        }
    }

    /// Notes the arrival of a text delta; only the first one matters.
    pub fn token_at(&mut self, at: Instant) {
        if self.first_token.is_none() {
            self.first_token = Some(at);
        }
    }

    /// The figures of a stream that ended at `ended`.
    pub fn finish_at(&self, ended: Instant, usage: &Usage, pricing: &Pricing) -> RunMetrics {
        let latency = ended.saturating_duration_since(self.started);
        let ttft = self
            .first_token
            .map(|t| t.saturating_duration_since(self.started));
        RunMetrics {
            ttft_ms: ttft.map(ms),
            latency_ms: ms(latency),
            tokens_per_second: ttft
                .and_then(|ttft| decode_rate(usage.output_tokens, latency - ttft)),
            cost_usd: pricing.cost(usage),
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Tokens after the first one, over the time spent producing them. `None`
/// when there is nothing to divide (a single token, or no measurable time).
fn decode_rate(output_tokens: u32, decode_time: Duration) -> Option<f64> {
    let secs = decode_time.as_secs_f64();
    if output_tokens < 2 || secs <= 0.0 {
        return None;
    }
    Some(f64::from(output_tokens - 1) / secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_ttft_latency_and_decode_rate() {
        let t0 = Instant::now();
        let mut sw = Stopwatch::start_at(t0);
        sw.token_at(t0 + Duration::from_millis(100));
        sw.token_at(t0 + Duration::from_millis(150));
        let usage = Usage {
            input_tokens: 10,
            output_tokens: 11,
            ..Usage::default()
        };
        let m = sw.finish_at(t0 + Duration::from_millis(600), &usage, &Pricing::default());
        assert_eq!(m.ttft_ms, Some(100.0));
        assert_eq!(m.latency_ms, 600.0);
        // 10 tokens after the first, in 500 ms.
        let tps = m.tokens_per_second.unwrap_or_default();
        assert!((tps - 20.0).abs() < 1e-9, "{tps}");
        assert_eq!(m.cost_usd, 0.0);
    }

    #[test]
    fn no_tokens_means_no_ttft_and_no_rate() {
        let t0 = Instant::now();
        let sw = Stopwatch::start_at(t0);
        let m = sw.finish_at(
            t0 + Duration::from_millis(5),
            &Usage::default(),
            &Pricing::default(),
        );
        assert_eq!(m.ttft_ms, None);
        assert_eq!(m.tokens_per_second, None);
    }
}
