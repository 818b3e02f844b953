//! PEP engine: everything that is neither UI nor HTTP wiring.
//!
//! Without the `engine` feature this crate is only the shared data model
//! ([`chat`], [`catalog`] views, [`runs`] summaries, [`schema`] issues): plain serde types that
//! compile to WebAssembly so the browser and the server speak the same types
//! (the Prompt Hub's [`prompts`] too).
//! With `engine` it adds the providers, the run recorder, the store and the
//! [`Engine`] that ties them together; `local` adds the embedded llama.cpp model.

pub mod catalog;
pub mod chat;
pub mod history;
pub mod prompts;
pub mod runs;
pub mod schema;

#[cfg(feature = "engine")]
pub mod engine;
#[cfg(feature = "engine")]
pub mod error_kind;
pub mod media;
#[cfg(feature = "engine")]
pub mod providers;
#[cfg(feature = "engine")]
pub mod store;
pub mod strict;
#[cfg(feature = "engine")]
pub mod text;

#[cfg(feature = "engine")]
pub use engine::{ChatHandle, Engine, EngineConfig, EngineError, RunLease};
#[cfg(feature = "engine")]
pub use error_kind::ErrorKind;
