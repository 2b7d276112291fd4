//! Min-of-N wall time of candidate scoring (`graph_stats`) and of `assign_optimal`:
//! `RAYON_NUM_THREADS=1 target/release/examples/scoring_min 5000x1500 20`.

use std::time::Instant;

use matcher_core::synthetic::synthetic_instance;
use matcher_core::{assign_optimal, graph_stats, Weights};

fn main() {
    let mut args = std::env::args().skip(1);
    let size = args.next().unwrap_or_else(|| "5000x1500".to_owned());
    let reps: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20);
    let (nl, nm) = size
        .split_once('x')
        .and_then(|(l, m)| Some((l.parse().ok()?, m.parse().ok()?)))
        .unwrap_or((5000, 1500));
    let (learners, mentors) = synthetic_instance(nl, nm, 2026);
    let w = Weights::default();
    let (mut scoring, mut optimal) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..reps {
        let t = Instant::now();
        std::hint::black_box(graph_stats(&learners, &mentors, &w).expect("valid"));
        scoring = scoring.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        std::hint::black_box(assign_optimal(&learners, &mentors, &w).expect("valid"));
        optimal = optimal.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{nl}x{nm}: scoring min {:.2} ms, assign_optimal min {:.2} ms (of {reps})",
        scoring * 1e3,
        optimal * 1e3
    );
}
