//! Tracing: the caller's W3C `traceparent` in, spans out over OTLP/HTTP (protobuf).
//!
//! Off unless the standard `OTEL_*` variables ask for it, with the same rules as the Python side
//! (`skillbridge.main.tracing`): on when `OTEL_EXPORTER_OTLP_ENDPOINT` or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, or `OTEL_TRACES_EXPORTER` names an exporter
//! (`none` keeps it off); `OTEL_SDK_DISABLED=true` turns it off whatever else is set. The exporter
//! and the batch processor read the rest (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_BSP_*`,
//! `OTEL_RESOURCE_ATTRIBUTES`); the service is named `matcher-service` unless `OTEL_SERVICE_NAME`
//! says otherwise.
//!
//! Each traced request gets a server span named `METHOD /route`, a child of the caller's span when
//! the request carries a valid `traceparent` (else the root of a new trace), and the scoring work
//! a child span of its own. `/health` and `/metrics` are not traced (probes and scrapes would
//! bury the requests that matter).

use std::borrow::Cow;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use opentelemetry::context::FutureExt as _;
use opentelemetry::propagation::{Extractor, TextMapPropagator as _};
use opentelemetry::trace::{
    SpanKind, Status, TraceContextExt as _, Tracer as _, TracerProvider as _,
};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use opentelemetry_sdk::Resource;

use crate::AppState;

/// The service's name in traces when `OTEL_SERVICE_NAME` is unset.
pub const DEFAULT_SERVICE_NAME: &str = "matcher-service";
const ENDPOINT_VARIABLES: [&str; 2] = [
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
];

/// Whether the `OTEL_*` variables (read through `var`) ask for traces.
pub fn tracing_requested(var: impl Fn(&str) -> Option<String>) -> bool {
    if var("OTEL_SDK_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
        return false;
    }
    if let Some(exporter) = var("OTEL_TRACES_EXPORTER") {
        let exporter = exporter.trim().to_ascii_lowercase();
        return !exporter.is_empty() && exporter != "none";
    }
    ENDPOINT_VARIABLES
        .iter()
        .any(|name| var(name).is_some_and(|v| !v.trim().is_empty()))
}

/// The process's tracer provider; [`Telemetry::shutdown`] exports what is still buffered.
pub struct Telemetry {
    provider: SdkTracerProvider,
}

impl Telemetry {
    /// A provider exporting over OTLP/HTTP in batches, if the environment asks for traces.
    ///
    /// Call it outside any tokio runtime: the exporter's blocking HTTP client runs its own.
    pub fn from_env() -> Result<Option<Telemetry>, String> {
        if !tracing_requested(|name| std::env::var(name).ok()) {
            return Ok(None);
        }
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .build()
            .map_err(|e| format!("OTLP exporter: {e}"))?;
        Ok(Some(Telemetry::with_provider(
            SdkTracerProvider::builder()
                .with_resource(resource())
                .with_batch_exporter(exporter),
        )))
    }

    /// Telemetry over a provider built elsewhere (tests: an exporter that keeps the spans).
    pub fn with_provider(builder: opentelemetry_sdk::trace::TracerProviderBuilder) -> Telemetry {
        Telemetry {
            provider: builder.build(),
        }
    }

    /// The tracer the routes record with.
    pub fn tracer(&self) -> SdkTracer {
        self.provider.tracer("matcher-service")
    }

    /// Export the buffered spans and stop.
    pub fn shutdown(self) -> Result<(), String> {
        self.provider.shutdown().map_err(|e| e.to_string())
    }
}

/// `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` win; else the service is `matcher-service`.
fn resource() -> Resource {
    let builder = Resource::builder();
    if std::env::var("OTEL_SERVICE_NAME").is_ok_and(|v| !v.trim().is_empty()) {
        builder.build()
    } else {
        builder.with_service_name(DEFAULT_SERVICE_NAME).build()
    }
}

struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

/// The caller's context from `traceparent` / `tracestate` (empty when absent or malformed).
pub fn parent_context(headers: &HeaderMap) -> Context {
    TraceContextPropagator::new().extract(&HeaderExtractor(headers))
}

/// A server span around every traced request; the handler runs with it as the current context.
pub(crate) async fn trace_request(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let Some(tracer) = state.tracer.as_ref() else {
        return next.run(req).await;
    };
    let route = crate::route_label(req.uri().path());
    if matches!(route, "/health" | "/metrics") {
        return next.run(req).await;
    }
    let method = req.method().as_str().to_owned();
    let parent = parent_context(req.headers());
    let span = tracer
        .span_builder(format!("{method} {route}"))
        .with_kind(SpanKind::Server)
        .with_attributes([
            KeyValue::new("http.request.method", method),
            KeyValue::new("http.route", route),
            KeyValue::new("url.path", req.uri().path().to_owned()),
        ])
        .start_with_context(tracer, &parent);
    let cx = parent.with_span(span);
    let resp = next.run(req).with_context(cx.clone()).await;
    let span = cx.span();
    let status = resp.status();
    span.set_attribute(KeyValue::new(
        "http.response.status_code",
        i64::from(status.as_u16()),
    ));
    if status.is_server_error() {
        span.set_status(Status::error(Cow::Borrowed("server error")));
    }
    span.end();
    resp
}

/// Run `work` inside a span named `name`, a child of `parent`'s span (when tracing is on).
pub(crate) fn in_span<T>(
    tracer: Option<&SdkTracer>,
    parent: &Context,
    name: &'static str,
    work: impl FnOnce() -> T,
) -> T {
    let Some(tracer) = tracer else {
        return work();
    };
    let span = tracer
        .span_builder(name)
        .with_kind(SpanKind::Internal)
        .start_with_context(tracer, parent);
    let cx = parent.with_span(span);
    let result = work();
    cx.span().end();
    result
}

#[cfg(test)]
mod tests {
    use super::tracing_requested;
    use std::collections::HashMap;

    fn requested(vars: &[(&str, &str)]) -> bool {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        tracing_requested(|name| vars.get(name).cloned())
    }

    #[test]
    fn off_unless_the_variables_ask() {
        assert!(!requested(&[]));
        assert!(!requested(&[("OTEL_SERVICE_NAME", "x")]));
        assert!(!requested(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "  ")]));
    }

    #[test]
    fn an_endpoint_or_a_named_exporter_turns_it_on() {
        assert!(requested(&[(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "http://c:4318"
        )]));
        assert!(requested(&[(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "http://c:4318/v1/traces"
        )]));
        assert!(requested(&[("OTEL_TRACES_EXPORTER", "otlp")]));
    }

    #[test]
    fn none_and_disabled_win() {
        assert!(!requested(&[
            ("OTEL_TRACES_EXPORTER", "none"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
        ]));
        assert!(!requested(&[
            ("OTEL_SDK_DISABLED", "TRUE"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
        ]));
    }
}
