//! `cargo bench -p matcher-core` — end-to-end assignment (scoring + assignment) at the
//! target sizes, and top-k over 100,000 mentors with a prebuilt `MentorIndex`.
//! Sample sizes and measurement times are kept small so the whole run takes a few minutes.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use matcher_core::synthetic::synthetic_instance;
use matcher_core::{assign_greedy, assign_optimal, graph_stats, MentorIndex, Weights};

fn assignment(c: &mut Criterion) {
    let w = Weights::default();
    let mut group = c.benchmark_group("assign_optimal");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(8));
    for (nl, nm) in [(1000usize, 300usize), (5000, 1500), (10000, 3000)] {
        let (learners, mentors) = synthetic_instance(nl, nm, 42);
        if let Ok(s) = graph_stats(&learners, &mentors, &w) {
            eprintln!(
                "{nl}x{nm}: {} eligible pairs ({:.2}% of {})",
                s.eligible_pairs,
                s.eligible_share * 100.0,
                s.pairs
            );
        }
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{nl}x{nm}")),
            &(learners, mentors),
            |b, (l, m)| b.iter(|| assign_optimal(black_box(l), black_box(m), &w)),
        );
    }
    group.finish();

    let mut group = c.benchmark_group("assign_greedy");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    let (learners, mentors) = synthetic_instance(5000, 1500, 42);
    group.bench_function("5000x1500", |b| {
        b.iter(|| assign_greedy(black_box(&learners), black_box(&mentors), &w))
    });
    group.finish();
}

fn topk(c: &mut Criterion) {
    let w = Weights::default();
    let (learners, mentors) = synthetic_instance(64, 100_000, 7);
    let index = MentorIndex::new(mentors).expect("valid synthetic mentors");
    let mut group = c.benchmark_group("top_k");
    group.sample_size(30);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(4));
    group.bench_function("k10_over_100000_mentors", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % learners.len();
            index.top_k(black_box(&learners[i]), 10, &w)
        })
    });
    group.finish();
}

criterion_group!(benches, assignment, topk);
criterion_main!(benches);
