//! The `pep` server: configuration, state, the REST API and the Leptos app,
//! assembled by [`router`] so tests can drive it in-process.

// The Leptos views rendered here are deeply nested types.
#![recursion_limit = "256"]

pub mod api;
pub mod config;
pub mod edge;
pub mod error;
pub mod state;
pub mod telemetry;

use std::sync::Arc;
use std::time::Duration;

use app::{shell, App};
use axum::routing::get;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use pep::catalog::Catalog;
use pep::schema::load_templates;
use pep::toolbox::Toolbox;
use pep::{Engine, EngineConfig, RunLease};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use config::Config;
use state::AppState;

/// A failure to start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Catalog(#[from] pep::catalog::CatalogError),
    #[error(transparent)]
    Templates(#[from] pep::schema::TemplateError),
    #[error(transparent)]
    Tools(#[from] pep::toolbox::ToolsFileError),
    #[error(transparent)]
    Engine(#[from] pep::EngineError),
    #[error("leptos configuration: {0}")]
    Leptos(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("server: {0}")]
    Serve(std::io::Error),
    #[error("cannot listen for SIGTERM and SIGINT: {0}")]
    Signals(std::io::Error),
}

/// Builds the engine and the application state from the configuration.
pub async fn build_state(config: &Config) -> Result<AppState, StartError> {
    let catalog = Catalog::load(&config.models_config)?;
    let schema_templates = load_templates(&config.schemas_dir())?;
    let tools = Toolbox::load(&config.tools_file())?;
    // A refused tool is not offered; the server starts with the others.
    for refused in tools.list().refused {
        tracing::warn!(file = %refused.file, tool = %refused.tool, reason = %refused.reason, "tool refused");
    }
    let engine = Engine::start(EngineConfig {
        catalog,
        data_dir: config.data_dir.clone(),
        database_url: config.database_url(),
        local_model_path: config.local_model_path.clone(),
        schema_templates,
        session_idle_minutes: config.session_idle_minutes,
        run_lease: RunLease::new(Duration::from_secs(config.run_lease_seconds)),
        spool_dir: None,
        tools: Arc::new(tools),
    })
    .await?;
    load_starters(&engine, config).await;
    let mut leptos_options = leptos::config::get_configuration(None)
        .map_err(|e| StartError::Leptos(e.to_string()))?
        .leptos_options;
    if let Some(root) = &config.site_root {
        leptos_options.site_root = root.display().to_string().into();
    }
    leptos_options.site_addr = config.addr;
    Ok(AppState {
        engine: Arc::new(engine),
        leptos_options,
        hosts: Arc::new(edge::HostAllowlist::new(&config.allowed_hosts)),
    })
}

/// Loads the starter prompts at the first start: those of `prompts/` beside
/// the model catalog (`config/prompts/`). A starter that cannot be loaded
/// is logged; the server still starts.
async fn load_starters(engine: &Engine, config: &Config) {
    let dir = config
        .models_config
        .parent()
        .unwrap_or_else(|| std::path::Path::new("."))
        .join("prompts");
    match engine.prompts().load_starters(&dir).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(prompts = n, dir = %dir.display(), "starter prompts loaded"),
        Err(e) => tracing::error!(error = %e, "starter prompts not loaded"),
    }
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let engine = Arc::clone(&state.engine);
    let context = move || provide_context(Arc::clone(&engine));
    let options = state.leptos_options.clone();
    let hosts = Arc::clone(&state.hosts);
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .merge(api::documented().0)
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(edge::security_headers))
        .layer(axum::middleware::from_fn_with_state(hosts, edge::guard))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
