//! Structured logs and traces through `tracing`. `RUST_LOG` filters
//! (default: info for PEP, warn for dependencies).
//!
//! Every span also becomes an OpenTelemetry span: an SDK tracer provider is
//! always installed, so each run gets a real W3C trace id that is stored with
//! it and shown in the playground. The spans leave the process only when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)
//! names a collector: they are then exported over OTLP HTTP/protobuf, in
//! batches from a background thread. The standard `OTEL_*` variables
//! (headers, timeout, `OTEL_SERVICE_NAME`) apply.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use opentelemetry_sdk::Resource;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::LogFormat;

/// The variables that turn the exporter on.
const ENDPOINT_VARIABLES: [&str; 2] = [
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
];

/// Telemetry that cannot start.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("the OTLP trace exporter cannot start: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
}

/// The installed tracer provider. [`Telemetry::shutdown`] sends the spans
/// still buffered.
#[derive(Debug)]
pub struct Telemetry {
    provider: SdkTracerProvider,
}

impl Telemetry {
    /// Whether spans are exported to a collector.
    pub fn exporting() -> bool {
        ENDPOINT_VARIABLES
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
    }

    /// Flushes and stops the exporter.
    pub fn shutdown(self) {
        if let Err(e) = self.provider.shutdown() {
            eprintln!("stopping the trace exporter: {e}");
        }
    }
}

/// Installs the log output and the OpenTelemetry layer as the global
/// subscriber. If one is installed already (a second call, in tests) the
/// first stays and this one only returns its provider.
pub fn init(format: LogFormat) -> Result<Telemetry, TelemetryError> {
    let provider = tracer_provider()?;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("warn,pep=info,pep_server=info,server=info,tower_http=info")
    });
    let output = match format {
        LogFormat::Text => tracing_subscriber::fmt::layer().boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .boxed(),
    };
    let traces = tracing_opentelemetry::layer().with_tracer(provider.tracer("pep"));
    let result = tracing_subscriber::registry()
        .with(filter)
        .with(output)
        .with(traces)
        .try_init();
    if let Err(e) = result {
        eprintln!("logging was already set up: {e}");
    }
    Ok(Telemetry { provider })
}

fn tracer_provider() -> Result<SdkTracerProvider, TelemetryError> {
    let service = std::env::var("OTEL_SERVICE_NAME").unwrap_or_else(|_| "pep".into());
    let builder = SdkTracerProvider::builder()
        .with_resource(Resource::builder().with_service_name(service).build());
    let builder = if Telemetry::exporting() {
        // Endpoint, headers and timeout come from the OTEL_* variables.
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .build()?;
        builder.with_batch_exporter(exporter)
    } else {
        builder
    };
    Ok(builder.build())
}
