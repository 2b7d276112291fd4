//! `matcher-service`: HTTP server for the SkillBridge matcher.
//!
//! Environment:
//! - `MATCHER_BIND` (default `127.0.0.1:8001`; `127.0.0.1:0` picks a free port)
//! - `MATCHER_TOKEN` (unset: no authentication, and then only a loopback address may be bound;
//!   set: every route but `GET /health` needs `Authorization: Bearer <token>`, at least 16 bytes)
//! - `MATCHER_MAX_BODY_BYTES` (default 16 MiB)
//! - `MATCHER_MAX_PAIRS` (default 10,000,000 learners × mentors per `/match`, mentors per `/recommend`)
//!
//! The first stdout line is `listening on ADDR` (flushed), so a test harness can start the
//! binary with port 0 and read the port.

use std::io::Write as _;
use std::process::ExitCode;

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

#[tokio::main]
async fn main() -> ExitCode {
    let (bind, config) = match config_from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("matcher-service: {e}");
            return ExitCode::from(2);
        }
    };
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
