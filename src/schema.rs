//! Structured output: the ready-made schemas a reply may be asked to
//! follow, what is wrong with a schema, and whether a reply kept to it.
//!
//! What a check finds ([`crate::outcome::SchemaIssue`],
//! [`crate::outcome::Validation`]) is shared with the browser, which shows
//! the issues next to the schema editor and the validation next to the
//! reply. The checks
//! themselves (server only) are [`check`] (is this response format usable
//! with this model?), [`bounds`] (the size, depth and `$ref` limits checked
//! before anything compiles a schema), [`reply`] (did the reply follow it?)
//! and [`templates`] (the ready-made schemas under `config/schemas/`).

use serde::{Deserialize, Serialize};

/// A ready-made schema the playground offers as a starting point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchemaTemplate {
    /// Also the response format's name: `[A-Za-z0-9_-]`, 1 to 64 characters.
    pub name: String,
    pub description: String,
    pub schema: serde_json::Value,
}

#[cfg(feature = "engine")]
pub mod bounds;
#[cfg(feature = "engine")]
pub mod check;
#[cfg(feature = "engine")]
pub mod hostile;
#[cfg(feature = "engine")]
mod pointer;
#[cfg(feature = "engine")]
pub mod reply;
#[cfg(feature = "engine")]
mod strict;
#[cfg(feature = "engine")]
pub mod templates;

#[cfg(feature = "engine")]
pub use check::check_format;
#[cfg(feature = "engine")]
pub use reply::validate_reply;
#[cfg(feature = "engine")]
pub use templates::{load_templates, TemplateError};
