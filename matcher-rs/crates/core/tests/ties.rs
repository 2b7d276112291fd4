#![cfg(feature = "parallel")]
//! Where the optimum is not unique, the pruned solve (used from `FULL_GRAPH_MAX_PAIRS` pairs on) may
//! return another optimal assignment than the whole-graph solve. What must hold: the same total, a
//! feasible assignment, and the same answer every time, whatever the number of threads.

use matcher_core::synthetic::synthetic_instance;
use matcher_core::{
    assign_optimal_full, assign_optimal_pruned, AssignmentResult, Learner, Mentor, Weights,
};

/// Every learner and mentor three times over (same skills, place, slots): exact ties everywhere.
fn tripled(learners: usize, mentors: usize, seed: u64) -> (Vec<Learner>, Vec<Mentor>) {
    let (ls, ms) = synthetic_instance(learners, mentors, seed);
    let mut tl = Vec::new();
    let mut tm = Vec::new();
    for copy in 0..3 {
        tl.extend(ls.iter().map(|l| Learner {
            id: format!("{}-{copy}", l.id),
            ..l.clone()
        }));
        tm.extend(ms.iter().map(|m| Mentor {
            id: format!("{}-{copy}", m.id),
            ..m.clone()
        }));
    }
    (tl, tm)
}

fn pruned_on(
    threads: usize,
    learners: &[Learner],
    mentors: &[Mentor],
    k: Option<usize>,
) -> AssignmentResult {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    pool.install(|| {
        assign_optimal_pruned(learners, mentors, &Weights::default(), k)
            .expect("valid")
            .0
    })
}

#[test]
fn the_pruned_solve_of_a_tied_instance_is_optimal_and_the_same_on_one_or_two_threads() {
    let (learners, mentors) = tripled(400, 120, 7);
    let full = assign_optimal_full(&learners, &mentors, &Weights::default()).expect("valid");
    for k in [None, Some(1), Some(4)] {
        let one = pruned_on(1, &learners, &mentors, k);
        let two = pruned_on(2, &learners, &mentors, k);
        assert_eq!(one, two, "k {k:?}: the thread count changed the answer");
        assert_eq!(
            one,
            pruned_on(2, &learners, &mentors, k),
            "k {k:?}: a second run changed the answer"
        );
        assert!(
            (one.total_score - full.total_score).abs() <= 1e-9,
            "k {k:?}: {} vs {}",
            one.total_score,
            full.total_score
        );
        // Feasible: each learner at most once, no mentor past their capacity.
        let mut taken = std::collections::HashMap::<&str, u32>::new();
        let mut seen = std::collections::HashSet::new();
        for pair in &one.assignments {
            assert!(
                seen.insert(pair.learner_id.as_str()),
                "learner {} twice",
                pair.learner_id
            );
            *taken.entry(pair.mentor_id.as_str()).or_default() += 1;
        }
        for mentor in &mentors {
            assert!(
                taken.get(mentor.id.as_str()).copied().unwrap_or(0) <= mentor.capacity,
                "mentor {} over capacity",
                mentor.id
            );
        }
    }
}
