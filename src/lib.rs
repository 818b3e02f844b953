//! PEP engine: everything that is neither UI nor HTTP wiring.
//!
//! Without the `engine` feature this crate is only the shared data model
//! ([`outcome`], [`chat`], [`catalog`] views, [`runs`], [`conversations`],
//! [`schema`] issues, the Prompt Hub's [`prompts`], the [`tools`] on
//! offer): plain serde types that
//! compile to WebAssembly so the browser and the server speak the same
//! types.
//! With `engine` it adds the providers, the run recorder, the store and the
//! [`Engine`] that ties them together, and the toolbox that runs tools for
//! a model; `local` adds the embedded llama.cpp model.

// The shared model's modules form a hierarchy, from `outcome` (the leaf)
// up to the Prompt Hub's `prompts`; tests/layers.rs holds the order.
pub mod catalog;
pub mod chat;
pub mod conversations;
pub mod outcome;
pub mod prompts;
pub mod runs;
pub mod schema;
pub mod settings;
pub mod tools;

#[cfg(feature = "engine")]
pub mod engine;
#[cfg(feature = "engine")]
pub mod error_kind;
pub mod media;
#[cfg(feature = "openapi")]
pub mod openapi;
#[cfg(feature = "engine")]
pub mod providers;
#[cfg(feature = "engine")]
pub mod query;
#[cfg(feature = "engine")]
pub mod store;
pub mod strict;
#[cfg(feature = "engine")]
pub mod text;
#[cfg(feature = "engine")]
pub mod toolbox;

#[cfg(feature = "engine")]
pub use engine::{ChatHandle, Engine, EngineConfig, EngineError, RunLease};
#[cfg(feature = "engine")]
pub use error_kind::ErrorKind;
