//! Settings the server hands the browser's playground.

use serde::{Deserialize, Serialize};

/// Settings the playground needs from the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UiSettings {
    /// After this many minutes without a turn, the playground starts a new
    /// session.
    pub session_idle_minutes: u32,
}
