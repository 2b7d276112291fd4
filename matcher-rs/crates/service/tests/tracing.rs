//! Trace continuation: a request carrying a W3C `traceparent` gets a server span in the caller's
//! trace, a child of the caller's span, and the scoring work a span under it. Spans are kept by an
//! exporter that records what it is given (the OTLP export itself is tested end to end in pytest:
//! tests/e2e/test_tracing_export.py).

use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use axum::Router;
use matcher_service::telemetry::{parent_context, Telemetry};
use matcher_service::{app, Config};
use opentelemetry::trace::{SpanId, SpanKind, TraceContextExt as _, TraceId};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use serde_json::json;
use tower::ServiceExt;

/// Keeps every exported span.
#[derive(Clone, Debug, Default)]
struct Recorder(Arc<Mutex<Vec<SpanData>>>);

impl SpanExporter for Recorder {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.0.lock().expect("recorder").extend(batch);
        Ok(())
    }
}

impl Recorder {
    fn spans(&self) -> Vec<SpanData> {
        self.0.lock().expect("recorder").clone()
    }
}

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN_ID: &str = "00f067aa0ba902b7";

fn traced_app() -> (Router, Recorder, Telemetry) {
    let recorder = Recorder::default();
    let telemetry = Telemetry::with_provider(
        SdkTracerProvider::builder().with_simple_exporter(recorder.clone()),
    );
    let app = app(Config {
        tracer: Some(telemetry.tracer()),
        ..Config::default()
    });
    (app, recorder, telemetry)
}

async fn post(app: &Router, uri: &str, body: String, traceparent: Option<&str>) -> StatusCode {
    let mut req = Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", "application/json");
    if let Some(tp) = traceparent {
        req = req.header("traceparent", tp);
    }
    let resp = app
        .clone()
        .oneshot(req.body(Body::from(body)).expect("request"))
        .await
        .expect("infallible");
    let status = resp.status();
    to_bytes(resp.into_body(), usize::MAX).await.expect("body");
    status
}

async fn get(app: &Router, uri: &str) -> StatusCode {
    let req = Request::builder()
        .uri(uri)
        .body(Body::empty())
        .expect("request");
    app.clone().oneshot(req).await.expect("infallible").status()
}

fn match_body() -> String {
    json!({
        "learners": [{"id": "l1", "skills": ["python"], "lat": 0.0, "lon": 0.0, "remote_ok": false,
                      "hours_per_week": 2.0, "slots": [10, 11], "languages": ["en"]}],
        "mentors": [{"id": "m1", "skills": ["python"], "lat": 0.0, "lon": 1.0, "slots": [10, 11],
                     "languages": ["en"], "capacity": 1}],
    })
    .to_string()
}

fn attribute(span: &SpanData, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.to_string())
}

#[tokio::test]
async fn a_request_with_traceparent_continues_the_callers_trace() {
    let (app, recorder, _telemetry) = traced_app();
    let traceparent = format!("00-{TRACE_ID}-{CALLER_SPAN_ID}-01");
    assert_eq!(
        post(&app, "/match", match_body(), Some(&traceparent)).await,
        StatusCode::OK
    );
    let spans = recorder.spans();
    let server: Vec<_> = spans.iter().filter(|s| s.name == "POST /match").collect();
    assert_eq!(server.len(), 1, "{spans:?}");
    let server = server[0];
    assert_eq!(server.span_kind, SpanKind::Server);
    assert_eq!(
        server.span_context.trace_id(),
        TraceId::from_hex(TRACE_ID).expect("hex")
    );
    assert_eq!(
        server.parent_span_id,
        SpanId::from_hex(CALLER_SPAN_ID).expect("hex")
    );
    assert!(server.parent_span_is_remote);
    assert_eq!(attribute(server, "http.route").as_deref(), Some("/match"));
    assert_eq!(
        attribute(server, "http.response.status_code").as_deref(),
        Some("200")
    );
    let work: Vec<_> = spans
        .iter()
        .filter(|s| s.name == "matcher.assign")
        .collect();
    assert_eq!(work.len(), 1, "{spans:?}");
    assert_eq!(
        work[0].span_context.trace_id(),
        server.span_context.trace_id()
    );
    assert_eq!(work[0].parent_span_id, server.span_context.span_id());
    assert!(!work[0].parent_span_is_remote);
}

#[tokio::test]
async fn without_traceparent_the_request_starts_a_trace() {
    let (app, recorder, _telemetry) = traced_app();
    let body = json!({
        "learner": {"id": "l1", "skills": ["python"], "lat": 0.0, "lon": 0.0, "remote_ok": false,
                    "hours_per_week": 2.0, "slots": [10], "languages": ["en"]},
        "mentors": [],
    })
    .to_string();
    assert_eq!(post(&app, "/recommend", body, None).await, StatusCode::OK);
    let spans = recorder.spans();
    let server: Vec<_> = spans
        .iter()
        .filter(|s| s.name == "POST /recommend")
        .collect();
    assert_eq!(server.len(), 1, "{spans:?}");
    assert_eq!(server[0].parent_span_id, SpanId::INVALID);
    assert_ne!(server[0].span_context.trace_id(), TraceId::INVALID);
    let work: Vec<_> = spans.iter().filter(|s| s.name == "matcher.top_k").collect();
    assert_eq!(work.len(), 1, "{spans:?}");
    assert_eq!(work[0].parent_span_id, server[0].span_context.span_id());
}

#[tokio::test]
async fn a_malformed_traceparent_starts_a_new_trace_and_the_request_still_succeeds() {
    let (app, recorder, _telemetry) = traced_app();
    let bad = format!("00-{TRACE_ID}-{CALLER_SPAN_ID}");
    assert_eq!(
        post(&app, "/match", match_body(), Some(&bad)).await,
        StatusCode::OK
    );
    let spans = recorder.spans();
    let server: Vec<_> = spans.iter().filter(|s| s.name == "POST /match").collect();
    assert_eq!(server.len(), 1, "{spans:?}");
    assert_eq!(server[0].parent_span_id, SpanId::INVALID);
    assert_ne!(
        server[0].span_context.trace_id(),
        TraceId::from_hex(TRACE_ID).expect("hex")
    );
}

#[tokio::test]
async fn a_rejected_request_is_traced_with_its_status() {
    let (app, recorder, _telemetry) = traced_app();
    assert_eq!(
        post(&app, "/match", "{".to_owned(), None).await,
        StatusCode::BAD_REQUEST
    );
    let spans = recorder.spans();
    assert_eq!(spans.len(), 1, "{spans:?}");
    assert_eq!(spans[0].name, "POST /match");
    assert_eq!(
        attribute(&spans[0], "http.response.status_code").as_deref(),
        Some("400")
    );
}

#[tokio::test]
async fn probes_and_scrapes_are_not_traced() {
    let (app, recorder, _telemetry) = traced_app();
    assert_eq!(get(&app, "/health").await, StatusCode::OK);
    assert_eq!(get(&app, "/metrics").await, StatusCode::OK);
    assert!(recorder.spans().is_empty(), "{:?}", recorder.spans());
    // Positive control: the same app records a traced route.
    assert_eq!(
        post(&app, "/match", match_body(), None).await,
        StatusCode::OK
    );
    assert_eq!(recorder.spans().len(), 2);
}

#[test]
fn parent_context_reads_the_w3c_header() {
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        "traceparent",
        format!("00-{TRACE_ID}-{CALLER_SPAN_ID}-01")
            .parse()
            .expect("header"),
    );
    let cx = parent_context(&headers);
    let span = cx.span();
    let sc = span.span_context();
    assert!(sc.is_remote());
    assert!(sc.is_sampled());
    assert_eq!(sc.trace_id(), TraceId::from_hex(TRACE_ID).expect("hex"));
    assert_eq!(sc.span_id(), SpanId::from_hex(CALLER_SPAN_ID).expect("hex"));
    assert!(!parent_context(&axum::http::HeaderMap::new())
        .span()
        .span_context()
        .is_valid());
}
