//! Server configuration: built-in defaults < `.env` < environment (`PEP_*`)
//! < command-line flags. Every option is documented in `.env.example`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// PEP, the Prompt Engineering Playground.
#[derive(Debug, Clone, Parser)]
#[command(name = "pep", version, about)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "PEP_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Folder for the database, models and artifacts.
    #[arg(long, env = "PEP_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Database URL; defaults to `sqlite://<data dir>/pep.db`.
    #[arg(long, env = "PEP_DATABASE_URL")]
    pub database_url: Option<String>,

    /// The model catalog.
    #[arg(long, env = "PEP_MODELS_CONFIG", default_value = "config/models.yaml")]
    pub models_config: PathBuf,

    /// A GGUF file to use for every local endpoint instead of the catalog's.
    #[arg(long, env = "PEP_LOCAL_MODEL_PATH")]
    pub local_model_path: Option<PathBuf>,

    /// The built site (wasm, JS, CSS, assets); defaults to Leptos' setting
    /// (`LEPTOS_SITE_ROOT`, else `target/site`).
    #[arg(long, env = "PEP_SITE_ROOT")]
    pub site_root: Option<PathBuf>,

    /// Log format.
    #[arg(long, env = "PEP_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,

    /// Minutes without a turn after which the playground starts a new
    /// session.
    #[arg(long, env = "PEP_SESSION_IDLE_MINUTES", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=10_080))]
    pub session_idle_minutes: u32,

    /// Host names the server answers for besides loopback ones
    /// (comma-separated; `*` for any, behind a proxy that checks names).
    /// A request naming another host is refused, which stops DNS rebinding.
    #[arg(long, env = "PEP_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,

    /// Seconds that running turns get to finish after SIGTERM or Ctrl-C;
    /// those still running then are cancelled and recorded as cancelled.
    #[arg(long, env = "PEP_SHUTDOWN_GRACE_SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(0..=3_600))]
    pub shutdown_grace_seconds: u64,

    /// Seconds a running turn may go without a heartbeat before it counts
    /// as interrupted (its server is gone); heartbeats come every third.
    #[arg(long, env = "PEP_RUN_LEASE_SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(pep::engine::MIN_RUN_LEASE.as_secs()..=3_600))]
    pub run_lease_seconds: u64,
}

impl Config {
    /// The ready-made schemas: `schemas/` beside the model catalog.
    pub fn schemas_dir(&self) -> PathBuf {
        self.models_config
            .parent()
            .unwrap_or_else(|| std::path::Path::new("."))
            .join("schemas")
    }

    /// The tools file: `tools.yaml` beside the model catalog.
    pub fn tools_file(&self) -> PathBuf {
        self.models_config
            .parent()
            .unwrap_or_else(|| std::path::Path::new("."))
            .join("tools.yaml")
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("pep.db").display()))
    }
}
