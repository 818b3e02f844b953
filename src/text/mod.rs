//! Text helpers for streaming generation.

mod stop;
mod utf8;

pub use stop::StopMatcher;
pub use utf8::Utf8Accumulator;
