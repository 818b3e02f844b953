//! `pep`: serves the playground, the REST API and the health probes.

// The Leptos views rendered here are deeply nested types.
#![recursion_limit = "256"]

use std::future::IntoFuture;

use axum::serve::ListenerExt;
use clap::Parser;
use pep_server::config::Config;
use pep_server::{build_state, router, telemetry, StartError};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // `.env` is optional; the environment and flags override it.
    let _ = dotenvy::dotenv();
    let config = Config::parse();
    let telemetry = match telemetry::init(config.log_format) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("pep: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let code = match serve(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "pep stopped");
            eprintln!("pep: {e}");
            std::process::ExitCode::FAILURE
        }
    };
    // The exporter's batches go out from a thread of their own; waiting
    // for them must not block a runtime worker.
    let _ = tokio::task::spawn_blocking(move || telemetry.shutdown()).await;
    code
}

async fn serve(config: Config) -> Result<(), StartError> {
    let state = build_state(&config).await?;
    for model in state.engine.models() {
        match &model.unavailable {
            None => tracing::info!(model = %model.id, "model ready"),
            Some(reason) => tracing::warn!(model = %model.id, %reason, "model unavailable"),
        }
    }
    // Listening from before the first connection: a stop signal that came
    // between "serving" and the first poll of a lazy listener would end the
    // process outright, with running turns unrecorded.
    let stop_signal = stop_signals().map_err(StartError::Signals)?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.addr,
            source,
        })?;
    // The bound address: with port 0 the system picked one.
    let addr = listener.local_addr().unwrap_or(config.addr);
    let url = format!("http://{addr}");
    tracing::info!(%url, "PEP is serving");
    println!("PEP is serving at {url}");
    // Streamed events are small writes: without TCP_NODELAY, Nagle's
    // algorithm holds each one until the client's delayed ACK (~40 ms).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "TCP_NODELAY not set");
        }
    });
    let engine = std::sync::Arc::clone(&state.engine);
    let grace = std::time::Duration::from_secs(config.shutdown_grace_seconds);
    let stop = tokio_util::sync::CancellationToken::new();
    let server = axum::serve(listener, router(state)).with_graceful_shutdown({
        let stop = stop.clone();
        async move { stop.cancelled().await }
    });
    // On a signal: stop accepting connections and turns at once (`/readyz`
    // answers 503), give running turns the grace period, cancel the rest
    // (each is recorded as cancelled), then close the store. Streams end
    // with their turns, so the server's own graceful wait ends too.
    let drain = async {
        stop_signal.await;
        tracing::info!(grace_seconds = grace.as_secs(), "stopping: no new turns");
        stop.cancel();
        let cancelled = engine.shutdown(grace).await;
        tracing::info!(cancelled, "every turn is recorded; the store is closed");
    };
    let (served, ()) = tokio::join!(server.into_future(), drain);
    served.map_err(StartError::Serve)
}

/// Resolves at the first SIGTERM or SIGINT (Ctrl-C). The handlers are
/// installed by this call, not when the future is first polled.
#[cfg(unix)]
fn stop_signals() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {},
            _ = interrupt.recv() => {},
        }
    })
}

/// Resolves at the first Ctrl-C.
#[cfg(not(unix))]
fn stop_signals() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
