//! Large-size timings of the pruned exact solve (whatever the size) and the greedy:
//! `cargo run --release -p matcher-core --example scale -- 20000x6000 100000x30000`.
//!
//! Per size: optimal time, pricing statistics (candidates per learner, passes, edges
//! added, rows scanned), greedy time, both totals and the peak RSS growth. With
//! `SCALE_FULL=1` also the unpruned solve, checked to give the same assignment.

use std::time::Instant;

use matcher_core::synthetic::synthetic_instance;
use matcher_core::{assign_greedy, assign_optimal_full, assign_optimal_pruned, Weights};

fn rss_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let sizes: Vec<(usize, usize)> = std::env::args()
        .skip(1)
        .filter_map(|a| {
            let (l, m) = a.split_once('x')?;
            Some((l.parse().ok()?, m.parse().ok()?))
        })
        .collect();
    let w = Weights::default();
    for (nl, nm) in sizes {
        let (learners, mentors) = synthetic_instance(nl, nm, 2026);
        let base = rss_mb("VmRSS:");
        let t = Instant::now();
        let (o, stats) = assign_optimal_pruned(&learners, &mentors, &w, None).expect("valid");
        let opt_s = t.elapsed().as_secs_f64();
        let opt_peak = rss_mb("VmHWM:") - base;
        let t = Instant::now();
        let g = assign_greedy(&learners, &mentors, &w).expect("valid");
        let greedy_s = t.elapsed().as_secs_f64();
        println!(
            "{nl}x{nm}: optimal {:.1} ms total {:.4} ({} assigned) {stats:?}; greedy {:.1} ms total {:.4} ({:.2}x faster); peak RSS +{:.0} MB",
            opt_s * 1e3,
            o.total_score,
            o.assignments.len(),
            greedy_s * 1e3,
            g.total_score,
            opt_s / greedy_s,
            opt_peak,
        );
        if std::env::var_os("SCALE_FULL").is_some() {
            let t = Instant::now();
            let f = assign_optimal_full(&learners, &mentors, &w).expect("valid");
            println!(
                "  full solve {:.1} ms total {:.4}; same assignment: {}",
                t.elapsed().as_secs_f64() * 1e3,
                f.total_score,
                f == o
            );
        }
    }
}
