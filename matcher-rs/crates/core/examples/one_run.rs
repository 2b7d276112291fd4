//! One `assign_optimal` run for instruction-count profiling:
//! `valgrind --tool=callgrind target/release/examples/one_run 10000x3000 [seed] [gen|greedy]`
//! (`gen`: generation only, the baseline; `greedy`: one `assign_greedy` run instead; `greedyK`,
//! e.g. `greedy4`: the greedy starting from K candidates per learner;
//! `pruned`: the pruned solve with pricing whatever the size; `full`: the whole-graph solve).

use matcher_core::synthetic::synthetic_instance;
use matcher_core::{
    assign_greedy, assign_optimal, assign_optimal_full, assign_optimal_pruned, AssignmentResult,
    InputError, Learner, Mentor, Weights,
};

fn run(
    mode: Option<&str>,
    learners: &[Learner],
    mentors: &[Mentor],
    w: &Weights,
) -> Result<AssignmentResult, InputError> {
    match mode {
        Some("greedy") => assign_greedy(learners, mentors, w),
        Some(g) if g.starts_with("greedy") => {
            let k = g["greedy".len()..].parse().expect("greedy<k>");
            matcher_core::assign_greedy_lazy(learners, mentors, w, k)
        }
        Some("pruned") => assign_optimal_pruned(learners, mentors, w, None).map(|(r, _)| r),
        Some("full") => assign_optimal_full(learners, mentors, w),
        _ => assign_optimal(learners, mentors, w),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let size = args.next().unwrap_or_else(|| "10000x3000".to_owned());
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(2026);
    let (nl, nm) = size
        .split_once('x')
        .and_then(|(l, m)| Some((l.parse().ok()?, m.parse().ok()?)))
        .unwrap_or((10000, 3000));
    let (learners, mentors) = synthetic_instance(nl, nm, seed);
    let mode = args.next();
    if mode.as_deref() == Some("gen") {
        // Baseline for instruction counts: generation only.
        println!("{} learners, {} mentors", learners.len(), mentors.len());
        return;
    }
    // `ONE_RUN_REPEAT=N`: N calls (for sampling profilers at small sizes), the last reported.
    let repeat: usize = std::env::var("ONE_RUN_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    for _ in 1..repeat {
        let r = run(mode.as_deref(), &learners, &mentors, &Weights::default());
        std::hint::black_box(r.expect("valid instance"));
    }
    let r = run(mode.as_deref(), &learners, &mentors, &Weights::default()).expect("valid instance");
    // FNV-1a over the assigned (learner, mentor) ids: identical results give identical hashes.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for a in &r.assignments {
        for b in a.learner_id.bytes().chain(a.mentor_id.bytes()).chain(*b"|") {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!(
        "{nl}x{nm} seed {seed}: total {:.9}, assigned {}, hash {h:016x}",
        r.total_score,
        r.assignments.len()
    );
}
