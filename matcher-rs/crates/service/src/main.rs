//! `matcher-service`: HTTP server for the SkillBridge matcher.
//!
//! Environment:
//! - `MATCHER_BIND` (default `127.0.0.1:8001`; `127.0.0.1:0` picks a free port)
//! - `MATCHER_TOKEN` (unset: no authentication, and then only a loopback address may be bound;
//!   set: every route but `GET /health` needs `Authorization: Bearer <token>`, at least 16 bytes)
//! - `MATCHER_MAX_BODY_BYTES` (default 16 MiB)
//! - `MATCHER_MAX_PAIRS` (default 10,000,000 learners × mentors per `/match`, mentors per `/recommend`)
//! - the standard `OTEL_*` variables: traces over OTLP/HTTP, continuing the caller's `traceparent`
//!   (off unless they ask for it; see `matcher_service::telemetry`)
//!
//! The first stdout line is `listening on ADDR` (flushed), so a test harness can start the
//! binary with port 0 and read the port.

use std::io::Write as _;
use std::process::ExitCode;

use matcher_service::telemetry::Telemetry;
use matcher_service::{app, Config, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_PAIRS};

const DEFAULT_BIND: &str = "127.0.0.1:8001";
/// A shorter token is refused: it would be guessable.
const MIN_TOKEN_BYTES: usize = 16;

fn config_from_env() -> Result<(String, Config), String> {
    let bind = std::env::var("MATCHER_BIND").unwrap_or_else(|_| DEFAULT_BIND.to_owned());
    let max_body_bytes = match std::env::var("MATCHER_MAX_BODY_BYTES") {
        Ok(v) => v
            .trim()
            .parse::<usize>()
            .map_err(|e| format!("MATCHER_MAX_BODY_BYTES={v:?}: {e}"))?,
        Err(_) => DEFAULT_MAX_BODY_BYTES,
    };
    let max_pairs = match std::env::var("MATCHER_MAX_PAIRS") {
        Ok(v) => v
            .trim()
            .parse::<u64>()
            .map_err(|e| format!("MATCHER_MAX_PAIRS={v:?}: {e}"))?,
        Err(_) => DEFAULT_MAX_PAIRS,
    };
    let token = match std::env::var("MATCHER_TOKEN") {
        Ok(v) if v.trim().len() >= MIN_TOKEN_BYTES => Some(v.trim().to_owned()),
        Ok(_) => {
            return Err(format!(
                "MATCHER_TOKEN must be at least {MIN_TOKEN_BYTES} bytes"
            ))
        }
        Err(_) => None,
    };
    Ok((
        bind,
        Config {
            max_body_bytes,
            max_pairs,
            token,
            tracer: None,
        },
    ))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

fn main() -> ExitCode {
    let (bind, mut config) = match config_from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("matcher-service: {e}");
            return ExitCode::from(2);
        }
    };
    // Built before the runtime and shut down after it: the exporter's blocking HTTP client must not be
    // created or dropped on a runtime thread.
    let telemetry = match Telemetry::from_env() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("matcher-service: {e}");
            return ExitCode::from(2);
        }
    };
    config.tracer = telemetry.as_ref().map(Telemetry::tracer);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("matcher-service: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let code = runtime.block_on(serve(bind, config));
    drop(runtime);
    if let Some(telemetry) = telemetry {
        // The spans of the last requests are still buffered: export them on the way out.
        if let Err(e) = telemetry.shutdown() {
            eprintln!("matcher-service: exporting the last spans: {e}");
        }
    }
    code
}

async fn serve(bind: String, config: Config) -> ExitCode {
    let listener = match tokio::net::TcpListener::bind(&bind).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("matcher-service: cannot bind {bind}: {e}");
            return ExitCode::from(1);
        }
    };
    match listener.local_addr() {
        Ok(addr) if config.token.is_none() && !addr.ip().is_loopback() => {
            // Learners' coordinates must not be open to the network: without a token, loopback only.
            eprintln!(
                "matcher-service: refusing to listen on {addr} without MATCHER_TOKEN \
                 (set a shared token, or bind a loopback address)"
            );
            return ExitCode::from(2);
        }
        Ok(addr) => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "listening on {addr}");
            let _ = out.flush();
        }
        Err(e) => {
            eprintln!("matcher-service: {e}");
            return ExitCode::from(1);
        }
    }
    if let Err(e) = axum::serve(listener, app(config))
        .with_graceful_shutdown(shutdown_signal())
        .await
    {
        eprintln!("matcher-service: {e}");
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
