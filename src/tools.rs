//! The tools the server can run for a model, as the Tools panel and
//! `GET /api/v1/tools` show them: where each comes from (built in, or an
//! MCP server), whether it can be called now, and what `config/tools.yaml`
//! declared that was refused, with the reason.
//!
//! Plain serde types (the browser reads them too); the tools themselves run
//! in the engine's toolbox.

use serde::{Deserialize, Serialize};

/// One tool the model may be given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ToolInfo {
    /// `[A-Za-z0-9_-]`, 1 to 64 characters: the name the model calls.
    pub name: String,
    pub description: String,
    /// JSON Schema of the arguments object; a call is checked against it
    /// before the tool runs.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub parameters: serde_json::Value,
    pub source: ToolSource,
    pub status: ToolStatus,
    /// Whether each call waits for the user's approval.
    pub approval: bool,
    /// Whether a chat that names no tools gets this one.
    pub default_on: bool,
    /// How long one call may take.
    pub timeout_ms: u64,
}

/// Where a tool comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ToolSource {
    /// Built into PEP.
    Builtin,
    /// Listed by the MCP server of that name in `config/tools.yaml`.
    Mcp { server: String },
}

/// Whether a tool can be called now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case", deny_unknown_fields)]
pub enum ToolStatus {
    Available,
    /// Its source cannot be reached (an MCP server that did not start or
    /// died); calls get an error until it is back.
    Unavailable {
        reason: String,
    },
}

/// A tool (or MCP server) the tools file declared that is not offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ToolRefusal {
    /// The tools file.
    pub file: String,
    /// The declaration's name, or its place (`tools[3]`) when it has none.
    pub tool: String,
    pub reason: String,
}

/// Every tool, and what was refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ToolList {
    pub tools: Vec<ToolInfo>,
    pub refused: Vec<ToolRefusal>,
}
