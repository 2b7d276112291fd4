//! End-to-end timings on synthetic data: `cargo run --release -p matcher-core --example perf`.
//!
//! Prints the eligible share, the best-of-N wall time of `assign_optimal`, the greedy total
//! for comparison, and the process peak RSS (Linux) after each size.

use std::time::Instant;

use matcher_core::synthetic::synthetic_instance;
use matcher_core::{assign_greedy, assign_optimal, graph_stats, Learner, MentorIndex, Weights};

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sizes: Vec<(usize, usize)> = if args.is_empty() {
        vec![(1000, 300), (5000, 1500), (10000, 3000)]
    } else {
        args.iter()
            .filter_map(|a| {
                let (l, m) = a.split_once('x')?;
                Some((l.parse().ok()?, m.parse().ok()?))
            })
            .collect()
    };
    let w = Weights::default();
    if std::env::var_os("PERF_OPTIMAL_ONLY").is_some() {
        // For `perf stat`: only the optimal assignment, three times per size.
        for (nl, nm) in sizes {
            let (learners, mentors) = synthetic_instance(nl, nm, 42);
            for _ in 0..3 {
                let r = assign_optimal(&learners, &mentors, &w).expect("valid instance");
                std::hint::black_box(r);
            }
        }
        return;
    }
    for (nl, nm) in sizes {
        let (learners, mentors) = synthetic_instance(nl, nm, 42);
        let base = peak_rss_mb();
        let t = Instant::now();
        let stats = graph_stats(&learners, &mentors, &w).expect("valid instance");
        let scoring_ms = t.elapsed().as_secs_f64() * 1e3;

        let reps = if nl <= 1000 {
            20
        } else if nl <= 5000 {
            5
        } else {
            3
        };
        let mut best = f64::INFINITY;
        let mut total = 0.0;
        let mut assigned = 0;
        for _ in 0..reps {
            let t = Instant::now();
            let r = assign_optimal(&learners, &mentors, &w).expect("valid instance");
            best = best.min(t.elapsed().as_secs_f64());
            total = r.total_score;
            assigned = r.assignments.len();
        }
        let t = Instant::now();
        let g = assign_greedy(&learners, &mentors, &w).expect("valid instance");
        let greedy_s = t.elapsed().as_secs_f64();
        println!(
            "{nl}x{nm}: eligible {:.2}% ({} pairs, scoring {scoring_ms:.1} ms), optimal best of {reps}: {:.1} ms, total {:.4}, assigned {}; greedy {:.1} ms total {:.4}; peak RSS {:.0} MB (+{:.0} MB over inputs)",
            stats.eligible_share * 100.0,
            stats.eligible_pairs,
            best * 1e3,
            total,
            assigned,
            greedy_s * 1e3,
            g.total_score,
            peak_rss_mb(),
            peak_rss_mb() - base,
        );
    }

    let (learners, mentors) = synthetic_instance(1000, 100_000, 7);
    let index = MentorIndex::new(mentors).expect("valid mentors");
    let queries: Vec<&Learner> = learners.iter().take(200).collect();
    let t = Instant::now();
    let mut found = 0;
    for l in &queries {
        found += index.top_k(l, 10, &w).expect("valid").len();
    }
    let per = t.elapsed().as_secs_f64() / queries.len() as f64;
    println!(
        "top_k(k=10) over 100000 mentors: {:.3} ms per query ({} results over {} queries)",
        per * 1e3,
        found,
        queries.len()
    );
}
