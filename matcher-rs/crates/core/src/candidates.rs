//! Eligible-pair generation: the sparse bipartite graph in CSR form.

use crate::prepared::{best_first, MentorLookup, PreparedLearner, PreparedMentors, RowScratch};
use crate::types::{Learner, Weights};

/// Learners per parallel work item.
#[cfg(feature = "parallel")]
const CHUNK: usize = 32;

/// How many of a learner's best edges come first, in order, in its row.
pub(crate) const ROW_TOP: usize = 32;

/// Eligible edges of every learner, in learner order. Within a learner: its `ROW_TOP` best
/// edges first (score descending, then mentor index), then the others, each of them scoring
/// at most the `ROW_TOP + 1`-th best (in no particular but deterministic order).
#[derive(Debug, Clone, Default)]
pub(crate) struct Candidates {
    /// `offsets[i]..offsets[i + 1]` are learner `i`'s edges.
    pub offsets: Vec<usize>,
    pub mentor: Vec<u32>,
    pub score: Vec<f64>,
}

impl Candidates {
    #[inline]
    pub fn range(&self, learner: usize) -> std::ops::Range<usize> {
        self.offsets[learner]..self.offsets[learner + 1]
    }

    pub fn num_edges(&self) -> usize {
        self.mentor.len()
    }
}

struct Block {
    counts: Vec<usize>,
    mentor: Vec<u32>,
    score: Vec<f64>,
    /// Per learner (best-k rows only): the score of its last kept edge when some eligible
    /// edges were left out (they score at most that), or `-1.0` when the row is complete.
    bound: Vec<f64>,
}

fn score_block(
    pm: &PreparedMentors,
    lookup: &MentorLookup,
    pls: &[PreparedLearner],
    w: &Weights,
    exact: bool,
    best: Option<usize>,
) -> Block {
    let mut block = Block {
        counts: Vec::with_capacity(pls.len()),
        mentor: Vec::new(),
        score: Vec::new(),
        bound: Vec::new(),
    };
    let mut row: Vec<(f64, u32)> = Vec::new();
    let mut buf: Vec<(f64, u32)> = Vec::new();
    let mut scratch = RowScratch::default();
    for (done, pl) in pls.iter().enumerate() {
        row.clear();
        if let Some(k) = best {
            // Comes best first, fully sorted.
            let complete = pm.best_row(
                lookup,
                pl,
                w,
                exact,
                k,
                None,
                &mut row,
                &mut scratch,
                &mut buf,
            );
            let last = row.last().map_or(-1.0, |&(s, _)| s);
            block.bound.push(if complete { -1.0 } else { last });
        } else {
            pm.eligible_row(lookup, pl, w, exact, &mut row, &mut scratch);
            if row.len() > ROW_TOP {
                row.select_nth_unstable_by_key(ROW_TOP, best_first);
                row[..ROW_TOP].sort_unstable_by_key(best_first);
            } else {
                row.sort_unstable_by_key(best_first);
            }
        }
        // Grow for the rest of the block at this row's size at once: far fewer reallocation
        // copies than doubling on demand.
        if block.mentor.capacity() - block.mentor.len() < row.len() {
            let more = row.len() * (pls.len() - done);
            block.mentor.reserve(more);
            block.score.reserve(more);
        }
        // Best first; equal scores by mentor index.
        block.mentor.extend(row.iter().map(|&(_, m)| m));
        block.score.extend(row.iter().map(|&(s, _)| s));
        block.counts.push(row.len());
    }
    block
}

/// Prepare every learner and collect its eligible mentors (parallel over learner chunks
/// with the `parallel` feature; the result is identical either way). `exact` selects
/// reference-exact edge scores (greedy) instead of the fast ones (optimal).
pub(crate) fn build(
    pm: &PreparedMentors,
    learners: &[Learner],
    w: &Weights,
    exact: bool,
) -> (Vec<PreparedLearner>, Candidates) {
    let lookup = MentorLookup::new(pm);
    let (pls, cand, _) = build_rows(pm, &lookup, learners, w, exact, None);
    (pls, cand)
}

/// Like [`build`], but each learner keeps only its `k` best eligible edges, best first
/// (score descending, then mentor index). Also returns, per learner, the score bound of
/// the edges left out (`-1.0` when none were).
pub(crate) fn build_best(
    pm: &PreparedMentors,
    lookup: &MentorLookup,
    learners: &[Learner],
    w: &Weights,
    exact: bool,
    k: usize,
) -> (Vec<PreparedLearner>, Candidates, Vec<f64>) {
    build_rows(pm, lookup, learners, w, exact, Some(k))
}

fn build_rows(
    pm: &PreparedMentors,
    lookup: &MentorLookup,
    learners: &[Learner],
    w: &Weights,
    exact: bool,
    best: Option<usize>,
) -> (Vec<PreparedLearner>, Candidates, Vec<f64>) {
    #[cfg(feature = "parallel")]
    let (pls, blocks) = {
        use rayon::prelude::*;
        let pls: Vec<PreparedLearner> = learners.par_iter().map(|l| pm.learner(l, w)).collect();
        let blocks: Vec<Block> = pls
            .par_chunks(CHUNK)
            .map(|chunk| score_block(pm, lookup, chunk, w, exact, best))
            .collect();
        (pls, blocks)
    };
    #[cfg(not(feature = "parallel"))]
    let (pls, blocks) = {
        let pls: Vec<PreparedLearner> = learners.iter().map(|l| pm.learner(l, w)).collect();
        let blocks = vec![score_block(pm, lookup, &pls, w, exact, best)];
        (pls, blocks)
    };

    let total: usize = blocks.iter().map(|b| b.mentor.len()).sum();
    let mut c = Candidates {
        offsets: Vec::with_capacity(learners.len() + 1),
        mentor: Vec::with_capacity(total),
        score: Vec::with_capacity(total),
    };
    c.offsets.push(0);
    let mut bound = Vec::with_capacity(if best.is_some() { learners.len() } else { 0 });
    for b in blocks {
        bound.extend_from_slice(&b.bound);
        for &k in &b.counts {
            let last = c.offsets.last().copied().unwrap_or(0);
            c.offsets.push(last + k);
        }
        c.mentor.extend_from_slice(&b.mentor);
        c.score.extend_from_slice(&b.score);
    }
    (pls, c, bound)
}
