//! Greedy assignment without the whole eligible graph.
//!
//! The rule is the global one: eligible pairs by score descending (ties: learner index,
//! then mentor index), each taken while its learner is free and its mentor has room. Only
//! a free learner's *next* pair can ever be taken, so it is enough to keep, in a heap, the
//! next pair of every free learner: the heap's best is the next pair of the global order
//! that is not already skipped because its learner is assigned. Each learner starts with
//! its `k` best pairs; a learner that runs through them while still free (every one of
//! those mentors filled up before its turn) gets the rest of its row scored then, once,
//! leaving out the mentors already full (a full mentor stays full, so those pairs would
//! only be skipped). The result is exactly that of sorting every eligible pair.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::assign::NONE;
use crate::candidates::Candidates;
use crate::prepared::{best_first, MentorLookup, PreparedLearner, PreparedMentors, RowScratch};
use crate::types::Weights;

/// Candidates per learner of the greedy's first pass.
pub(crate) const GREEDY_K: usize = 8;

/// A learner's next pair in the heap: the greatest is taken first (score bits descending,
/// then learner index ascending, then mentor index ascending).
type Next = (u64, Reverse<u32>, Reverse<u32>);

/// Greedy over `cand` (each learner's best pairs, best first, reference scores) and
/// `bound` (`< 0` when a row holds all of the learner's eligible pairs), scoring a row in
/// full only when the learner needs it. Returns each learner's mentor or `NONE`.
pub(crate) fn greedy_lazy(
    pm: &PreparedMentors,
    lookup: &MentorLookup,
    pls: &[PreparedLearner],
    w: &Weights,
    cand: &Candidates,
    bound: &[f64],
) -> Vec<u32> {
    let n = pls.len();
    let capacity = &pm.capacity;
    let mut load = vec![0u32; capacity.len()];
    let mut assigned = vec![NONE; n];
    let mut next: Vec<usize> = cand.offsets[..n].to_vec();
    // Rows scored in full when a learner ran out of candidates: what follows its last
    // candidate, reversed (popped from the end). `refilled` so that happens once.
    let mut rest: Vec<Vec<(f64, u32)>> = vec![Vec::new(); n];
    let mut refilled: Vec<bool> = bound.iter().map(|&b| b < 0.0).collect();

    // Free learners with at most a quarter of their candidates left (and a rest to score):
    // scored early, in parallel, with the next learner that runs out. Kept as a list so a
    // refill costs in proportion to its batch, not to the number of learners.
    let mut soon: Vec<u32> = Vec::new();
    let mut in_soon = vec![false; n];

    let mut heap: BinaryHeap<Next> = BinaryHeap::with_capacity(n);
    for i in 0..n {
        if let Some(x) = next_pair(i, cand, &mut next, &mut rest) {
            heap.push(x);
        }
    }
    while let Some((_, Reverse(i), Reverse(m))) = heap.pop() {
        let (i, mu) = (i as usize, m as usize);
        if load[mu] < capacity[mu] {
            load[mu] += 1;
            assigned[i] = m;
            rest[i] = Vec::new(); // scored early but not needed
            continue;
        }
        if next[i] == cand.offsets[i + 1] && !refilled[i] {
            // Score the rest of this row, and with it (in parallel) those of the other free
            // learners about to need theirs. Which rows are scored early changes only the
            // time, never the result: a mentor full now stays full, so leaving its pairs
            // out of a rest removes only pairs the loop would skip.
            let mut batch: Vec<usize> = vec![i];
            batch.extend(
                soon.drain(..)
                    .map(|j| j as usize)
                    .filter(|&j| j != i && !refilled[j] && assigned[j] == NONE),
            );
            let rows = rest_of_rows(pm, lookup, pls, w, cand, &batch, &load);
            for (&j, row) in batch.iter().zip(rows) {
                rest[j] = row;
                refilled[j] = true;
            }
        }
        if let Some(x) = next_pair(i, cand, &mut next, &mut rest) {
            heap.push(x);
        }
        let r = cand.range(i);
        if !refilled[i] && !in_soon[i] && 4 * (r.end - next[i]) <= r.len() {
            in_soon[i] = true;
            soon.push(i as u32);
        }
    }
    assigned
}

/// Learner `i`'s next pair: its next candidate, else the next of its scored rest.
fn next_pair(
    i: usize,
    cand: &Candidates,
    next: &mut [usize],
    rest: &mut [Vec<(f64, u32)>],
) -> Option<Next> {
    let (s, m) = if next[i] < cand.offsets[i + 1] {
        let e = next[i];
        next[i] += 1;
        (cand.score[e], cand.mentor[e])
    } else {
        rest[i].pop()?
    };
    Some((s.to_bits(), Reverse(i as u32), Reverse(m)))
}

/// For each learner of `batch` (each with a non-empty, incomplete candidate row): its
/// eligible pairs that come after its last candidate in the order, reversed, except those
/// with a mentor already full at `load` (never scored).
fn rest_of_rows(
    pm: &PreparedMentors,
    lookup: &MentorLookup,
    pls: &[PreparedLearner],
    w: &Weights,
    cand: &Candidates,
    batch: &[usize],
    load: &[u32],
) -> Vec<Vec<(f64, u32)>> {
    // The mentors with room, as a bitset: the scans visit no other (late in the greedy, when
    // rows run out, most mentors are full).
    let mut open = vec![0u64; pm.len().div_ceil(64)];
    for (m, (&l, &c)) in load.iter().zip(&pm.capacity).enumerate() {
        if l < c {
            open[m / 64] |= 1u64 << (m % 64);
        }
    }
    let one = |i: usize, scratch: &mut RowScratch| {
        let mut row = Vec::new();
        let pl = &pls[i];
        pm.scan_row(
            lookup,
            pl,
            w,
            w.min_score,
            false,
            Some(&open),
            scratch,
            |m, sb, cs| {
                if let Some(s) = pm.pair_score(pl, w, true, m, sb, cs) {
                    row.push((s, m as u32));
                }
                None
            },
        );
        row.sort_unstable_by_key(best_first);
        let last = cand.offsets[i + 1] - 1;
        let last_key = best_first(&(cand.score[last], cand.mentor[last]));
        let from = row.partition_point(|x| best_first(x) <= last_key);
        row.drain(..from);
        row.reverse();
        row
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        batch
            .par_iter()
            .map_init(RowScratch::default, |scratch, &i| one(i, scratch))
            .collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        let mut scratch = RowScratch::default();
        batch.iter().map(|&i| one(i, &mut scratch)).collect()
    }
}

#[cfg(test)]
mod tests {
    //! The lazy greedy must be the sorted greedy exactly, including when learners run out
    //! of candidates and their rows are scored in batches.

    use crate::assign::{assign_greedy_full, assign_greedy_lazy};
    use crate::synthetic::synthetic_instance;
    use crate::types::Weights;

    #[test]
    fn equals_the_sorted_greedy_on_synthetic_instances_whatever_k() {
        let low = Weights {
            min_score: 0.15,
            ..Weights::default()
        };
        for w in [Weights::default(), low] {
            // 300 and 150 mentors: reference scores straight from the scan; 1,200: fast
            // scores, re-scored.
            for (nl, nm, seed) in [(1000, 300, 1u64), (900, 150, 2026), (2000, 1200, 3)] {
                let (learners, mentors) = synthetic_instance(nl, nm, seed);
                let want = assign_greedy_full(&learners, &mentors, &w).expect("valid");
                for k in [1, 2, 8] {
                    let got = assign_greedy_lazy(&learners, &mentors, &w, k).expect("valid");
                    assert_eq!(got, want, "{nl}x{nm} seed {seed} k {k}");
                }
            }
        }
    }

    #[test]
    fn equals_the_sorted_greedy_when_scores_tie_across_learners_and_mentors() {
        // Every mentor and learner appears three times (same skills, place, slots): exact
        // ties everywhere, broken by learner then mentor index, and the fast scan's guard
        // band must not let a tie fall out of a row or change places.
        // 1,200 mentors: the rows are scanned with fast scores and re-scored.
        let (learners, mentors) = synthetic_instance(300, 400, 11);
        let mut tl = Vec::new();
        let mut tm = Vec::new();
        for copy in 0..3 {
            for l in &learners {
                tl.push(crate::Learner {
                    id: format!("{}-{copy}", l.id),
                    ..l.clone()
                });
            }
            for m in &mentors {
                tm.push(crate::Mentor {
                    id: format!("{}-{copy}", m.id),
                    ..m.clone()
                });
            }
        }
        let w = Weights::default();
        let want = assign_greedy_full(&tl, &tm, &w).expect("valid");
        for k in [1, 2, 3, 8] {
            let got = assign_greedy_lazy(&tl, &tm, &w, k).expect("valid");
            assert_eq!(got, want, "k {k}");
        }
    }
}
