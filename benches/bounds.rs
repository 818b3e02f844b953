//! How fast hostile input is refused: the checks that stand before a JSON
//! Schema is compiled (`schema::bounds`) and before YAML is parsed
//! (`prompts::transfer`'s depth pass). Each case is a bomb that, unchecked,
//! once aborted the process or held a core for many seconds; here each is
//! measured as the median and the worst of repeated refusals.
//!
//! `cargo bench --bench bounds` (pure CPU, a few seconds).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use pep::prompts::transfer::{parse, Format};
use pep::schema::bounds::check_bounds;
use pep::schema::hostile::{any_of_bomb, ref_chain};

const ROUNDS: usize = 50;

/// Median and worst of `ROUNDS` runs of `refuse`.
fn time(name: &str, bytes: usize, mut refuse: impl FnMut()) {
    let mut samples: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            refuse();
            started.elapsed()
        })
        .collect();
    samples.sort();
    println!(
        "{name:<40} {bytes:>9} B   median {:>10.1?}   worst {:>10.1?}",
        samples[ROUNDS / 2],
        samples[ROUNDS - 1]
    );
}

fn main() {
    println!("refusing hostile input ({ROUNDS} rounds each)");
    for (name, schema) in [
        ("schema: $ref chain of 2,000", ref_chain(2_000)),
        ("schema: anyOf bomb, 30 levels", any_of_bomb(30)),
    ] {
        let size = serde_json::to_string(&schema).unwrap().len();
        time(name, size, || assert!(check_bounds(&schema).is_err()));
    }
    let n = 100_000;
    let flow = format!("prompts: {}{}", "[".repeat(n), "]".repeat(n));
    let block = format!("prompts:\n{}x\n", "- ".repeat(n));
    for (name, text) in [
        ("YAML: flow lists 100,000 deep", flow),
        ("YAML: block lists 100,000 deep", block),
    ] {
        time(name, text.len(), || {
            assert!(parse(text.as_bytes(), Format::Yaml).is_err());
        });
    }
}
