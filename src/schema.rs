//! Structured output: the shapes a reply may be asked to take, what is wrong
//! with a schema, and whether a reply kept to it.
//!
//! The types here are shared with the browser, which shows the issues next
//! to the schema editor and the validation next to the reply. The checks
//! themselves (server only) are [`check`] (is this response format usable
//! with this model?), [`bounds`] (the size, depth and `$ref` limits checked
//! before anything compiles a schema), [`reply`] (did the reply follow it?)
//! and [`templates`] (the ready-made schemas under `config/schemas/`).

use serde::{Deserialize, Serialize};

/// One thing wrong with a schema or with a reply, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchemaIssue {
    /// A JSON pointer (RFC 6901) into the schema (for a schema issue) or into
    /// the reply (for a validation error); `""` is the root.
    pub path: String,
    /// What is wrong and what to change.
    pub message: String,
}

impl SchemaIssue {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for SchemaIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "(root): {}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Whether a reply followed its JSON response format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Validation {
    pub valid: bool,
    /// Empty when `valid`; each error names the place in the reply.
    pub errors: Vec<SchemaIssue>,
}

impl Validation {
    /// A validation from its errors: valid when there are none.
    pub fn from_errors(errors: Vec<SchemaIssue>) -> Self {
        Self {
            valid: errors.is_empty(),
            errors,
        }
    }
}

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
