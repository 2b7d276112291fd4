//! Greedy assignment without the whole eligible graph.
//!
//! The rule is the global one: eligible pairs by score descending (ties: learner index,
//! then mentor index), each taken while its learner is free and its mentor has room. Only
//! a free learner's *next* pair can ever be taken, so it is enough to keep, in a heap, the
//! next pair of every free learner: the heap's best is the next pair of the global order
//! that is not already skipped because its learner is assigned. Each learner starts with
//! its `k` best pairs. A learner that runs through them while still free (every one of those
//! mentors filled up before its turn) gets the next stretch of its row: its best pairs among
//! the mentors that still have room (a full mentor stays full, so its pairs would only be
//! skipped; and every pair of the learner seen so far has a full mentor, so the stretch
//! continues the row), twice as long as its previous one. The result is exactly that of
//! sorting every eligible pair.
//!
//! Those stretches are scored in parallel batches: a learner whose last known pair (the
//! one in the heap) has a mentor that is already full is certain to need the next stretch
//! when that pair comes up, so every such learner is scored with the first one that does.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::assign::NONE;
use crate::candidates::Candidates;
use crate::prepared::{MentorLookup, PreparedLearner, PreparedMentors, RowScratch};
use crate::types::Weights;

/// Candidates per learner of the greedy's first pass.
pub(crate) const GREEDY_K: usize = 2;

/// Length of a learner's first stretch after its first-pass candidates (each further
/// stretch of the same learner is twice as long as its previous one).
const REFILL_K: usize = 4;

/// Batches of stretches smaller than this are scored on the calling thread: waking the
/// pool's threads costs more than a few row scans (hundreds of small batches at 1,000 x 300).
#[cfg(feature = "parallel")]
const PARALLEL_MIN_BATCH: usize = 16;

/// A learner's next pair in the heap: the greatest is taken first (score bits descending,
/// then learner index ascending, then mentor index ascending).
type Next = (u64, Reverse<u32>, Reverse<u32>);

/// Greedy over `cand` (each learner's best pairs, best first, reference scores) and
/// `bound` (`< 0` when a row holds all of the learner's eligible pairs), scoring the rest
/// of a row, a stretch at a time, only when the learner needs it. Returns each learner's
/// mentor or `NONE`.
pub(crate) fn greedy_lazy(
    pm: &PreparedMentors,
    lookup: &MentorLookup,
    pls: &[PreparedLearner],
    w: &Weights,
    cand: &Candidates,
    bound: &[f64],
) -> Vec<u32> {
    let n = pls.len();
    let nm = pm.len();
    let capacity = &pm.capacity;
    let mut load = vec![0u32; nm];
    let mut assigned = vec![NONE; n];
    let mut rows = Rows {
        next: cand.offsets[..n].to_vec(),
        rest: vec![Vec::new(); n],
        complete: bound.iter().map(|&b| b < 0.0).collect(),
    };
    let mut stretch: Vec<u32> = vec![REFILL_K as u32; n];
    // The mentors with room, as a bitset (the stretches visit no other mentor).
    let mut open = vec![0u64; nm.div_ceil(64)];
    for (m, &c) in capacity.iter().enumerate() {
        if c > 0 {
            open[m / 64] |= 1u64 << (m % 64);
        }
    }
    let mut watches = Watches::new(nm, n);
    let mut heap: BinaryHeap<Next> = BinaryHeap::with_capacity(n);
    for i in 0..n {
        push_next(i, cand, &mut rows, &load, capacity, &mut heap, &mut watches);
    }
    let mut batch: Vec<usize> = Vec::new();
    while let Some((_, Reverse(i), Reverse(m))) = heap.pop() {
        let (i, mu) = (i as usize, m as usize);
        if load[mu] < capacity[mu] {
            load[mu] += 1;
            assigned[i] = m;
            if load[mu] == capacity[mu] {
                open[mu / 64] &= !(1u64 << (mu % 64));
                watches.filled(mu, &assigned);
            }
            continue;
        }
        if rows.knows_no_more(i, cand) {
            // `i` is among the doomed (its last pair's mentor is full): score the next
            // stretch of every one of them. Which learners are scored in a batch changes only
            // the time, never the result (each is certain to need its stretch, and a mentor
            // full now stays full).
            batch.clear();
            batch.extend(watches.doomed.drain(..).map(|j| j as usize));
            debug_assert!(batch.contains(&i));
            let stretches = next_stretches(pm, lookup, pls, w, &batch, &stretch, &open);
            for (&j, (row, done)) in batch.iter().zip(stretches) {
                rows.rest[j] = row;
                rows.complete[j] = done;
                stretch[j] = stretch[j].saturating_mul(2);
            }
        }
        push_next(i, cand, &mut rows, &load, capacity, &mut heap, &mut watches);
    }
    assigned
}

/// Learners whose last known pair is in the heap and whose row goes on: listed under that
/// pair's mentor (`head`, linked through `next`) until the mentor fills up, then in `doomed`
/// (they will need their next stretch) until they get it.
struct Watches {
    head: Vec<u32>,
    next: Vec<u32>,
    doomed: Vec<u32>,
}

impl Watches {
    fn new(mentors: usize, learners: usize) -> Self {
        Self {
            head: vec![NONE; mentors],
            next: vec![NONE; learners],
            doomed: Vec::new(),
        }
    }

    /// Learner `i`'s last known pair, with mentor `m`, went into the heap: doomed at once if
    /// `m` is `full`, else watched under `m`.
    fn watch(&mut self, i: usize, m: usize, full: bool) {
        if full {
            self.doomed.push(i as u32);
        } else {
            self.next[i] = self.head[m];
            self.head[m] = i as u32;
        }
    }

    /// Mentor `m` just filled up: every free learner watching it now needs its next stretch.
    fn filled(&mut self, m: usize, assigned: &[u32]) {
        let mut j = std::mem::replace(&mut self.head[m], NONE);
        while j != NONE {
            if assigned[j as usize] == NONE {
                self.doomed.push(j);
            }
            j = self.next[j as usize];
        }
    }
}

/// What each learner knows of its row: the index of its next candidate (`next`), the stretch
/// scored last after its candidates, reversed (popped from the end), and whether its row is
/// known to its end (`complete`).
struct Rows {
    next: Vec<usize>,
    rest: Vec<Vec<(f64, u32)>>,
    complete: Vec<bool>,
}

impl Rows {
    /// Learner `i`'s next pair: its next candidate, else the next of its scored rest.
    fn next_pair(&mut self, i: usize, cand: &Candidates) -> Option<Next> {
        let (s, m) = if self.next[i] < cand.offsets[i + 1] {
            let e = self.next[i];
            self.next[i] += 1;
            (cand.score[e], cand.mentor[e])
        } else {
            self.rest[i].pop()?
        };
        Some((s.to_bits(), Reverse(i as u32), Reverse(m)))
    }

    /// Whether learner `i` has handed out every pair it knows while its row goes on.
    fn knows_no_more(&self, i: usize, cand: &Candidates) -> bool {
        self.next[i] == cand.offsets[i + 1] && self.rest[i].is_empty() && !self.complete[i]
    }
}

/// Push learner `i`'s next pair, if it has one; if that is the last pair it knows (its row
/// goes on past it), watch it under that pair's mentor.
fn push_next(
    i: usize,
    cand: &Candidates,
    rows: &mut Rows,
    load: &[u32],
    capacity: &[u32],
    heap: &mut BinaryHeap<Next>,
    watches: &mut Watches,
) {
    if let Some(x) = rows.next_pair(i, cand) {
        heap.push(x);
        let m = x.2 .0 as usize;
        if rows.knows_no_more(i, cand) {
            watches.watch(i, m, load[m] >= capacity[m]);
        }
    }
}

/// For each learner `j` of `batch` (every pair of its row known so far has a full mentor):
/// its `stretch[j]` best pairs (reference scores) among the mentors of `open`, reversed,
/// and whether they are all of its eligible pairs with those mentors.
fn next_stretches(
    pm: &PreparedMentors,
    lookup: &MentorLookup,
    pls: &[PreparedLearner],
    w: &Weights,
    batch: &[usize],
    stretch: &[u32],
    open: &[u64],
) -> Vec<(Vec<(f64, u32)>, bool)> {
    let one = |j: usize, (scratch, buf): &mut (RowScratch, Vec<(f64, u32)>)| {
        let mut row = Vec::new();
        let done = pm.best_row(
            lookup,
            &pls[j],
            w,
            true,
            stretch[j] as usize,
            Some(open),
            &mut row,
            scratch,
            buf,
        );
        row.reverse();
        (row, done)
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        if batch.len() >= PARALLEL_MIN_BATCH {
            return batch
                .par_iter()
                .map_init(
                    || (RowScratch::default(), Vec::new()),
                    |scratch, &j| one(j, scratch),
                )
                .collect();
        }
    }
    let mut scratch = (RowScratch::default(), Vec::new());
    batch.iter().map(|&j| one(j, &mut scratch)).collect()
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
