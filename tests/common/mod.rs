//! Helpers shared by the integration tests that run the real local model.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use std::path::PathBuf;

/// The GGUF file the tests run: `PEP_TEST_MODEL`, else the one `make model`
/// puts under data/. A missing file fails the test with the fix, rather than
/// skipping it.
pub fn model_path() -> PathBuf {
    let path = std::env::var_os("PEP_TEST_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("data/models/SmolLM2-135M-Instruct.Q4_1.gguf")
        });
    assert!(
        path.is_file(),
        "model file {} is missing: run `make model` (or set PEP_TEST_MODEL)",
        path.display()
    );
    path
}
