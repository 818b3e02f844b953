//! The shared model's modules form a hierarchy, not a circle: each uses
//! only the modules of the layers below it, and none uses the server-only
//! parts (engine, store, providers). The compiler would accept a circle
//! within one crate, so this test reads the sources and holds the order.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Leaf first. A module may use its own layer's helpers and those of any
/// layer below, never one above or beside it.
const LAYERS: &[&[&str]] = &[
    // Helpers for reading and describing input, used anywhere.
    &["strict", "media", "openapi", "text_schema"],
    &["outcome"],
    &["tools"],
    &["chat", "catalog", "settings"],
    &["schema"],
    &["runs"],
    &["conversations"],
    &["prompts"],
];

/// What only the server has: never below the engine.
const SERVER_ONLY: &[&str] = &[
    "engine",
    "store",
    "providers",
    "query",
    "text",
    "error_kind",
    "toolbox",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// `src/<module>.rs` and every file under `src/<module>/`.
fn files_of(module: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let file = src().join(format!("{module}.rs"));
    if file.exists() {
        files.push(file);
    }
    let mut dirs = vec![src().join(module)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// The crate modules a source text names (`crate::<name>`).
fn uses(text: &str) -> BTreeSet<String> {
    text.match_indices("crate::")
        .map(|(at, _)| {
            text[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

#[test]
fn the_shared_model_is_a_hierarchy() {
    let mut broken = Vec::new();
    for (level, layer) in LAYERS.iter().enumerate() {
        for module in layer.iter() {
            for file in files_of(module) {
                let text = std::fs::read_to_string(&file).unwrap();
                let shown = file.strip_prefix(src()).unwrap().display().to_string();
                for used in uses(&text) {
                    if used == *module {
                        continue;
                    }
                    let allowed = match layer_of(&used) {
                        Some(at) => at < level || at == 0,
                        None => !SERVER_ONLY.contains(&used.as_str()),
                    };
                    if !allowed {
                        broken.push(format!("{shown} uses crate::{used}"));
                    }
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "out of order (see LAYERS):\n{}",
        broken.join("\n")
    );
}

#[test]
fn every_module_of_the_model_is_placed() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let declared: Vec<&str> = lib
        .lines()
        .filter_map(|line| line.strip_prefix("pub mod "))
        .map(|rest| rest.trim_end_matches(';'))
        .collect();
    for module in declared {
        assert!(
            layer_of(module).is_some() || SERVER_ONLY.contains(&module),
            "src/lib.rs declares {module}: place it in LAYERS or SERVER_ONLY"
        );
    }
    // The check reads what it should.
    assert!(uses("use crate::chat::Message; crate::outcome::Usage").contains("outcome"));
    assert!(!files_of("runs").is_empty());
}
