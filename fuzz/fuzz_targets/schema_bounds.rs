//! Any JSON is either refused by the schema bounds or passes them quickly,
//! and the bounds never panic or overflow the stack.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(schema) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Err(e) = pep::schema::bounds::check_bounds(&schema) {
            // Every refusal names where it is and which limit.
            let _ = (e.path(), e.issue());
        }
    }
});
