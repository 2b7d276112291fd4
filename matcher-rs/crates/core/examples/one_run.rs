//! One `assign_optimal` run for instruction-count profiling:
//! `valgrind --tool=callgrind target/release/examples/one_run 10000x3000 [seed]`.

use matcher_core::synthetic::synthetic_instance;
use matcher_core::{assign_optimal, Weights};

fn main() {
    let mut args = std::env::args().skip(1);
    let size = args.next().unwrap_or_else(|| "10000x3000".to_owned());
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(2026);
    let (nl, nm) = size
        .split_once('x')
        .and_then(|(l, m)| Some((l.parse().ok()?, m.parse().ok()?)))
        .unwrap_or((10000, 3000));
    let (learners, mentors) = synthetic_instance(nl, nm, seed);
    if args.next().as_deref() == Some("gen") {
        // Baseline for instruction counts: generation only.
        println!("{} learners, {} mentors", learners.len(), mentors.len());
        return;
    }
    let r = assign_optimal(&learners, &mentors, &Weights::default()).expect("valid instance");
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
