//! The OpenTelemetry trace id of a run's span, so a run in the history leads
//! to its spans in the tracing backend. The server installs the
//! OpenTelemetry layer; without it (tests, embedders) spans have no trace
//! and runs carry none.

use opentelemetry::trace::TraceContextExt;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The W3C trace id of `span` (32 lowercase hex digits), if it has one.
pub(super) fn trace_id(span: &tracing::Span) -> Option<String> {
    let context = span.context();
    let otel = context.span();
    let span_context = otel.span_context();
    span_context
        .is_valid()
        .then(|| span_context.trace_id().to_string())
}

#[cfg(test)]
mod tests {
    use super::trace_id;

    #[test]
    fn no_layer_means_no_trace() {
        let span = tracing::info_span!("chat");
        assert_eq!(trace_id(&span), None);
    }
}
