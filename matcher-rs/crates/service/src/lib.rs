//! HTTP API of the SkillBridge matcher (axum).
//!
//! Routes: `POST /match`, `POST /recommend`, `GET /health`, `GET /metrics` (Prometheus text).
//! Errors are JSON: `{"error": {"code": "...", "message": "...", "field": "..." | null}}` with
//! 400 (malformed JSON), 422 (well-formed but invalid input), 413 (body or job over the limit),
//! 401 (a token is configured and the request lacks it), 404 / 405 (unknown route / method).
//!
//! With a token configured every route but `GET /health` needs `Authorization: Bearer <token>`;
//! the check runs before the body is read and compares in constant time.
//!
//! With a tracer configured (see [`telemetry`]) each request continues the caller's W3C trace.

mod metrics;
pub mod telemetry;

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use matcher_core::{
    Algorithm, AssignmentResult, InputError, Learner, Mentor, Recommendation, Weights,
};
use opentelemetry::Context;
use opentelemetry_sdk::trace::SdkTracer;
use serde::{Deserialize, Serialize};

pub use metrics::Metrics;

/// Default request body limit: 16 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Default cap on learners × mentors per `/match` request, and on mentors per `/recommend`
/// (guards memory and CPU: the eligible graph of a dense request grows with the product).
/// 10,000 waiting learners against 1,000 mentors fit.
pub const DEFAULT_MAX_PAIRS: u64 = 10_000_000;
/// Default number of recommendations.
pub const DEFAULT_K: usize = 10;

/// Service configuration.
#[derive(Clone)]
pub struct Config {
    pub max_body_bytes: usize,
    pub max_pairs: u64,
    /// The shared bearer token (`MATCHER_TOKEN`); `None` leaves the service open (loopback only).
    pub token: Option<String>,
    /// Records a span per request when set ([`telemetry::Telemetry::tracer`]).
    pub tracer: Option<SdkTracer>,
}

impl Default for Config {
    /// 16 MiB bodies, [`DEFAULT_MAX_PAIRS`], no token, no tracing.
    fn default() -> Self {
        Config {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_pairs: DEFAULT_MAX_PAIRS,
            token: None,
            tracer: None,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token.
        f.debug_struct("Config")
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_pairs", &self.max_pairs)
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .field("tracing", &self.tracer.is_some())
            .finish()
    }
}

#[derive(Clone)]
struct AppState {
    metrics: Arc<Metrics>,
    max_pairs: u64,
    token: Option<Arc<[u8]>>,
    tracer: Option<SdkTracer>,
}

/// Whether `given` equals `expected`, in time that depends only on their lengths.
pub fn constant_time_eq(given: &[u8], expected: &[u8]) -> bool {
    let mut diff = u8::from(given.len() != expected.len());
    for (i, e) in expected.iter().enumerate() {
        diff |= e ^ given.get(i).copied().unwrap_or(!e);
    }
    diff == 0
}

/// Build the router.
pub fn app(config: Config) -> Router {
    let state = AppState {
        metrics: Arc::new(Metrics::default()),
        max_pairs: config.max_pairs,
        token: config.token.map(|t| Arc::from(t.into_bytes())),
        tracer: config.tracer,
    };
    Router::new()
        .route("/match", post(match_handler))
        .route("/recommend", post(recommend_handler))
        .route("/health", get(health))
        .route("/metrics", get(metrics_handler))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            telemetry::trace_request,
        ))
        .with_state(state)
}

/// A JSON error response.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    message: String,
    field: Option<String>,
}

impl ApiError {
    fn new(
        status: StatusCode,
        code: &str,
        message: impl Into<String>,
        field: Option<String>,
    ) -> Self {
        ApiError {
            status,
            code: code.to_owned(),
            message: message.into(),
            field,
        }
    }
}

impl From<InputError> for ApiError {
    fn from(e: InputError) -> Self {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            e.code.as_str(),
            e.message,
            Some(e.field),
        )
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
    field: Option<&'a str>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: &self.code,
                message: &self.message,
                field: self.field.as_deref(),
            },
        };
        json_response(self.status, &body)
    }
}

fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            bytes,
        )
            .into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "serialization error").into_response(),
    }
}

/// Field path from serde_path_to_error (`learners[0].lat`), with a missing field's name
/// appended (serde reports those at the enclosing object).
fn field_path(path: &serde_path_to_error::Path, inner: &serde_json::Error) -> Option<String> {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push('?');
            }
        }
    }
    let msg = inner.to_string();
    if let Some(rest) = msg.strip_prefix("missing field `") {
        if let Some(name) = rest.split('`').next() {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(name);
        }
    }
    (!out.is_empty()).then_some(out)
}

fn parse_body<T: for<'de> Deserialize<'de>>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let bytes = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "request body exceeds the configured limit (MATCHER_MAX_BODY_BYTES)",
                None,
            )
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "bad_request", r.body_text(), None)
        }
    })?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = field_path(e.path(), e.inner());
        let inner = e.into_inner();
        json_error(&inner, field)
    })?;
    de.end().map_err(|e| json_error(&e, None))?;
    Ok(value)
}

fn json_error(e: &serde_json::Error, field: Option<String>) -> ApiError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Data => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            match &field {
                Some(f) => format!("{f}: {e}"),
                None => e.to_string(),
            },
            field,
        ),
        Category::Syntax | Category::Eof | Category::Io => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("malformed JSON: {e}"),
            None,
        ),
    }
}

#[derive(Deserialize)]
struct MatchRequest {
    learners: Vec<Learner>,
    mentors: Vec<Mentor>,
    #[serde(default)]
    weights: Option<Weights>,
    #[serde(default)]
    algorithm: Option<Algorithm>,
}

#[derive(Serialize)]
struct MatchResponse {
    #[serde(flatten)]
    result: AssignmentResult,
    elapsed_ms: f64,
}

#[derive(Deserialize)]
struct RecommendRequest {
    learner: Learner,
    mentors: Vec<Mentor>,
    #[serde(default)]
    k: Option<usize>,
    #[serde(default)]
    weights: Option<Weights>,
}

#[derive(Serialize)]
struct RecommendResponse {
    recommendations: Vec<Recommendation>,
}

/// Run the scoring work `f` on the blocking pool, in a span `name` under the request's span.
async fn blocking<T: Send + 'static>(
    state: &AppState,
    name: &'static str,
    f: impl FnOnce() -> Result<T, InputError> + Send + 'static,
) -> Result<T, ApiError> {
    let tracer = state.tracer.clone();
    let parent = Context::current();
    let task = move || telemetry::in_span(tracer.as_ref(), &parent, name, f);
    match tokio::task::spawn_blocking(task).await {
        Ok(r) => r.map_err(ApiError::from),
        Err(_) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the matcher task failed",
            None,
        )),
    }
}

async fn match_handler(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: MatchRequest = parse_body(body)?;
    check_pairs(req.learners.len(), req.mentors.len(), state.max_pairs)?;
    let weights = req.weights.unwrap_or_default();
    let algorithm = req.algorithm.unwrap_or_default();
    let (result, elapsed_ms) = blocking(&state, "matcher.assign", move || {
        let t = Instant::now();
        let r = matcher_core::assign(&req.learners, &req.mentors, &weights, algorithm)?;
        Ok((r, t.elapsed().as_secs_f64() * 1e3))
    })
    .await?;
    Ok(json_response(
        StatusCode::OK,
        &MatchResponse { result, elapsed_ms },
    ))
}

/// 413 `too_many_pairs` when a job is larger than the configured cap.
fn check_pairs(learners: usize, mentors: usize, max_pairs: u64) -> Result<(), ApiError> {
    let pairs = (learners as u64).saturating_mul(mentors as u64);
    if pairs > max_pairs {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_pairs",
            format!(
                "{learners} learners x {mentors} mentors = {pairs} pairs exceeds the limit of {max_pairs} (MATCHER_MAX_PAIRS)"
            ),
            None,
        ));
    }
    Ok(())
}

async fn recommend_handler(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: RecommendRequest = parse_body(body)?;
    check_pairs(1, req.mentors.len(), state.max_pairs)?;
    let weights = req.weights.unwrap_or_default();
    let k = req.k.unwrap_or(DEFAULT_K);
    let recommendations = blocking(&state, "matcher.top_k", move || {
        matcher_core::top_k(&req.learner, &req.mentors, k, &weights)
    })
    .await?;
    Ok(json_response(
        StatusCode::OK,
        &RecommendResponse { recommendations },
    ))
}

async fn health() -> Response {
    json_response(StatusCode::OK, &serde_json::json!({"status": "ok"}))
}

async fn metrics_handler(State(state): State<AppState>) -> Response {
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        state.metrics.render(),
    )
        .into_response()
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route", None)
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed for this route",
        None,
    )
}

pub(crate) fn route_label(path: &str) -> &'static str {
    match path {
        "/match" => "/match",
        "/recommend" => "/recommend",
        "/health" => "/health",
        "/metrics" => "/metrics",
        _ => "unmatched",
    }
}

/// With a token configured, every route but `GET /health` needs `Authorization: Bearer <token>`.
/// Runs before any body is read.
async fn authenticate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(expected) = state.token.as_deref() else {
        return next.run(req).await;
    };
    if req.uri().path() == "/health" {
        return next.run(req).await;
    }
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    if given.is_some_and(|t| constant_time_eq(t.as_bytes(), expected)) {
        return next.run(req).await;
    }
    let mut resp = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "a bearer token is required (MATCHER_TOKEN)",
        None,
    )
    .into_response();
    resp.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    resp
}

async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = route_label(req.uri().path());
    let start = Instant::now();
    let resp = next.run(req).await;
    state
        .metrics
        .observe(route, resp.status().as_u16(), start.elapsed().as_secs_f64());
    resp
}
