//! Any bytes read as a Prompt Hub import (YAML, JSON, a starter prompt)
//! are read or refused with an error; the YAML depth pre-pass never lets a
//! deep document reach the parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pep::prompts::transfer::{self, Format};

fuzz_target!(|data: &[u8]| {
    for format in [Format::Yaml, Format::Json] {
        if let Ok(bundle) = transfer::parse(data, format) {
            let _ = transfer::check(bundle);
        }
    }
    let _ = transfer::parse_prompt(data);
});
