//! Exact assignment on a pruned candidate set, proved optimal by pricing the pairs left out.
//!
//! Each learner keeps only its `k` best eligible mentors ([`candidates_per_learner`] picks
//! `k` from the capacities). The min-cost flow on that small graph returns potentials
//! `u` (learners) and `p` (mentors) with `u[i] + p[m] >= w(i, m)` on every candidate edge,
//! equality on assigned edges, `u = 0` for unassigned learners and `p = 0` for mentors with
//! room. If that inequality also holds for every *omitted* eligible pair, the potentials
//! are a feasible dual of the full problem with the same objective (complementary
//! slackness), so the assignment is optimal for the full eligible graph too.
//!
//! The pricing pass checks exactly that, streaming: it scores the omitted pairs learner by
//! learner (in parallel; nothing is stored but the violations) with the same edge weights
//! as the flow. Two bounds make most learners free: an omitted pair of learner `i` scores at
//! most its k-th best (`bound[i]`), and `p >= 0`, so a learner with `u[i] >= w(bound[i])`
//! cannot have a violation; for the others, only pairs scoring above `u[i]` can, which is
//! the threshold the row scan's table test gets. Pairs with a negative reduced cost
//! (`w > u + p`) join their learner's row and the flow is solved again on the grown set,
//! until a pass finds none. Every step depends only on the input, so the result is
//! deterministic whatever the thread count.

use crate::assign::{edge_weight, resolve_warm, solve_flow, Solution, NONE, SCALE};
use crate::candidates::{build_best, Candidates};
use crate::prepared::{best_first, MentorLookup, PreparedLearner, PreparedMentors, RowScratch};
use crate::types::{Learner, Weights};

/// An omitted pair found by a pricing pass: (learner, mentor, fast edge score).
type Pair = (u32, u32, f64);

/// Learners per parallel work item of the pricing pass.
#[cfg(feature = "parallel")]
const CHUNK: usize = 64;

/// Bounds of the number of candidates kept per learner.
const MIN_K: usize = 16;
const MAX_K: usize = 32;

/// What a pruned solve did (for benchmarks, diagnostics and tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PricingStats {
    /// Candidates kept per learner.
    pub k: usize,
    /// Edges of the first candidate set.
    pub candidate_edges: usize,
    /// Pricing passes (the last one found no violation).
    pub passes: usize,
    /// Edges added by the pricing passes.
    pub added_edges: usize,
    /// Learner rows the passes had to scan (the others were proved by the bounds alone).
    pub scanned_rows: usize,
}

/// How many candidates each learner keeps: more when learners compete for few places
/// (`learners / total capacity` high), since then more of them end up below their first
/// choices; 12 per unit of that ratio, within `[MIN_K, MAX_K]`.
pub(crate) fn candidates_per_learner(n_learners: usize, capacity: &[u32]) -> usize {
    let places: u64 = capacity.iter().map(|&c| u64::from(c)).sum();
    if places == 0 {
        return MIN_K;
    }
    let ratio = n_learners as f64 / places as f64;
    ((12.0 * ratio).ceil() as usize).clamp(MIN_K, MAX_K)
}

/// Slack of the pricing passes, in score units: a pass proves each scanned learner's
/// omitted pairs with this much reduced cost to spare, so that later rounds, whose
/// potentials differ a little, need not scan that learner again. A larger slack makes each
/// scan test more pairs and the first round add more near pairs; a smaller one, more
/// rescans. Measured in instructions for the whole solve at 10,000 x 3,000 (three seeds)
/// and 30,000 x 9,000, 0.04 and 0.05 were best (0.1 cost 15% to 30% more, 0.03 and 0.07
/// 3% to 8% more); 0.05 was the better of the two at the larger size.
const SLACK: f64 = 0.05;

/// Optimal assignment (each learner's mentor or `NONE`, with potentials that prove it on
/// every eligible pair) via the pruned candidate set and pricing. `k = None` picks it with [`candidates_per_learner`].
///
/// Each solve's potentials are made canonical ([`minimal_prices`]: the smallest mentor
/// prices that prove the assignment), so that adding a few edges moves them only locally.
/// A pass at potentials `(u0, p0)` shows `u0[i] + p0[m] - w >= slack` for every omitted
/// pair it does not report; at the current `(u, p)` such a pair still has a non-negative
/// reduced cost if `u[i] - u0[i] >= -slack / 2` and `p[m] - p0[m] >= -slack / 2`. So a
/// later round scans again only the learners whose profit fell by more than `slack / 2`,
/// and checks the mentors whose price fell by more than that column-wise (every learner
/// against that mentor, at the current potentials). Reported pairs that are violations
/// (reduced cost < 0) join the candidate set; the others are kept and re-checked each
/// round (they are few and in memory).
pub(crate) fn solve(
    pm: &PreparedMentors,
    learners: &[Learner],
    w: &Weights,
    k: Option<usize>,
) -> (Vec<PreparedLearner>, Solution, PricingStats) {
    solve_with(pm, learners, w, k, learners.len() / WARM_MAX_DIRTY_SHARE)
}

/// Each round after the first re-solves warm ([`resolve_warm`]: the flow and potentials are
/// kept, and only the learners with a violated new edge are taken out and added again) when
/// at most `1 / WARM_MAX_DIRTY_SHARE` of the learners have one, and from scratch otherwise.
/// At 100,000 x 30,000 the first round's re-solve has about half the learners to redo (cold),
/// the second one 44 (warm: milliseconds instead of a full solve of 9 M edges).
const WARM_MAX_DIRTY_SHARE: usize = 50;

/// [`solve`], re-solving warm only when at most `max_dirty` learners have a violated new edge
/// (`usize::MAX`: always warm; 0: always from scratch, unless nothing is violated).
pub(crate) fn solve_with(
    pm: &PreparedMentors,
    learners: &[Learner],
    w: &Weights,
    k: Option<usize>,
    max_dirty: usize,
) -> (Vec<PreparedLearner>, Solution, PricingStats) {
    let k = k.unwrap_or_else(|| candidates_per_learner(learners.len(), &pm.capacity));
    let lookup = MentorLookup::new(pm);
    let (pls, mut cand, bound) = build_best(pm, &lookup, learners, w, false, k);
    let n = pls.len();
    let slack = edge_weight(SLACK);
    let half = slack / 2;
    let mut stats = PricingStats {
        k,
        candidate_edges: cand.num_edges(),
        ..PricingStats::default()
    };
    let mut sol = solve_flow(cand.clone(), &pm.capacity);
    minimal_prices(&cand, &pm.capacity, &mut sol);
    // The potentials each learner was last scanned at: its profit and a snapshot of prices.
    let mut u_ref = sol.u.clone();
    let mut snap_of = vec![0u32; n];
    let mut snaps: Vec<Vec<i64>> = vec![sol.p.clone()];
    let everyone: Vec<u32> = (0..n as u32).collect();
    let (mut watch, scanned) = price(
        pm, &lookup, &pls, w, &bound, &sol.u, &sol.p, slack, &everyone,
    );
    stats.passes = 1;
    stats.scanned_rows = scanned;
    // The first round adds every pair the full pass reported (reduced cost < slack), not
    // only the violations: the re-solved potentials move, and pairs that were nearly
    // violated would otherwise become the next round's violations, each round a full
    // re-solve. Later rounds add violations only, so the loop ends.
    let mut near = slack;
    loop {
        let rescan: Vec<u32> = (0..n)
            .filter(|&i| bound[i] >= 0.0 && sol.u[i] - u_ref[i] < -half)
            .map(|i| i as u32)
            .collect();
        let mut found = Vec::new();
        if !rescan.is_empty() {
            let (f, scanned) = price(pm, &lookup, &pls, w, &bound, &sol.u, &sol.p, slack, &rescan);
            found = f;
            stats.passes += 1;
            stats.scanned_rows += scanned;
            let snap = snaps.len() as u32;
            snaps.push(sol.p.clone());
            let mut again = vec![false; n];
            for &i in &rescan {
                again[i as usize] = true;
                u_ref[i as usize] = sol.u[i as usize];
                snap_of[i as usize] = snap;
            }
            watch.retain(|&(i, _, _)| !again[i as usize]);
        }
        // Mentors whose price fell by more than half the slack since some learner's scan.
        let mut fell = vec![false; pm.len()];
        for (s, p0) in snaps.iter().enumerate() {
            if !snap_of.contains(&(s as u32)) {
                continue;
            }
            for (m, (&p, &q)) in sol.p.iter().zip(p0).enumerate() {
                fell[m] |= p - q < -half;
            }
        }
        let columns: Vec<usize> = (0..pm.len()).filter(|&m| fell[m]).collect();
        let mut added: Vec<(u32, u32, f64)> = watch
            .iter()
            .chain(&found)
            .copied()
            .filter(|&(i, m, s)| edge_weight(s) - sol.p[m as usize] > sol.u[i as usize] - near)
            .collect();
        added.extend(price_columns(pm, &pls, w, &bound, &sol.u, &sol.p, &columns));
        near = 0;
        watch.extend(found);
        added.sort_unstable_by_key(|&(i, m, _)| (i, m));
        added.dedup_by_key(|&mut (i, m, _)| (i, m));
        // Near pairs may already be candidates (violations never are).
        added.retain(|&(i, m, _)| !cand.mentor[cand.range(i as usize)].contains(&m));
        if added.is_empty() {
            return (pls, sol, stats);
        }
        stats.added_edges += added.len();
        cand = with_edges(&cand, &added);
        sol = resolve_warm(cand.clone(), &pm.capacity, &sol, max_dirty);
        minimal_prices(&cand, &pm.capacity, &mut sol);
    }
}

/// Replace the potentials of an optimal `sol` on `cand` by the canonical ones with the
/// smallest mentor prices (and so the largest learner profits) that still prove it.
///
/// With `u` fixed by the prices (`u = w - p` on assigned edges, 0 for the unassigned), the
/// constraints read `p[m] >= w(j, m)` for an unassigned `j` and
/// `p[m] >= p[a] + w(j, m) - w(j, a)` for `j` assigned to `a`: the least solution is a
/// longest path, which with the current (feasible) prices as potentials becomes a shortest
/// path with non-negative lengths (reduced costs): `p*[m] = p[m] - d[m]`, with `d` from a
/// multi-source Dijkstra (`d[m]` starts at `p[m] - max(0, w(j, m) of unassigned j)`, and
/// an edge `(j, m)` of a member `j` of `a` has length `u[j] + p[m] - w(j, m)`). They
/// depend only on the assignment and the graph, not on how the solver got there.
fn minimal_prices(cand: &Candidates, capacity: &[u32], sol: &mut Solution) {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let nm = capacity.len();
    let n = sol.assigned.len();
    let mut dist: Vec<i64> = sol.p.clone();
    let mut members_off = vec![0u32; nm + 1];
    for &a in &sol.assigned {
        if a != NONE {
            members_off[a as usize + 1] += 1;
        }
    }
    for m in 0..nm {
        members_off[m + 1] += members_off[m];
    }
    let mut fill = members_off.clone();
    let mut members = vec![0u32; members_off[nm] as usize];
    for (j, &a) in sol.assigned.iter().enumerate() {
        if a == NONE {
            for e in cand.range(j) {
                let m = cand.mentor[e] as usize;
                dist[m] = dist[m].min(sol.p[m] - edge_weight(cand.score[e]).max(0));
            }
        } else {
            members[fill[a as usize] as usize] = j as u32;
            fill[a as usize] += 1;
        }
    }
    let mut heap: BinaryHeap<Reverse<(i64, u32)>> = (0..nm)
        .map(|m| Reverse((dist[m].max(0), m as u32)))
        .collect();
    for d in dist.iter_mut() {
        *d = (*d).max(0);
    }
    let mut done = vec![false; nm];
    while let Some(Reverse((d, a))) = heap.pop() {
        let a = a as usize;
        if done[a] || d > dist[a] {
            continue;
        }
        done[a] = true;
        for &j in &members[members_off[a] as usize..members_off[a + 1] as usize] {
            let j = j as usize;
            for e in cand.range(j) {
                let m = cand.mentor[e] as usize;
                if m == a || done[m] {
                    continue;
                }
                let nd = d + sol.u[j] + sol.p[m] - edge_weight(cand.score[e]);
                if nd < dist[m] {
                    dist[m] = nd;
                    heap.push(Reverse((nd, m as u32)));
                }
            }
        }
    }
    for (p, d) in sol.p.iter_mut().zip(&dist) {
        *p -= d;
    }
    for j in 0..n {
        let a = sol.assigned[j];
        sol.u[j] = if a == NONE {
            0
        } else {
            let e = cand
                .range(j)
                .find(|&e| cand.mentor[e] == a)
                .expect("an assigned edge is a candidate");
            edge_weight(cand.score[e]) - sol.p[a as usize]
        };
    }
}

/// Price every omitted pair of the mentors `columns` at the current potentials: the
/// violations (reduced cost < 0), in learner then mentor order.
fn price_columns(
    pm: &PreparedMentors,
    pls: &[PreparedLearner],
    w: &Weights,
    bound: &[f64],
    u: &[i64],
    p: &[i64],
    columns: &[usize],
) -> Vec<(u32, u32, f64)> {
    if columns.is_empty() {
        return Vec::new();
    }
    let column_block = |first: usize, block: &[PreparedLearner]| {
        let mut out = Vec::new();
        for (k, pl) in block.iter().enumerate() {
            let i = first + k;
            if bound[i] < 0.0 {
                continue;
            }
            for &m in columns {
                let floor = u[i] + p[m];
                if floor >= edge_weight(bound[i]) {
                    continue;
                }
                let threshold = w.min_score.max(floor as f64 / SCALE);
                if let Some(s) = pm.fast_score_above(pl, m, w, threshold) {
                    if edge_weight(s) - p[m] > u[i] {
                        out.push((i as u32, m as u32, s));
                    }
                }
            }
        }
        out
    };
    #[cfg(feature = "parallel")]
    let blocks: Vec<Vec<Pair>> = {
        use rayon::prelude::*;
        pls.par_chunks(CHUNK)
            .enumerate()
            .map(|(c, block)| column_block(c * CHUNK, block))
            .collect()
    };
    #[cfg(not(feature = "parallel"))]
    let blocks = vec![column_block(0, pls)];
    blocks.into_iter().flatten().collect()
}

/// One pricing pass over the learners `rows` (ascending): every omitted eligible pair
/// `(learner, mentor, score)` whose reduced cost `u + p - w` is below `slack`, in learner
/// then mentor order, and how many rows had to be scanned. Pairs of the candidate set may
/// be reported too (they are never violations).
#[allow(clippy::too_many_arguments)]
fn price(
    pm: &PreparedMentors,
    lookup: &MentorLookup,
    pls: &[PreparedLearner],
    w: &Weights,
    bound: &[f64],
    u: &[i64],
    p: &[i64],
    slack: i64,
    rows: &[u32],
) -> (Vec<(u32, u32, f64)>, usize) {
    // Every mentor's price is at least this (often well above 0: in a tight market every
    // mentor is full), so a reported pair of learner i has w(i, m) > u[i] + p_min - slack.
    let p_min = p.iter().copied().min().unwrap_or(0).max(0);
    let levels = PriceLevels::new(p);
    let price_block = |block: &[u32]| {
        let mut out = Vec::new();
        let mut scanned = 0;
        let mut scratch = RowScratch::default();
        for &i in block {
            let i = i as usize;
            // An omitted pair scores at most bound[i] (none was omitted when it is < 0).
            let floor = u[i] + p_min - slack;
            if bound[i] < 0.0 || floor >= edge_weight(bound[i]) {
                continue;
            }
            scanned += 1;
            let threshold = w.min_score.max(floor as f64 / SCALE);
            let pl = &pls[i];
            // An omitted pair with mentor m is reported only if w > u + p[m] - slack, and
            // w <= w(bound[i]): no mentor priced at `w(bound[i]) - u + slack` or more can be.
            let only = levels.below(edge_weight(bound[i]) - u[i] + slack);
            pm.scan_row::<true, _>(
                lookup,
                pl,
                w,
                threshold,
                false,
                only,
                &mut scratch,
                |m, sb, cs| {
                    // Reported only if w > u + p[m] - slack: most prices are well above
                    // `p_min`, and a bound on the score rules those pairs out before any
                    // trigonometry.
                    let reach = (u[i] + p[m] - slack) as f64 / SCALE;
                    if !pm.may_reach(pl, m, w, sb, cs, reach) {
                        return None;
                    }
                    let s = pm.pair_score(pl, w, false, m, sb, cs)?;
                    if edge_weight(s) - p[m] > u[i] - slack {
                        out.push((i as u32, m as u32, s));
                    }
                    None
                },
            );
        }
        (out, scanned)
    };
    #[cfg(feature = "parallel")]
    let blocks: Vec<(Vec<Pair>, usize)> = {
        use rayon::prelude::*;
        rows.par_chunks(CHUNK).map(price_block).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let blocks = vec![price_block(rows)];
    let scanned = blocks.iter().map(|b| b.1).sum();
    (blocks.into_iter().flat_map(|b| b.0).collect(), scanned)
}

/// The mentors by price, for skipping in a pricing pass the mentors too expensive for a
/// learner: `LEVELS` nested mentor bitsets, level `q` holding the `(q + 1) * step` cheapest
/// (ties by mentor index).
struct PriceLevels {
    /// Every price, ascending.
    sorted: Vec<i64>,
    step: usize,
    words: usize,
    bits: Vec<u64>,
}

impl PriceLevels {
    const LEVELS: usize = 64;

    fn new(p: &[i64]) -> Self {
        let n = p.len();
        let words = n.div_ceil(64);
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_unstable_by_key(|&m| (p[m as usize], m));
        let step = n.div_ceil(Self::LEVELS).max(1);
        let levels = n.div_ceil(step);
        let mut bits = vec![0u64; levels * words];
        let mut acc = vec![0u64; words];
        for (q, chunk) in order.chunks(step).enumerate() {
            for &m in chunk {
                acc[m as usize / 64] |= 1u64 << (m % 64);
            }
            bits[q * words..(q + 1) * words].copy_from_slice(&acc);
        }
        PriceLevels {
            sorted: order.iter().map(|&m| p[m as usize]).collect(),
            step,
            words,
            bits,
        }
    }

    /// A bitset of mentors holding every mentor priced below `x` (`None`: every mentor).
    /// When no mentor is, the smallest level: the scan then only finds pairs it skips.
    fn below(&self, x: i64) -> Option<&[u64]> {
        let count = self.sorted.partition_point(|&q| q < x);
        if count == self.sorted.len() {
            return None;
        }
        let q = count.saturating_sub(1) / self.step;
        Some(&self.bits[q * self.words..(q + 1) * self.words])
    }
}

/// `cand` with the `added` edges (sorted by learner, none already in `cand`), every grown row
/// sorted again best first (the flow needs each row's best edges first, in order).
fn with_edges(cand: &Candidates, added: &[(u32, u32, f64)]) -> Candidates {
    let n = cand.offsets.len() - 1;
    let mut out = Candidates {
        offsets: Vec::with_capacity(n + 1),
        mentor: Vec::with_capacity(cand.num_edges() + added.len()),
        score: Vec::with_capacity(cand.num_edges() + added.len()),
    };
    out.offsets.push(0);
    let mut next = 0;
    let mut row: Vec<(f64, u32)> = Vec::new();
    for i in 0..n {
        let r = cand.range(i);
        if next < added.len() && added[next].0 as usize == i {
            row.clear();
            row.extend(r.map(|e| (cand.score[e], cand.mentor[e])));
            while next < added.len() && added[next].0 as usize == i {
                let (_, m, s) = added[next];
                row.push((s, m));
                next += 1;
            }
            row.sort_unstable_by_key(best_first);
            out.mentor.extend(row.iter().map(|&(_, m)| m));
            out.score.extend(row.iter().map(|&(s, _)| s));
        } else {
            out.mentor.extend_from_slice(&cand.mentor[r.clone()]);
            out.score.extend_from_slice(&cand.score[r]);
        }
        out.offsets.push(out.mentor.len());
    }
    out
}

#[cfg(test)]
mod tests {
    //! The pruned solve must be exact whatever `k`: its potentials must prove the result
    //! on every eligible pair (not only the candidates), and on synthetic instances its
    //! assignment must be the full solve's, bit for bit.

    use super::*;
    use crate::assign::{assign_optimal_full, assign_optimal_pruned};
    use crate::synthetic::synthetic_instance;

    /// `u[i] + p[m] >= w(i, m)` on every eligible pair, tight on assigned pairs, `u = 0`
    /// for unassigned learners, `p = 0` for mentors with room, all `>= 0`.
    fn assert_proof(learners: &[Learner], mentors: &[crate::Mentor], w: &Weights, k: usize) {
        let pm = PreparedMentors::new(mentors);
        let (pls, sol, _) = solve(&pm, learners, w, Some(k));
        let lookup = MentorLookup::new(&pm);
        let mut scratch = RowScratch::default();
        let mut load = vec![0u32; pm.len()];
        for (i, pl) in pls.iter().enumerate() {
            assert!(sol.u[i] >= 0);
            let mut row = Vec::new();
            pm.eligible_row(&lookup, pl, w, false, &mut row, &mut scratch);
            for &(s, m) in &row {
                let rc = sol.u[i] + sol.p[m as usize] - edge_weight(s);
                assert!(rc >= 0, "learner {i}, mentor {m}: reduced cost {rc} < 0");
                if sol.assigned[i] == m {
                    assert_eq!(rc, 0, "assigned pair {i}-{m} not tight");
                }
            }
            match sol.assigned[i] {
                NONE => assert_eq!(sol.u[i], 0),
                m => {
                    assert!(
                        row.iter().any(|&(_, x)| x == m),
                        "assigned pair not eligible"
                    );
                    load[m as usize] += 1;
                }
            }
        }
        for (m, &l) in load.iter().enumerate() {
            assert!(sol.p[m] >= 0 && l <= pm.capacity[m]);
            if l < pm.capacity[m] {
                assert_eq!(sol.p[m], 0, "mentor {m} has room but a price");
            }
        }
    }

    #[test]
    fn potentials_prove_the_result_on_every_eligible_pair() {
        for (nl, nm, seed) in [(400, 120, 1u64), (600, 100, 2), (300, 300, 3)] {
            let (learners, mentors) = synthetic_instance(nl, nm, seed);
            for k in [1, 3, 16] {
                assert_proof(&learners, &mentors, &Weights::default(), k);
            }
        }
    }

    #[test]
    fn pruned_equals_the_full_solve_bit_for_bit() {
        let heavy = crate::synthetic::distance_heavy_weights();
        for w in [Weights::default(), heavy] {
            for (nl, nm, seed) in [(1000, 300, 7u64), (800, 400, 2026)] {
                let (learners, mentors) = synthetic_instance(nl, nm, seed);
                let full = assign_optimal_full(&learners, &mentors, &w).expect("valid");
                for k in [Some(2), Some(5), None] {
                    let (pruned, stats) =
                        assign_optimal_pruned(&learners, &mentors, &w, k).expect("valid");
                    assert_eq!(pruned, full, "{nl}x{nm} seed {seed} k {k:?}");
                    assert!(stats.passes >= 1 && stats.candidate_edges > 0);
                }
            }
        }
    }

    #[test]
    fn warm_and_cold_rounds_give_the_full_solve() {
        // Every round re-solved warm, or every one from scratch: the same assignment as the
        // whole-graph flow, with k small enough that several rounds add edges.
        for (nl, nm, seed) in [(600, 150, 5u64), (1000, 300, 7), (800, 400, 2026)] {
            let (learners, mentors) = synthetic_instance(nl, nm, seed);
            let w = Weights::default();
            let pm = PreparedMentors::new(&mentors);
            let (_, full) = crate::candidates::build(&pm, &learners, &w, false);
            let want = crate::assign::min_cost_flow(full, &pm.capacity);
            for k in [1, 2, 5] {
                let (_, warm, stats) = solve_with(&pm, &learners, &w, Some(k), usize::MAX);
                assert!(stats.added_edges > 0, "{nl}x{nm} k {k}: {stats:?}");
                assert_eq!(warm.assigned, want, "warm, {nl}x{nm} seed {seed} k {k}");
                let (_, cold, _) = solve_with(&pm, &learners, &w, Some(k), 0);
                assert_eq!(cold.assigned, want, "cold, {nl}x{nm} seed {seed} k {k}");
            }
        }
    }

    #[test]
    fn a_small_k_needs_pricing_and_the_rounds_add_the_missing_pairs() {
        // Positive control for the pricing: with 1 candidate per learner in a tight market
        // the first solve cannot be optimal, so pairs must have been added.
        let (learners, mentors) = synthetic_instance(600, 150, 5);
        let (r, stats) = assign_optimal_pruned(&learners, &mentors, &Weights::default(), Some(1))
            .expect("valid");
        assert_eq!(stats.k, 1);
        assert!(stats.added_edges > 0, "{stats:?}");
        let full = assign_optimal_full(&learners, &mentors, &Weights::default()).expect("valid");
        assert_eq!(r, full);
    }

    proptest::proptest! {
        /// The price mask of a pricing scan: every mentor priced below `x` is in it, `None`
        /// only when that is every mentor, and it holds at most one level (`step`) more than
        /// them (the positive control: it does leave expensive mentors out).
        #[test]
        fn price_levels_hold_every_cheaper_mentor(
            p in proptest::collection::vec(
                proptest::prop_oneof![proptest::strategy::Just(0i64), 0i64..1000],
                1..300,
            ),
            x in -5i64..1100,
        ) {
            let levels = PriceLevels::new(&p);
            let cheaper = p.iter().filter(|&&q| q < x).count();
            match levels.below(x) {
                None => proptest::prop_assert_eq!(cheaper, p.len()),
                Some(bits) => {
                    let has = |m: usize| bits[m / 64] & (1u64 << (m % 64)) != 0;
                    for (m, &q) in p.iter().enumerate() {
                        if q < x {
                            proptest::prop_assert!(has(m), "mentor {} priced {} < {}", m, q, x);
                        }
                    }
                    let held = (0..p.len()).filter(|&m| has(m)).count();
                    proptest::prop_assert!(held < cheaper.max(1) + levels.step, "{} held, {} cheaper", held, cheaper);
                }
            }
        }
    }

    #[test]
    fn k_grows_with_competition_for_places() {
        // 12 per learner per place, within [16, 32].
        assert_eq!(candidates_per_learner(100, &[10; 100]), 16);
        assert_eq!(candidates_per_learner(1000, &[1; 500]), 24);
        assert_eq!(candidates_per_learner(10_000, &[1; 100]), 32);
        assert_eq!(candidates_per_learner(10, &[]), 16);
    }
}
