//! Result fingerprints for before/after comparisons of optimisations:
//! `cargo run --release -p matcher-core --example hashes`.
//!
//! For several seeds x sizes x weight sets, prints an FNV-1a hash over every assigned
//! (learner id, mentor id, score bits, component bits) of `assign_optimal` and
//! `assign_greedy`, plus the bit pattern of each total. Any change in the results (a
//! different assignment, tie-break, or a score off by one ulp) changes the output.
//!
//! These sizes are below `FULL_GRAPH_MAX_PAIRS`, so `assign_optimal` solves the whole graph;
//! the pruned solve (candidates + pricing) is compared with it on every case, and the last
//! line says whether all of them were identical. The final 10,000 x 3,000 line is above it
//! (since `FULL_GRAPH_MAX_PAIRS` is 10^7): there `assign_optimal` is the pruned solve, and its
//! fingerprint is the one the whole-graph solve printed before.

use matcher_core::synthetic::{distance_heavy_weights, synthetic_instance};
use matcher_core::{
    assign_greedy, assign_optimal, assign_optimal_pruned, AssignmentResult, Weights,
};

fn fnv(h: &mut u64, bytes: impl IntoIterator<Item = u8>) {
    for b in bytes {
        *h = (*h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
}

fn fingerprint(r: &AssignmentResult) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for a in &r.assignments {
        fnv(&mut h, a.learner_id.bytes().chain(a.mentor_id.bytes()));
        let c = &a.components;
        for x in [a.score, c.skill, c.distance, c.availability, c.distance_km] {
            fnv(&mut h, x.to_bits().to_le_bytes());
        }
        fnv(&mut h, *b"|");
    }
    for u in &r.unassigned {
        fnv(&mut h, u.bytes().chain(*b"/"));
    }
    h
}

fn main() {
    let weight_sets = [
        ("default", Weights::default()),
        ("distance-heavy", distance_heavy_weights()),
        (
            "no-skill",
            Weights {
                skill: 0.0,
                distance: 0.5,
                availability: 0.5,
                min_score: 0.55,
                distance_scale_km: 300.0,
                remote_distance_factor: 0.1,
            },
        ),
        (
            "low-threshold",
            Weights {
                min_score: 0.15,
                ..Weights::default()
            },
        ),
    ];
    let sizes = [(200, 60), (1000, 300), (3000, 900), (5000, 1500)];
    let mut pruned_differs = Vec::new();
    for (name, w) in &weight_sets {
        for &(nl, nm) in &sizes {
            for seed in [1u64, 7, 2026] {
                let (learners, mentors) = synthetic_instance(nl, nm, seed);
                let o = assign_optimal(&learners, &mentors, w).expect("valid instance");
                let g = assign_greedy(&learners, &mentors, w).expect("valid instance");
                let (p, _) =
                    assign_optimal_pruned(&learners, &mentors, w, None).expect("valid instance");
                if p != o {
                    pruned_differs.push(format!("{name} {nl}x{nm} seed {seed}"));
                }
                println!(
                    "{name:14} {nl:5}x{nm:<5} seed {seed:4}: optimal {:016x} total {:016x} ({} assigned); greedy {:016x} total {:016x}",
                    fingerprint(&o),
                    o.total_score.to_bits(),
                    o.assignments.len(),
                    fingerprint(&g),
                    g.total_score.to_bits(),
                );
            }
        }
    }
    let (learners, mentors) = synthetic_instance(10000, 3000, 2026);
    let o = assign_optimal(&learners, &mentors, &Weights::default()).expect("valid instance");
    println!(
        "default        10000x3000  seed 2026: optimal {:016x} total {:016x} ({} assigned)",
        fingerprint(&o),
        o.total_score.to_bits(),
        o.assignments.len()
    );
    println!(
        "pruned solve identical to the whole-graph solve on every case: {pruned_differs:?} differ"
    );
}
