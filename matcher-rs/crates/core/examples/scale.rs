//! Timings of `assign_optimal` (whole graph or pruned, as it chooses) and the greedy:
//! `cargo run --release -p matcher-core --example scale -- 20000x6000 100000x30000`.
//!
//! Per size: optimal time, pricing statistics (candidates per learner, passes, edges
//! added, rows scanned; all 0 for a whole-graph solve), greedy time, both totals and the
//! peak RSS growth. Best of 5 calls each up to 10,000 learners, one call past that. With
//! `SCALE_PRUNED=1` the pruned solve is used at every size; with `SCALE_FULL=1` the
//! whole-graph solve also runs, checked to give the same assignment.

use std::time::Instant;

use matcher_core::synthetic::synthetic_instance;
use matcher_core::{
    assign_greedy, assign_optimal_full, assign_optimal_pruned, assign_optimal_with_stats, Weights,
};

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
        let reps = if nl <= 10_000 { 5 } else { 1 };
        let pruned = std::env::var_os("SCALE_PRUNED").is_some();
        let (mut opt_s, mut greedy_s) = (f64::INFINITY, f64::INFINITY);
        let mut opt_peak = f64::NAN;
        let mut last = None;
        for rep in 0..reps {
            let t = Instant::now();
            let r = if pruned {
                assign_optimal_pruned(&learners, &mentors, &w, None)
            } else {
                assign_optimal_with_stats(&learners, &mentors, &w)
            }
            .expect("valid");
            opt_s = opt_s.min(t.elapsed().as_secs_f64());
            if rep == 0 {
                opt_peak = rss_mb("VmHWM:") - base; // the first call's, before any greedy
            }
            let t = Instant::now();
            let g = assign_greedy(&learners, &mentors, &w).expect("valid");
            greedy_s = greedy_s.min(t.elapsed().as_secs_f64());
            last = Some((r, g));
        }
        let ((o, stats), g) = last.expect("at least one call");
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
