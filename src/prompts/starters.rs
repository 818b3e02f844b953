//! The prompts a new installation starts with: `config/prompts/*.yaml`,
//! one prompt per file in the export format ([`super::BundlePrompt`]),
//! loaded at the first start only, when no prompt was ever created. They
//! are ordinary prompts afterwards: edited, labelled or deleted like any
//! other, and a deleted starter does not come back at the next start
//! (the engine's Hub loads them).

use std::path::Path;

use super::transfer::{self, ImportedPrompt};
use super::PromptError;

/// Reads every `*.yaml` / `*.yml` file of `dir`, in name order. A missing
/// folder holds no starters.
pub fn read_dir(dir: &Path) -> Result<Vec<ImportedPrompt>, PromptError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(starter_error(dir, e.to_string())),
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .is_some_and(|ext| ext == "yaml" || ext == "yml")
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let bytes = std::fs::read(path).map_err(|e| starter_error(path, e.to_string()))?;
            transfer::parse_prompt(&bytes)
                .and_then(transfer::check_prompt)
                .map_err(|e| starter_error(path, e.to_string()))
        })
        .collect()
}

fn starter_error(path: &Path, reason: String) -> PromptError {
    PromptError::Starter {
        path: path.display().to_string(),
        reason,
    }
}
