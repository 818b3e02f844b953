//! Shared state of the HTTP handlers.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use pep::Engine;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub engine: Arc<Engine>,
    pub leptos_options: LeptosOptions,
    /// The names the `Host` header may carry.
    pub hosts: Arc<crate::edge::HostAllowlist>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
