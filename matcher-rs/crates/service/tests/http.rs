//! Integration tests: the router through tower's `oneshot`, and the real binary on
//! 127.0.0.1:0.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use axum::Router;
use matcher_core::synthetic::synthetic_instance;
use matcher_service::{app, Config};
use serde_json::{json, Value};
use tower::ServiceExt;

async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    body: impl Into<Body>,
) -> (StatusCode, Value, String) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(body.into())
        .expect("request");
    let resp = app.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.expect("body");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, value, text)
}

fn instance(nl: usize, nm: usize) -> (Value, Value) {
    let (l, m) = synthetic_instance(nl, nm, 5);
    (
        serde_json::to_value(l).expect("learners"),
        serde_json::to_value(m).expect("mentors"),
    )
}

fn learner() -> Value {
    json!({"id": "l1", "skills": ["python"], "lat": 0.0, "lon": 0.0, "remote_ok": false,
           "hours_per_week": 2.0, "slots": [10, 11], "languages": ["en"]})
}

fn mentor(id: &str) -> Value {
    json!({"id": id, "skills": ["python"], "lat": 0.0, "lon": 1.0, "slots": [10, 11],
           "languages": ["en"], "capacity": 1})
}

fn assert_error(v: &Value, code: &str, field: Option<&str>) {
    assert_eq!(v["error"]["code"], code, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{v}"
    );
    match field {
        Some(f) => assert_eq!(v["error"]["field"], f, "{v}"),
        None => assert!(v["error"]["field"].is_null(), "{v}"),
    }
}

#[tokio::test]
async fn health_is_ok() {
    let app = app(Config::default());
    let (status, v, _) = call(&app, "GET", "/health", Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v, json!({"status": "ok"}));
}

#[tokio::test]
async fn match_optimal_and_greedy() {
    let app = app(Config::default());
    let (learners, mentors) = instance(120, 40);
    let body = json!({"learners": learners, "mentors": mentors}).to_string();
    let (status, opt, text) = call(&app, "POST", "/match", body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(opt["algorithm"], "optimal");
    assert!(opt["elapsed_ms"].as_f64().is_some_and(|x| x >= 0.0));
    let assignments = opt["assignments"].as_array().expect("assignments");
    let unassigned = opt["unassigned"].as_array().expect("unassigned");
    assert_eq!(assignments.len() + unassigned.len(), 120);
    let first = &assignments[0];
    for k in ["learner_id", "mentor_id", "score", "components"] {
        assert!(!first[k].is_null(), "missing {k}");
    }
    for k in ["skill", "distance", "availability", "distance_km"] {
        assert!(first["components"][k].is_number(), "missing components.{k}");
    }
    let sum: f64 = assignments
        .iter()
        .map(|a| a["score"].as_f64().unwrap_or(0.0))
        .sum();
    assert!((sum - opt["total_score"].as_f64().unwrap_or(-1.0)).abs() < 1e-9);

    let body = json!({"learners": learners, "mentors": mentors, "algorithm": "greedy",
                      "weights": {"min_score": 0.4}})
    .to_string();
    let (status, gr, _) = call(&app, "POST", "/match", body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(gr["algorithm"], "greedy");
    assert!(gr["total_score"].as_f64() <= opt["total_score"].as_f64().map(|x| x + 1e-9));
}

#[tokio::test]
async fn recommend_top_k() {
    let app = app(Config::default());
    let body =
        json!({"learner": learner(), "mentors": [mentor("a"), mentor("b"), mentor("c")], "k": 2})
            .to_string();
    let (status, v, text) = call(&app, "POST", "/recommend", body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let recs = v["recommendations"].as_array().expect("recommendations");
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["mentor_id"], "a");
    assert_eq!(recs[1]["mentor_id"], "b");
    assert!(recs[0]["score"].is_number());
    assert!(recs[0]["components"]["distance_km"]
        .as_f64()
        .is_some_and(|d| d > 111.0 && d < 112.0));

    // k defaults to 10; weights may be null.
    let body = json!({"learner": learner(), "mentors": [mentor("a")], "weights": null}).to_string();
    let (status, v, _) = call(&app, "POST", "/recommend", body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["recommendations"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = app(Config::default());
    for body in [
        "{",
        "not json",
        "{\"learners\": [], \"mentors\": []} trailing",
        "",
    ] {
        let (status, v, _) = call(&app, "POST", "/match", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?}");
        assert_error(&v, "malformed_json", None);
    }
}

#[tokio::test]
async fn invalid_input_is_422_with_field() {
    let app = app(Config::default());
    let mut bad = learner();
    bad["id"] = json!("l2");
    bad["lat"] = json!(100.0);
    let body = json!({"learners": [learner(), bad], "mentors": [mentor("a")]}).to_string();
    let (status, v, _) = call(&app, "POST", "/match", body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&v, "out_of_range", Some("learners[1].lat"));

    let body = json!({"learners": [], "mentors": [mentor("a")]}).to_string();
    let (status, v, _) = call(&app, "POST", "/match", body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&v, "empty_list", Some("learners"));

    let body = json!({"learners": [learner()], "mentors": [mentor("a"), mentor("a")]}).to_string();
    let (_, v, _) = call(&app, "POST", "/match", body).await;
    assert_error(&v, "duplicate_id", Some("mentors[1].id"));

    let body =
        json!({"learners": [learner()], "mentors": [mentor("a")], "weights": {"min_score": 2}})
            .to_string();
    let (_, v, _) = call(&app, "POST", "/match", body).await;
    assert_error(&v, "out_of_range", Some("weights.min_score"));

    // Type errors and missing fields name the field too.
    let mut bad = mentor("a");
    bad["capacity"] = json!("three");
    let body = json!({"learners": [learner()], "mentors": [bad]}).to_string();
    let (status, v, _) = call(&app, "POST", "/match", body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&v, "invalid_request", Some("mentors[0].capacity"));

    let mut bad = learner();
    bad.as_object_mut().map(|o| o.remove("slots"));
    let body = json!({"learners": [bad], "mentors": [mentor("a")]}).to_string();
    let (_, v, _) = call(&app, "POST", "/match", body).await;
    assert_error(&v, "invalid_request", Some("learners[0].slots"));

    let body = json!({"learners": [learner()], "mentors": [mentor("a")], "algorithm": "fastest"})
        .to_string();
    let (_, v, _) = call(&app, "POST", "/match", body).await;
    assert_error(&v, "invalid_request", Some("algorithm"));

    let mut bad = learner();
    bad["slots"] = json!([1, 500]);
    let body = json!({"learner": bad, "mentors": [mentor("a")]}).to_string();
    let (status, v, _) = call(&app, "POST", "/recommend", body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&v, "out_of_range", Some("learner.slots[1]"));
}

#[tokio::test]
async fn body_over_limit_is_413() {
    let app = app(Config {
        max_body_bytes: 1024,
        ..Config::default()
    });
    let (learners, mentors) = instance(50, 10);
    let body = json!({"learners": learners, "mentors": mentors}).to_string();
    assert!(body.len() > 1024);
    let (status, v, _) = call(&app, "POST", "/match", body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error(&v, "payload_too_large", None);
}

#[tokio::test]
async fn a_job_over_the_pair_cap_is_413() {
    let app = app(Config {
        max_pairs: 10,
        ..Config::default()
    });
    let (learners, mentors) = instance(4, 3);
    let body = json!({"learners": learners, "mentors": mentors}).to_string();
    let (status, v, _) = call(&app, "POST", "/match", body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error(&v, "too_many_pairs", None);
    // 3 x 3 = 9 pairs fit (positive control).
    let (learners, mentors) = instance(3, 3);
    let body = json!({"learners": learners, "mentors": mentors}).to_string();
    let (status, _, text) = call(&app, "POST", "/match", body).await;
    assert_eq!(status, StatusCode::OK, "{text}");

    let many: Vec<Value> = (0..11).map(|i| mentor(&format!("m{i}"))).collect();
    let body = json!({"learner": learner(), "mentors": many}).to_string();
    let (status, v, _) = call(&app, "POST", "/recommend", body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error(&v, "too_many_pairs", None);
    let body = json!({"learner": learner(), "mentors": &many[..10]}).to_string();
    let (status, _, text) = call(&app, "POST", "/recommend", body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
}

#[test]
fn the_default_pair_cap_is_ten_million() {
    assert_eq!(Config::default().max_pairs, 10_000_000);
    assert_eq!(Config::default().max_body_bytes, 16 * 1024 * 1024);
    assert!(Config::default().token.is_none());
}

const TOKEN: &str = "a-shared-matcher-token-for-tests";

async fn call_with(
    app: &Router,
    uri: &str,
    authorization: Option<&str>,
    body: String,
) -> StatusCode {
    let mut req = Request::builder()
        .method(if uri == "/health" || uri == "/metrics" {
            "GET"
        } else {
            "POST"
        })
        .uri(uri)
        .header("content-type", "application/json");
    if let Some(value) = authorization {
        req = req.header("authorization", value);
    }
    let resp = app
        .clone()
        .oneshot(req.body(Body::from(body)).expect("request"))
        .await
        .expect("infallible");
    let status = resp.status();
    if status == StatusCode::UNAUTHORIZED {
        assert_eq!(resp.headers()["www-authenticate"], "Bearer");
        let bytes = to_bytes(resp.into_body(), usize::MAX).await.expect("body");
        let v: Value = serde_json::from_slice(&bytes).expect("json");
        assert_error(&v, "unauthorized", None);
    }
    status
}

#[tokio::test]
async fn with_a_token_every_route_but_health_needs_it() {
    let app = app(Config {
        token: Some(TOKEN.to_owned()),
        ..Config::default()
    });
    let body = json!({"learner": learner(), "mentors": [mentor("a")]}).to_string();
    let wrong = format!("Bearer {TOKEN}x");
    let short = format!("Bearer {}", &TOKEN[..TOKEN.len() - 1]);
    let basic = format!("Basic {TOKEN}");
    for refused in [
        None,
        Some(wrong.as_str()),
        Some(short.as_str()),
        Some(basic.as_str()),
        Some("Bearer "),
    ] {
        assert_eq!(
            call_with(&app, "/recommend", refused, body.clone()).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            call_with(&app, "/match", refused, "{}".into()).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            call_with(&app, "/metrics", refused, String::new()).await,
            StatusCode::UNAUTHORIZED
        );
    }
    // Refused before the body is parsed: malformed JSON is still a 401, not a 400.
    assert_eq!(
        call_with(&app, "/match", None, "{not json".into()).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call_with(&app, "/health", None, String::new()).await,
        StatusCode::OK
    );
    let good = format!("Bearer {TOKEN}");
    assert_eq!(
        call_with(&app, "/recommend", Some(&good), body.clone()).await,
        StatusCode::OK
    );
    let lower = format!("bearer {TOKEN}");
    assert_eq!(
        call_with(&app, "/recommend", Some(&lower), body).await,
        StatusCode::OK
    );
    assert_eq!(
        call_with(&app, "/metrics", Some(&good), String::new()).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn without_a_token_the_service_is_open() {
    let app = app(Config::default());
    let body = json!({"learner": learner(), "mentors": [mentor("a")]}).to_string();
    assert_eq!(
        call_with(&app, "/recommend", None, body).await,
        StatusCode::OK
    );
}

#[test]
fn constant_time_eq_compares_whole_values() {
    use matcher_service::constant_time_eq;
    assert!(constant_time_eq(b"abc", b"abc"));
    assert!(!constant_time_eq(b"abd", b"abc"));
    assert!(!constant_time_eq(b"ab", b"abc"));
    assert!(!constant_time_eq(b"abcd", b"abc"));
    assert!(!constant_time_eq(b"", b"abc"));
}

fn run_binary(envs: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_matcher-service"));
    command.env_remove("MATCHER_TOKEN");
    for (k, v) in envs {
        command.env(k, v);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn matcher-service");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    let _ = BufReader::new(stdout).read_line(&mut line);
    if line.starts_with("listening on ") {
        let _ = child.kill();
        let _ = child.wait();
        return (None, line);
    }
    let status = child.wait().expect("wait");
    let mut err = String::new();
    let _ = child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err);
    (status.code(), err)
}

#[test]
fn the_binary_refuses_a_public_address_without_a_token() {
    let (code, err) = run_binary(&[("MATCHER_BIND", "0.0.0.0:0")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("MATCHER_TOKEN"), "{err}");
    let (code, err) = run_binary(&[("MATCHER_BIND", "127.0.0.1:0"), ("MATCHER_TOKEN", "short")]);
    assert_eq!(code, Some(2), "{err}");
    // With a token it listens there (positive control).
    let (code, line) = run_binary(&[("MATCHER_BIND", "0.0.0.0:0"), ("MATCHER_TOKEN", TOKEN)]);
    assert_eq!(code, None, "{line}");
    assert!(line.starts_with("listening on 0.0.0.0:"), "{line}");
}

#[tokio::test]
async fn unknown_route_and_method() {
    let app = app(Config::default());
    let (status, v, _) = call(&app, "GET", "/nope", Body::empty()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&v, "not_found", None);
    let (status, v, _) = call(&app, "GET", "/match", Body::empty()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error(&v, "method_not_allowed", None);
}

#[tokio::test]
async fn metrics_count_routes_and_statuses() {
    let app = app(Config::default());
    call(&app, "GET", "/health", Body::empty()).await;
    call(&app, "GET", "/health", Body::empty()).await;
    call(&app, "POST", "/match", "{").await;
    let (status, _, text) = call(&app, "GET", "/metrics", Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.contains("# TYPE matcher_http_requests_total counter"),
        "{text}"
    );
    assert!(
        text.contains("matcher_http_requests_total{route=\"/health\",status=\"200\"} 2"),
        "{text}"
    );
    assert!(
        text.contains("matcher_http_requests_total{route=\"/match\",status=\"400\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("# TYPE matcher_http_request_duration_seconds histogram"),
        "{text}"
    );
    assert!(
        text.contains(
            "matcher_http_request_duration_seconds_bucket{route=\"/health\",le=\"+Inf\"} 2"
        ),
        "{text}"
    );
    assert!(
        text.contains("matcher_http_request_duration_seconds_count{route=\"/match\"} 1"),
        "{text}"
    );
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http(addr: &str, request: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s.write_all(request.as_bytes()).expect("write");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn binary_listens_on_port_zero_and_serves() {
    let child = Command::new(env!("CARGO_BIN_EXE_matcher-service"))
        .env("MATCHER_BIND", "127.0.0.1:0")
        .env("MATCHER_MAX_BODY_BYTES", "2048")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn matcher-service");
    let mut server = Server(child);
    let stdout = server.0.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(
        addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
        "{addr}"
    );

    let resp = http(
        &addr,
        "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("{\"status\":\"ok\"}"), "{resp}");

    let body = json!({"learner": learner(), "mentors": [mentor("a")]}).to_string();
    let req = format!(
        "POST /recommend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        body
    );
    let resp = http(&addr, &req);
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("\"mentor_id\":\"a\""), "{resp}");

    let big = "x".repeat(4096);
    let req = format!(
        "POST /match HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        big.len(),
        big
    );
    let resp = http(&addr, &req);
    assert!(resp.starts_with("HTTP/1.1 413"), "{resp}");
    assert!(resp.contains("payload_too_large"), "{resp}");
}

/// Every known-answer case that JSON can carry, through `/match`.
#[tokio::test]
async fn known_answers_over_http() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/known_answers.json"
    ))
    .expect("known_answers.json");
    let file: Value = serde_json::from_str(&text).expect("json");
    let app = app(Config::default());
    let mut checked = 0;
    for case in file["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().unwrap_or("?");
        if case.get("patch").is_some() {
            continue; // NaN/Infinity cannot be sent as JSON
        }
        for algorithm in ["optimal", "greedy"] {
            let mut body = case["input"].clone();
            body["algorithm"] = json!(algorithm);
            let (status, v, text) = call(&app, "POST", "/match", body.to_string()).await;
            if case["kind"] == "error" {
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {text}");
                assert_error(
                    &v,
                    case["expected_error"]["code"].as_str().unwrap_or_default(),
                    case["expected_error"]["field"].as_str(),
                );
            } else {
                assert_eq!(status, StatusCode::OK, "{name}: {text}");
                let key = format!("{algorithm}_total");
                let want = case["expected"][&key].as_f64().expect("total");
                let got = v["total_score"].as_f64().expect("total_score");
                assert!(
                    (got - want).abs() <= 1e-9,
                    "{name} {algorithm}: {got} vs {want}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 50, "only {checked} checks");
}
