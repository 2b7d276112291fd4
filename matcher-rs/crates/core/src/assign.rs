//! Optimal (sparse min-cost flow) and greedy assignment.
//!
//! ## Optimal: successive shortest paths on the sparse graph
//!
//! Network: source → learner (cap 1), learner → mentor for every *eligible* pair (cap 1,
//! cost −score), mentor → sink (cap = capacity), plus a "stay unassigned" arc
//! learner → sink (cap 1, cost 0). With that arc every learner can always be routed, so
//! the learners can be added one at a time: for each new learner we find the cheapest
//! path to the sink in the residual graph (Dijkstra on reduced costs, Johnson
//! potentials) and augment along it. A path of non-negative cost is exactly the
//! "stay unassigned" arc winning, i.e. we stop improving as soon as the best augmenting
//! path has non-negative cost. After every step the flow is a min-cost flow for the
//! learners added so far, so the final flow is a maximum-weight b-matching.
//!
//! Costs are integers (`round(score · 2^SCALE_BITS)`), which makes the search exact and
//! deterministic; the reported scores and total are the exact `f64` scores.
//!
//! Potentials in "profit" form: learner `u[i] ≥ 0`, mentor price `p[m] ≥ 0` with
//! `u[i] + p[m] ≥ w[i][m]` on every eligible edge, equality on assigned edges,
//! `u[i] = 0` for unassigned learners and `p[m] = 0` for mentors with free capacity.
//! The reduced cost of learner→mentor is `u + p − w`, of mentor→assigned learner 0, of
//! learner→"unassigned" `u`, of a non-full mentor→sink 0.
//!
//! Warm start (greedy, dual feasible): a Gauss-Seidel auction with exact bids (ε = 0).
//! Each free learner bids for its best mentor by net value `w − p`, offering
//! `w − (second-best net value)`; a mentor keeps its `capacity` highest bids and, once
//! full, prices itself at the lowest kept bid. This keeps every assigned edge tight and
//! every potential feasible, i.e. it is exactly a valid intermediate state of the
//! shortest-path algorithm, and it settles most learners with short, local moves. The
//! first round (all prices 0) is the plain greedy "take your best mentor if it has room".
//! Learners left when the bid budget runs out (ε = 0 auctions can creep) or whose bid
//! ties are added by the exact Dijkstra phase, which stops each search as soon as its
//! minimum heap key reaches the best sink found so far (a free mentor slot, or an
//! "unassigned" arc). When the pruned solve re-solves a grown graph from scratch, its
//! auction starts from the previous prices less 10% instead of 0, which is valid as long as
//! every mentor left with room ends at price 0 (checked; see `solve_flow_from_prices`).
//!
//! Each learner's adjacency is kept ordered by an upper bound of its current net value
//! (prices only rise, so stale keys stay valid bounds), so bids and relaxations scan only
//! the few edges that can matter and re-order a slice only when it has gone stale.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::candidates::{self, Candidates};
use crate::error::{validate_match, InputError};
use crate::greedy::{greedy_lazy, GREEDY_K};
use crate::prepared::{MentorLookup, PreparedLearner, PreparedMentors};
use crate::pricing::{self, PricingStats};
use crate::types::{Algorithm, Assignment, AssignmentResult, Learner, Mentor, Weights};

/// Integer cost resolution: scores in `[0, 1]` become integers in `[0, 2^48]`.
pub(crate) const SCALE: f64 = (1u64 << 48) as f64;
pub(crate) const NONE: u32 = u32::MAX;

/// Maximise the total score of eligible assigned pairs (each learner at most one mentor,
/// each mentor at most `capacity` learners). Exact and deterministic.
pub fn assign_optimal(
    learners: &[Learner],
    mentors: &[Mentor],
    weights: &Weights,
) -> Result<AssignmentResult, InputError> {
    assign_optimal_with_stats(learners, mentors, weights).map(|(r, _)| r)
}

/// Up to this many learner × mentor pairs, [`assign_optimal`] solves on the whole eligible
/// graph at once: it holds every eligible pair (~8% of them on realistic data, ~28 bytes
/// each while solving), and up to about this size one scoring pass is cheaper than the
/// pruned solve's two (candidates, then pricing): measured in instructions, the whole graph
/// takes 5% fewer at 5,000 × 1,500, 8% more at 7,000 × 2,100 and 20% more at 10,000 × 3,000
/// (the pruned solve's top-k scans skip whole shared-skill tiers; the whole graph's scan at
/// `min_score` cannot). Above it, the pruned solve also keeps the memory in proportion to
/// the learners. Both are exact (the same total); they give the same assignment unless the
/// optimum is not unique (e.g. identical learners or mentors), when each may return another of
/// the optimal assignments (deterministically; the known answers allow either).
pub const FULL_GRAPH_MAX_PAIRS: usize = 10_000_000;

/// [`assign_optimal`] and what its pricing did (candidates per learner, passes, edges
/// added; all zero when the whole graph was solved at once): for benchmarks and
/// diagnostics.
pub fn assign_optimal_with_stats(
    learners: &[Learner],
    mentors: &[Mentor],
    weights: &Weights,
) -> Result<(AssignmentResult, PricingStats), InputError> {
    validate_match(learners, mentors, weights)?;
    if learners.len().saturating_mul(mentors.len()) <= FULL_GRAPH_MAX_PAIRS {
        let r = assign_optimal_full(learners, mentors, weights)?;
        return Ok((r, PricingStats::default()));
    }
    assign_optimal_pruned(learners, mentors, weights, None)
}

/// The optimal assignment on a pruned candidate set (`k` best eligible mentors per learner;
/// `None` picks `k` from the capacities), proved and completed by pricing every omitted
/// eligible pair (see the `pricing` module). As good as [`assign_optimal_full`] (the same
/// assignment whenever the optimum is unique, as on every synthetic instance); memory grows
/// with `learners × k`, not with the eligible pairs.
#[doc(hidden)]
pub fn assign_optimal_pruned(
    learners: &[Learner],
    mentors: &[Mentor],
    weights: &Weights,
    k: Option<usize>,
) -> Result<(AssignmentResult, PricingStats), InputError> {
    validate_match(learners, mentors, weights)?;
    let pm = PreparedMentors::new(mentors);
    let (pls, sol, stats) = pricing::solve(&pm, learners, weights, k);
    let r = report(
        learners,
        mentors,
        weights,
        &pm,
        &pls,
        &sol.assigned,
        Algorithm::Optimal,
    );
    Ok((r, stats))
}

/// The optimal assignment solved on every eligible pair at once (no pruning, no pricing):
/// the reference [`assign_optimal`] must equal. Needs memory in proportion to the
/// eligible pairs; for tests and benchmarks.
#[doc(hidden)]
pub fn assign_optimal_full(
    learners: &[Learner],
    mentors: &[Mentor],
    weights: &Weights,
) -> Result<AssignmentResult, InputError> {
    validate_match(learners, mentors, weights)?;
    let pm = PreparedMentors::new(mentors);
    let (pls, cand) = candidates::build(&pm, learners, weights, false);
    let assigned = min_cost_flow(cand, &pm.capacity);
    Ok(report(
        learners,
        mentors,
        weights,
        &pm,
        &pls,
        &assigned,
        Algorithm::Optimal,
    ))
}

/// Greedy: eligible pairs by score descending (ties: learner index, then mentor index),
/// taken while the learner is free and the mentor has room.
pub fn assign_greedy(
    learners: &[Learner],
    mentors: &[Mentor],
    weights: &Weights,
) -> Result<AssignmentResult, InputError> {
    assign_greedy_lazy(learners, mentors, weights, GREEDY_K)
}

/// [`assign_greedy`] starting from `k` candidates per learner (the result does not depend
/// on `k`, only the time does): for tests.
#[doc(hidden)]
pub fn assign_greedy_lazy(
    learners: &[Learner],
    mentors: &[Mentor],
    weights: &Weights,
    k: usize,
) -> Result<AssignmentResult, InputError> {
    validate_match(learners, mentors, weights)?;
    let pm = PreparedMentors::new(mentors);
    let lookup = MentorLookup::new(&pm);
    let (pls, cand, bound) = candidates::build_best(&pm, &lookup, learners, weights, true, k);
    let assigned = greedy_lazy(&pm, &lookup, &pls, weights, &cand, &bound);
    Ok(report(
        learners,
        mentors,
        weights,
        &pm,
        &pls,
        &assigned,
        Algorithm::Greedy,
    ))
}

/// The greedy over the whole sorted eligible graph: the reference [`assign_greedy`] must
/// equal. For tests and benchmarks.
#[doc(hidden)]
pub fn assign_greedy_full(
    learners: &[Learner],
    mentors: &[Mentor],
    weights: &Weights,
) -> Result<AssignmentResult, InputError> {
    validate_match(learners, mentors, weights)?;
    let pm = PreparedMentors::new(mentors);
    let (pls, cand) = candidates::build(&pm, learners, weights, true);
    let assigned = greedy(&cand, &pm.capacity);
    Ok(report(
        learners,
        mentors,
        weights,
        &pm,
        &pls,
        &assigned,
        Algorithm::Greedy,
    ))
}

/// Run either algorithm.
pub fn assign(
    learners: &[Learner],
    mentors: &[Mentor],
    weights: &Weights,
    algorithm: Algorithm,
) -> Result<AssignmentResult, InputError> {
    match algorithm {
        Algorithm::Optimal => assign_optimal(learners, mentors, weights),
        Algorithm::Greedy => assign_greedy(learners, mentors, weights),
    }
}

/// Statistics about the eligible-pair graph (for benchmarks and diagnostics).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GraphStats {
    pub pairs: usize,
    pub eligible_pairs: usize,
    pub eligible_share: f64,
}

/// Count eligible pairs (validates like `assign_optimal`).
pub fn graph_stats(
    learners: &[Learner],
    mentors: &[Mentor],
    weights: &Weights,
) -> Result<GraphStats, InputError> {
    validate_match(learners, mentors, weights)?;
    let pm = PreparedMentors::new(mentors);
    let (_, cand) = candidates::build(&pm, learners, weights, true);
    let pairs = learners.len() * mentors.len();
    Ok(GraphStats {
        pairs,
        eligible_pairs: cand.num_edges(),
        eligible_share: cand.num_edges() as f64 / pairs as f64,
    })
}

fn report(
    learners: &[Learner],
    mentors: &[Mentor],
    weights: &Weights,
    pm: &PreparedMentors,
    pls: &[PreparedLearner],
    assigned: &[u32],
    algorithm: Algorithm,
) -> AssignmentResult {
    let mut assignments = Vec::new();
    let mut unassigned = Vec::new();
    let mut total_score = 0.0;
    for (i, l) in learners.iter().enumerate() {
        match assigned[i] {
            NONE => unassigned.push(l.id.clone()),
            m => {
                let m = m as usize;
                let c = pm.components(&pls[i], m, weights);
                total_score += c.score;
                assignments.push(Assignment {
                    learner_id: l.id.clone(),
                    mentor_id: mentors[m].id.clone(),
                    score: c.score,
                    components: c.parts(),
                });
            }
        }
    }
    AssignmentResult {
        assignments,
        unassigned,
        total_score,
        algorithm,
    }
}

pub(crate) fn greedy(cand: &Candidates, capacity: &[u32]) -> Vec<u32> {
    let n = cand.offsets.len().saturating_sub(1);
    let mut order: Vec<(u32, u32)> = Vec::with_capacity(cand.num_edges()); // (learner, edge)
    for i in 0..n {
        for e in cand.range(i) {
            order.push((i as u32, e as u32));
        }
    }
    order.sort_unstable_by(|a, b| {
        cand.score[b.1 as usize]
            .total_cmp(&cand.score[a.1 as usize])
            .then(a.0.cmp(&b.0))
            .then(cand.mentor[a.1 as usize].cmp(&cand.mentor[b.1 as usize]))
    });
    let mut load = vec![0u32; capacity.len()];
    let mut assigned = vec![NONE; n];
    for (i, e) in order {
        let m = cand.mentor[e as usize];
        if assigned[i as usize] == NONE && load[m as usize] < capacity[m as usize] {
            assigned[i as usize] = m;
            load[m as usize] += 1;
        }
    }
    assigned
}

/// Where the cheapest path found so far ends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sink {
    /// The new learner stays unassigned.
    Own,
    /// A mentor with free capacity, reached from learner `pred`.
    Mentor { mentor: u32, pred: u32 },
    /// An already assigned learner (reached from its mentor) becomes unassigned.
    Drop { learner: u32 },
}

/// The kept bids `(bid, learner)` of every mentor during the auction: mentor `m`'s are a
/// binary min-heap in `heap[start[m]..start[m] + load]` (it never holds more than its
/// capacity or its number of edges), ordered by bid, then by learner index descending, so
/// the top (evicted first) is the lowest bid, and among equal bids the highest learner index.
struct Bids {
    start: Vec<usize>,
    heap: Vec<(i64, u32)>,
}

impl Bids {
    fn new(mentor: &[u32], capacity: &[u32]) -> Self {
        let nm = capacity.len();
        let mut start = vec![0usize; nm + 1];
        for &m in mentor {
            start[m as usize + 1] += 1;
        }
        for m in 0..nm {
            let places = start[m + 1].min(capacity[m] as usize);
            start[m + 1] = start[m] + places;
        }
        let heap = vec![(0, 0); start[nm]];
        Bids { start, heap }
    }

    /// `a` is evicted before `b`.
    #[inline]
    fn before(a: (i64, u32), b: (i64, u32)) -> bool {
        a.0 < b.0 || (a.0 == b.0 && a.1 > b.1)
    }

    /// The top of mentor `m`'s heap.
    #[inline]
    fn lowest(&self, m: usize) -> (i64, u32) {
        self.heap[self.start[m]]
    }

    /// Add a bid to mentor `m`'s heap of `len` bids (it has room).
    #[inline]
    fn push(&mut self, m: usize, len: usize, bid: (i64, u32)) {
        let h = &mut self.heap[self.start[m]..self.start[m] + len + 1];
        let mut k = len;
        while k > 0 {
            let parent = (k - 1) / 2;
            if !Self::before(bid, h[parent]) {
                break;
            }
            h[k] = h[parent];
            k = parent;
        }
        h[k] = bid;
    }

    /// Replace the top of mentor `m`'s full heap of `len` bids by `bid` (which is not evicted
    /// before it); returns the learner of the replaced bid.
    #[inline]
    fn replace_lowest(&mut self, m: usize, len: usize, bid: (i64, u32)) -> u32 {
        let h = &mut self.heap[self.start[m]..self.start[m] + len];
        let out = h[0].1;
        let mut k = 0;
        loop {
            let mut c = 2 * k + 1;
            if c >= len {
                break;
            }
            if c + 1 < len && Self::before(h[c + 1], h[c]) {
                c += 1;
            }
            if !Self::before(h[c], bid) {
                break;
            }
            h[k] = h[c];
            k = c;
        }
        h[k] = bid;
        out
    }

    /// The learners of mentor `m`'s `len` kept bids (in no particular order).
    fn learners(&self, m: usize, len: usize) -> impl Iterator<Item = u32> + '_ {
        self.heap[self.start[m]..self.start[m] + len]
            .iter()
            .map(|&(_, l)| l)
    }
}

/// State of the sparse successive-shortest-path solver.
struct Flow<'a> {
    capacity: &'a [u32],
    /// CSR adjacency of the learners (owned: each learner's slice gets re-ordered).
    off: Vec<usize>,
    mentor: Vec<u32>,
    /// Integer edge weights.
    w: Vec<i64>,
    /// `w - p[mentor]` as of the last time the learner's slice was sorted. Prices only
    /// rise, so this is an upper bound on the current net value `w - p`; each slice is
    /// kept sorted by it (descending), which lets `relax` stop early.
    key: Vec<i64>,
    /// `head[i]..off[i + 1]` is learner `i`'s tail: edges that all share one key (an upper
    /// bound of their net values, and at most every key before them). Before it, the head
    /// is sorted by net value as of its last re-sort.
    head: Vec<usize>,
    /// Learner profits and mentor prices (potentials).
    u: Vec<i64>,
    p: Vec<i64>,
    assigned: Vec<u32>,
    load: Vec<u32>,
    members: Vec<Vec<u32>>,
    // Dijkstra scratch, reset through `touched`.
    dist: Vec<i64>,
    pred: Vec<u32>,
    done: Vec<bool>,
    touched: Vec<u32>,
    settled_m: Vec<(u32, i64)>,
    settled_l: Vec<(u32, i64)>,
    heap: BinaryHeap<Reverse<(i64, u32)>>,
    resort: Vec<u128>,
    top: Vec<(i64, u32, u32)>,
    moved: Vec<usize>,
    chosen: Vec<usize>,
    best: i64,
    sink: Sink,
}

/// Re-sort a learner's slice when a relaxation scanned at least this many edges.
const RESORT_AFTER: usize = 24;
/// Re-sort only the head of a slice when a bid scanned at least this many head edges.
const RESORT_HEAD_AFTER: usize = 12;
/// How many edges a re-sort puts in exact order at the front of a slice.
const RESORT_TOP: usize = candidates::ROW_TOP;
/// Bid budget of the auction warm start, per learner.
const AUCTION_BIDS_PER_LEARNER: usize = 256;

impl<'a> Flow<'a> {
    fn new(cand: Candidates, capacity: &'a [u32]) -> Self {
        let n = cand.offsets.len().saturating_sub(1);
        let nm = capacity.len();
        // `into_iter().map().collect()` from f64 to i64 (same size and alignment) reuses the
        // scores' buffer instead of allocating (and page-faulting) a second one.
        let w: Vec<i64> = cand.score.into_iter().map(edge_weight).collect();
        let mut flow = Flow {
            capacity,
            off: cand.offsets,
            mentor: cand.mentor,
            key: Vec::new(),
            head: Vec::with_capacity(n),
            w,
            u: vec![0; n],
            p: vec![0; nm],
            assigned: vec![NONE; n],
            load: vec![0; nm],
            members: vec![Vec::new(); nm],
            dist: vec![i64::MAX; nm],
            pred: vec![NONE; nm],
            done: vec![false; nm],
            touched: Vec::new(),
            settled_m: Vec::new(),
            settled_l: Vec::new(),
            heap: BinaryHeap::new(),
            resort: Vec::new(),
            top: Vec::with_capacity(RESORT_TOP + 2),
            moved: Vec::with_capacity(RESORT_TOP),
            chosen: Vec::with_capacity(RESORT_TOP),
            best: 0,
            sink: Sink::Own,
        };
        // `candidates::build` leaves each row with its RESORT_TOP best edges first, in
        // order, and the rest after them: key them as `resort` would with all prices 0
        // (built in one pass rather than copying `w` and overwriting the tails).
        flow.key.reserve_exact(flow.w.len());
        for j in 0..n {
            let r = flow.range(j);
            let head = r.end.min(r.start + RESORT_TOP);
            flow.key.extend_from_slice(&flow.w[r.start..head]);
            if head < r.end {
                let tail_key = flow.w[head];
                flow.key.extend(std::iter::repeat_n(tail_key, r.end - head));
            }
            flow.head.push(head);
        }
        flow
    }

    #[inline]
    fn range(&self, i: usize) -> std::ops::Range<usize> {
        self.off[i]..self.off[i + 1]
    }

    /// Best and second-best net value `w - p` of learner `i` (the "stay unassigned"
    /// option counts as 0): `(v1, edge of v1, v2)`.
    fn top_two(&mut self, i: usize) -> (i64, usize, i64) {
        let (mut v1, mut e1, mut v2) = (0i64, usize::MAX, 0i64);
        let r = self.range(i);
        let mut stop = r.end;
        // Zipped slices: one bounds check per slice instead of three per edge.
        let edges = self.key[r.clone()]
            .iter()
            .zip(&self.w[r.clone()])
            .zip(&self.mentor[r.clone()]);
        for (k, ((&key, &w), &m)) in edges.enumerate() {
            if key <= v2 {
                stop = r.start + k;
                break; // keys bound w - p from above and are sorted descending
            }
            let net = w - self.p[m as usize];
            if net > v1 {
                v2 = v1;
                v1 = net;
                e1 = r.start + k;
            } else if net > v2 {
                v2 = net;
            }
        }
        let scanned = stop - r.start;
        let resorted = if stop > self.head[i] {
            // The scan went into the tail: re-order the whole slice.
            if scanned >= RESORT_AFTER {
                self.resort(i);
                true
            } else {
                false
            }
        } else if scanned >= RESORT_HEAD_AFTER {
            self.resort_head(i);
            true
        } else {
            false
        };
        if resorted && v1 > 0 {
            // The slice moved; find the edge of v1 again (first one, deterministic).
            e1 = self
                .range(i)
                .find(|&e| self.w[e] - self.p[self.mentor[e] as usize] == v1)
                .unwrap_or(usize::MAX);
        }
        (v1, e1, v2)
    }

    /// Warm start: a Gauss-Seidel auction with exact (ε = 0) bids. Learner `i` bids
    /// `w - v2` for its best mentor (price + margin over its second choice); a full mentor
    /// keeps its `capacity` highest bids and its price is the lowest kept bid, a non-full
    /// mentor's price stays at its start (0, except in [`solve_flow_from_prices`]; a bid is
    /// never below the price it is for). Every assigned learner therefore stays tight and
    /// dual-feasible (`u = w - p >= v2 >= net value of any other option`), which is exactly
    /// the state the shortest-path phase needs. Learners that tie, and whatever is left when
    /// the bid budget runs out, are returned for the exact shortest-path phase.
    fn auction(&mut self, bids_per_learner: usize) -> Vec<usize> {
        let n = self.u.len();
        let nm = self.capacity.len();
        let mut bids = Bids::new(&self.mentor, self.capacity);
        // FIFO of the learners waiting to bid, in a ring of `n` slots: a learner waits only
        // while it holds no place, so it is never in the queue twice.
        let mut queue: Vec<u32> = (0..n as u32).collect();
        let (mut front, mut waiting) = (0usize, n);
        let mut deferred = Vec::new();
        let mut budget = bids_per_learner.saturating_mul(n);
        while waiting > 0 {
            let i = queue[front] as usize;
            front = if front + 1 == n { 0 } else { front + 1 };
            waiting -= 1;
            if budget == 0 {
                deferred.push(i);
                deferred.extend((0..waiting).map(|k| queue[(front + k) % n] as usize));
                break;
            }
            budget -= 1;
            let (v1, e1, v2) = self.top_two(i);
            if v1 <= 0 || e1 == usize::MAX {
                continue; // stays unassigned with u = 0
            }
            let m = self.mentor[e1] as usize;
            let bid = self.w[e1] - v2;
            let load = self.load[m];
            if load < self.capacity[m] {
                bids.push(m, load as usize, (bid, i as u32));
                self.load[m] = load + 1;
                self.assigned[i] = m as u32;
                if load + 1 == self.capacity[m] {
                    self.p[m] = bids.lowest(m).0;
                }
            } else if bid > self.p[m] {
                let out = bids.replace_lowest(m, load as usize, (bid, i as u32));
                self.assigned[out as usize] = NONE;
                let back = front + waiting;
                queue[if back >= n { back - n } else { back }] = out;
                waiting += 1;
                self.assigned[i] = m as u32;
                self.p[m] = bids.lowest(m).0;
            } else {
                deferred.push(i);
            }
        }
        for m in 0..nm {
            let mut members: Vec<u32> = bids.learners(m, self.load[m] as usize).collect();
            members.sort_unstable();
            self.members[m] = members;
        }
        for i in 0..n {
            let m = self.assigned[i];
            if m != NONE {
                let e = self
                    .range(i)
                    .find(|&e| self.mentor[e] == m)
                    .unwrap_or(usize::MAX);
                if e != usize::MAX {
                    self.u[i] = self.w[e] - self.p[m as usize];
                }
            }
        }
        deferred
    }

    /// Re-order learner `j`'s slice by current net value `w - p`: the `RESORT_TOP` best
    /// first, sorted (descending; ties by mentor index, so the order is deterministic), and
    /// the rest after them, unsorted, all keyed with the largest net value among them. Keys
    /// stay non-increasing along the slice and bound every later edge's net value.
    ///
    /// The best `RESORT_TOP + 1` are picked in one pass with a small sorted buffer (most
    /// edges are rejected by one comparison), and only the edges that change place move:
    /// the winners go to the front, the front edges they displace take their slots.
    fn resort(&mut self, j: usize) {
        let r = self.range(j);
        if r.len() <= RESORT_TOP {
            self.resort_head(j);
            return;
        }
        // (net, mentor, position), best first: net descending, then mentor ascending.
        let top = &mut self.top;
        top.clear();
        let better = |a: (i64, u32), b: (i64, u32)| a.0 > b.0 || (a.0 == b.0 && a.1 < b.1);
        let edges = self.w[r.clone()].iter().zip(&self.mentor[r.clone()]);
        for (e, (&w, &m)) in r.clone().zip(edges) {
            let net = w - self.p[m as usize];
            if top.len() == RESORT_TOP + 1 {
                let last = top[RESORT_TOP];
                if !better((net, m), (last.0, last.1)) {
                    continue;
                }
                top.pop();
            }
            let mut k = top.len();
            while k > 0 && better((net, m), (top[k - 1].0, top[k - 1].1)) {
                k -= 1;
            }
            top.insert(k, (net, m, e as u32));
        }
        let tail_key = top[RESORT_TOP].0;
        top.truncate(RESORT_TOP);
        let front = r.start..r.start + RESORT_TOP;
        // Winners outside the front, and front positions that lose their edge (both in
        // increasing position order): each displaced front edge moves to a winner's slot.
        self.moved.clear();
        self.moved.extend(
            top.iter()
                .map(|&(_, _, e)| e as usize)
                .filter(|e| !front.contains(e)),
        );
        insertion_sort(&mut self.moved);
        self.chosen.clear();
        self.chosen.extend(
            top.iter()
                .map(|&(_, _, e)| e as usize)
                .filter(|e| front.contains(e)),
        );
        insertion_sort(&mut self.chosen);
        let mut c = 0;
        let mut b = 0;
        for f in front.clone() {
            if c < self.chosen.len() && self.chosen[c] == f {
                c += 1;
                continue;
            }
            let slot = self.moved[b];
            b += 1;
            self.mentor[slot] = self.mentor[f];
            self.w[slot] = self.w[f];
        }
        for (k, &(net, m, _)) in self.top.iter().enumerate() {
            let e = r.start + k;
            self.key[e] = net;
            self.mentor[e] = m;
            self.w[e] = net + self.p[m as usize];
        }
        self.key[front.end..r.end].fill(tail_key);
        self.head[j] = front.end;
    }

    /// Re-order only the head of learner `j`'s slice by current net value (descending; ties
    /// by mentor index). Head edges whose net value fell below the tail key join the tail
    /// (they take its key), so keys stay non-increasing and bound every later net value.
    fn resort_head(&mut self, j: usize) {
        let start = self.off[j];
        let head = self.head[j];
        let end = self.off[j + 1];
        let tail_key = if head < end { self.key[head] } else { i64::MIN };
        self.resort.clear();
        for (&w, &m) in self.w[start..head].iter().zip(&self.mentor[start..head]) {
            let net = w - self.p[m as usize];
            let ordered = (net as u64) ^ (1u64 << 63);
            self.resort
                .push(!((u128::from(ordered) << 64) | u128::from(u32::MAX - m)));
        }
        insertion_sort(&mut self.resort);
        let mut new_head = head;
        for (k, &packed) in self.resort.iter().enumerate() {
            let x = !packed;
            let m = u32::MAX - (x as u32);
            let net = ((x >> 64) as u64 ^ (1u64 << 63)) as i64;
            let e = start + k;
            if net < tail_key {
                if new_head == head {
                    new_head = e;
                }
                self.key[e] = tail_key;
            } else {
                self.key[e] = net;
            }
            self.mentor[e] = m;
            self.w[e] = net + self.p[m as usize];
        }
        self.head[j] = new_head;
    }

    /// Relax the out-edges of learner `j`, settled at distance `dj`.
    #[inline]
    fn relax(&mut self, j: usize, dj: i64) {
        let base = dj + self.u[j];
        let own = self.assigned[j];
        let r = self.range(j);
        let mut scanned = 0;
        let edges = self.key[r.clone()]
            .iter()
            .zip(&self.w[r.clone()])
            .zip(&self.mentor[r]);
        for ((&key, &w), &m) in edges {
            // Reduced cost >= base - key for this and every later edge.
            if base - key >= self.best {
                break;
            }
            scanned += 1;
            let mu = m as usize;
            if m == own || self.done[mu] {
                continue;
            }
            let nd = base + self.p[mu] - w;
            if nd >= self.best {
                continue;
            }
            if self.load[mu] < self.capacity[mu] {
                self.best = nd;
                self.sink = Sink::Mentor {
                    mentor: m,
                    pred: j as u32,
                };
            } else if nd < self.dist[mu] {
                if self.dist[mu] == i64::MAX {
                    self.touched.push(m);
                }
                self.dist[mu] = nd;
                self.pred[mu] = j as u32;
                self.heap.push(Reverse((nd, m)));
            }
        }
        if scanned >= RESORT_AFTER {
            self.resort(j);
        }
    }

    /// Add learner `i0` to the flow along a cheapest residual path.
    fn add_learner(&mut self, i0: usize) {
        // A profit that makes every reduced cost out of i0 non-negative.
        let mut u0 = 0i64;
        for e in self.range(i0) {
            if self.key[e] <= u0 {
                break; // keys bound w - p from above and are sorted descending
            }
            u0 = u0.max(self.w[e] - self.p[self.mentor[e] as usize]);
        }
        self.u[i0] = u0;
        self.best = u0;
        self.sink = Sink::Own;

        self.settled_l.push((i0 as u32, 0));
        self.relax(i0, 0);
        while let Some(Reverse((d, m))) = self.heap.pop() {
            if d >= self.best {
                break;
            }
            let mu = m as usize;
            if self.done[mu] || d > self.dist[mu] {
                continue;
            }
            self.done[mu] = true;
            self.settled_m.push((m, d));
            for k in 0..self.members[mu].len() {
                let j = self.members[mu][k] as usize;
                self.settled_l.push((j as u32, d));
                if d + self.u[j] < self.best {
                    self.best = d + self.u[j];
                    self.sink = Sink::Drop { learner: j as u32 };
                }
                self.relax(j, d);
            }
        }
        self.heap.clear();

        // Potential update: every node settled closer than the sink moves by (best - d).
        let best = self.best;
        for &(m, d) in &self.settled_m {
            if d < best {
                self.p[m as usize] += best - d;
            }
        }
        for &(j, d) in &self.settled_l {
            if d < best {
                self.u[j as usize] -= best - d;
            }
        }

        // Augment: walk back from the sink to i0, reassigning along the path.
        let (mut m, mut l) = match self.sink {
            Sink::Own => (NONE, NONE),
            Sink::Mentor { mentor, pred } => {
                self.load[mentor as usize] += 1;
                (mentor, pred)
            }
            Sink::Drop { learner } => {
                let mj = self.assigned[learner as usize];
                remove(&mut self.members[mj as usize], learner);
                self.assigned[learner as usize] = NONE;
                (mj, self.pred[mj as usize])
            }
        };
        while m != NONE && l != NONE {
            let prev = self.assigned[l as usize];
            if prev != NONE {
                remove(&mut self.members[prev as usize], l);
            }
            self.assigned[l as usize] = m;
            self.members[m as usize].push(l);
            if l as usize == i0 || prev == NONE {
                break;
            }
            m = prev;
            l = self.pred[m as usize];
        }

        for &t in &self.touched {
            self.dist[t as usize] = i64::MAX;
            self.done[t as usize] = false;
            self.pred[t as usize] = NONE;
        }
        self.touched.clear();
        self.settled_m.clear();
        self.settled_l.clear();
    }
}

/// An optimal flow and the potentials that prove it: `u[i] + p[m] >= w(i, m)` on every edge
/// of the graph it was solved on (integer weights, see [`edge_weight`]), with equality on
/// assigned edges, `u = 0` for unassigned learners and `p = 0` for mentors with room.
pub(crate) struct Solution {
    pub assigned: Vec<u32>,
    pub u: Vec<i64>,
    pub p: Vec<i64>,
}

/// The integer weight of an edge of score `s` in the flow.
#[inline]
pub(crate) fn edge_weight(s: f64) -> i64 {
    round_nonneg(s.clamp(0.0, 1.0) * SCALE)
}

/// Sparse successive-shortest-path min-cost flow. Returns each learner's mentor or NONE.
pub(crate) fn min_cost_flow(cand: Candidates, capacity: &[u32]) -> Vec<u32> {
    solve_flow(cand, capacity).assigned
}

/// [`min_cost_flow`] with its potentials.
pub(crate) fn solve_flow(cand: Candidates, capacity: &[u32]) -> Solution {
    min_cost_flow_with_budget(cand, capacity, AUCTION_BIDS_PER_LEARNER)
}

/// `bids_per_learner = 0` skips the auction entirely (pure successive shortest paths).
pub(crate) fn min_cost_flow_with_budget(
    cand: Candidates,
    capacity: &[u32],
    bids_per_learner: usize,
) -> Solution {
    let mut flow = Flow::new(cand, capacity);
    for i0 in flow.auction(bids_per_learner) {
        flow.add_learner(i0);
    }
    Solution {
        assigned: flow.assigned,
        u: flow.u,
        p: flow.p,
    }
}

/// Share of the previous prices the auction of a re-solve starts from
/// ([`solve_flow_from_prices`]): `p - p / PRICE_START_DIVISOR`.
const PRICE_START_DIVISOR: i64 = 10;

/// [`solve_flow`] with the auction starting from prices a little below `prev` (the prices
/// of an optimal flow on a subgraph): `None` if its end state is not one the shortest-path
/// phase can take.
///
/// The auction is valid from any prices `p >= 0` (its bids never lower a price, every
/// assigned learner stays tight and at least as well off as with any other edge, and the
/// keys `w >= w - p` still bound the net values); it only needs them to be 0 at the end on
/// the mentors with room left. After edges were added most prices move little, so starting
/// near the old ones saves most of the bids (at 10,000 x 3,000, 0.1 M instead of 0.7 M).
/// Starting exactly at them leaves hundreds of mentors with room at a positive price (their
/// learners found better new edges); 10% below them, none on the pruned solves of the
/// synthetic instances. If some do, a second attempt starts those at 0 and the others at
/// half; if that fails too, `None`.
fn solve_flow_from_prices(cand: &Candidates, capacity: &[u32], prev: &[i64]) -> Option<Solution> {
    let mut start: Vec<i64> = prev.iter().map(|&p| p - p / PRICE_START_DIVISOR).collect();
    for _ in 0..2 {
        let mut flow = Flow::new(cand.clone(), capacity);
        flow.p.copy_from_slice(&start);
        let deferred = flow.auction(AUCTION_BIDS_PER_LEARNER);
        let mut stuck = false;
        for m in 0..capacity.len() {
            if flow.load[m] < capacity[m] && flow.p[m] > 0 {
                start[m] = 0;
                stuck = true;
            }
        }
        if stuck {
            // Halve the others too: they may lose learners to the mentors now at 0.
            for p in &mut start {
                *p /= 2;
            }
            continue;
        }
        for i0 in deferred {
            flow.add_learner(i0);
        }
        return Some(Solution {
            assigned: flow.assigned,
            u: flow.u,
            p: flow.p,
        });
    }
    None
}

/// Re-solve warm after edges were added to a graph: `cand` is the graph `prev` was optimal
/// on, grown by new edges, and `prev`'s potentials prove it on every old edge (tight on its
/// assigned edges, `u = 0` for its unassigned learners, `p = 0` for mentors with room).
///
/// The old flow and potentials are kept. Only the learners with a new edge of negative
/// reduced cost (`w > u + p`) can make them non-optimal: each is taken out of the flow by a
/// shortest path from the sink back to it ([`Flow::remove_learner`], which only lowers prices
/// and raises profits, keeping every other reduced cost non-negative), and once they are
/// all out, each is added again by the ordinary shortest-path step, which sets its profit
/// from its edges (new ones included). Every step is one of the exact successive shortest
/// path algorithm's, so the result is a min-cost flow on `cand`, like a cold solve's.
///
/// Past `max_dirty` such learners it solves the whole flow again instead: each removal is a
/// search over a tight market, and once a few percent of the learners are affected the
/// auction (which settles most of them at once) is cheaper. That auction starts from prices
/// just below `prev`'s ([`solve_flow_from_prices`]), or from 0 if that does not work out.
pub(crate) fn resolve_warm(
    cand: Candidates,
    capacity: &[u32],
    prev: &Solution,
    max_dirty: usize,
) -> Solution {
    let n = cand.offsets.len().saturating_sub(1);
    let nm = capacity.len();
    let dirty: Vec<usize> = (0..n)
        .filter(|&i| {
            cand.range(i)
                .any(|e| edge_weight(cand.score[e]) - prev.p[cand.mentor[e] as usize] > prev.u[i])
        })
        .collect();
    if dirty.len() > max_dirty {
        return solve_flow_from_prices(&cand, capacity, &prev.p)
            .unwrap_or_else(|| solve_flow(cand, capacity));
    }
    // The learners of each mentor with their weights, for the searches that go backwards.
    let mut col_off = vec![0usize; nm + 1];
    for &m in &cand.mentor {
        col_off[m as usize + 1] += 1;
    }
    for m in 0..nm {
        col_off[m + 1] += col_off[m];
    }
    let mut fill = col_off.clone();
    let mut col = vec![(0u32, 0u32); cand.mentor.len()];
    for i in 0..n {
        for e in cand.range(i) {
            let m = cand.mentor[e] as usize;
            col[fill[m]] = (i as u32, e as u32);
            fill[m] += 1;
        }
    }
    drop(fill);
    let mut flow = Flow::new(cand, capacity);
    flow.u.copy_from_slice(&prev.u);
    flow.p.copy_from_slice(&prev.p);
    flow.assigned.copy_from_slice(&prev.assigned);
    for (i, &m) in prev.assigned.iter().enumerate() {
        if m != NONE {
            flow.members[m as usize].push(i as u32);
            flow.load[m as usize] += 1;
        }
    }
    // Flow::new keys every edge with its weight: an upper bound of `w - p` for any `p >= 0`,
    // so the keys stay valid while the removals lower prices (nothing is re-sorted before
    // the additions, which only raise them).
    let mut out = vec![false; n];
    for &i in &dirty {
        out[i] = true;
    }
    let mut back = Backward {
        col_off,
        col,
        out,
        dist_l: vec![i64::MAX; n],
        pred_l: vec![NONE; n],
        touched_l: Vec::new(),
    };
    for &i in &dirty {
        flow.remove_learner(i, &mut back);
    }
    // The additions need none of it (and re-order the rows, which the column index
    // points into).
    drop(back);
    for &i in &dirty {
        flow.add_learner(i);
    }
    Solution {
        assigned: flow.assigned,
        u: flow.u,
        p: flow.p,
    }
}

/// Scratch of [`Flow::remove_learner`]: the graph by mentor, the learners out of the flow,
/// and per-learner distances.
struct Backward {
    col_off: Vec<usize>,
    /// `(learner, edge)` of every edge, grouped by mentor: positions in the flow's rows,
    /// which no removal re-orders.
    col: Vec<(u32, u32)>,
    /// Learners out of the flow (or about to be taken out): never on a path.
    out: Vec<bool>,
    dist_l: Vec<i64>,
    /// The mentor a learner would move to on the path.
    pred_l: Vec<u32>,
    touched_l: Vec<u32>,
}

/// Where the cheapest path from the sink back to a removed learner starts.
#[derive(Clone, Copy)]
enum Source {
    /// A mentor gives up one place (its price drops to 0).
    Mentor(u32),
    /// An unassigned learner takes a place.
    Learner(u32),
}

impl Flow<'_> {
    /// Take learner `i` (marked in `back.out`) out of the flow: send its unit back from the
    /// sink along a cheapest residual path, found by Dijkstra from `i`'s mentor backwards
    /// over reduced costs (a mentor's learners reach it by their edges, `u + p - w`; a
    /// mentor is left for its members at no cost, and reached from the sink at its price;
    /// an unassigned learner is reached from the sink at no cost). The potentials move as
    /// in every shortest-path step, so reduced costs stay non-negative among the learners
    /// still in the flow; along the path each learner moves one mentor over: either an
    /// unassigned learner takes a place, or a mentor gives one up (its price becomes 0).
    fn remove_learner(&mut self, i: usize, back: &mut Backward) {
        let a = self.assigned[i];
        self.u[i] = 0;
        if a == NONE {
            return;
        }
        let a = a as usize;
        self.dist[a] = 0;
        self.pred[a] = i as u32;
        self.touched.push(a as u32);
        self.best = self.p[a];
        let mut source = Source::Mentor(a as u32);
        self.heap.push(Reverse((0, a as u32)));
        while let Some(Reverse((d, m))) = self.heap.pop() {
            if d >= self.best {
                break;
            }
            let mu = m as usize;
            if self.done[mu] || d > self.dist[mu] {
                continue;
            }
            self.done[mu] = true;
            self.settled_m.push((m, d));
            let base = d + self.p[mu];
            for &(l, e) in &back.col[back.col_off[mu]..back.col_off[mu + 1]] {
                let lu = l as usize;
                if back.out[lu] || self.assigned[lu] == m {
                    continue;
                }
                let nd = base + self.u[lu] - self.w[e as usize];
                debug_assert!(nd >= d, "negative reduced cost at mentor {m}, learner {l}");
                if nd >= self.best || nd >= back.dist_l[lu] {
                    continue;
                }
                if back.dist_l[lu] == i64::MAX {
                    back.touched_l.push(l);
                }
                back.dist_l[lu] = nd;
                back.pred_l[lu] = m;
                let b = self.assigned[lu];
                if b == NONE {
                    self.best = nd;
                    source = Source::Learner(l);
                    continue;
                }
                let bu = b as usize;
                if self.done[bu] || nd >= self.dist[bu] {
                    continue;
                }
                if self.dist[bu] == i64::MAX {
                    self.touched.push(b);
                }
                self.dist[bu] = nd;
                self.pred[bu] = l;
                self.heap.push(Reverse((nd, b)));
                if nd + self.p[bu] < self.best {
                    self.best = nd + self.p[bu];
                    source = Source::Mentor(b);
                }
            }
        }
        self.heap.clear();

        // Potential update: every mentor settled closer than the source moves by (best - d),
        // and so do its members. A member's own distance may be larger than its mentor's
        // (its mentor is as close as its closest member), but raising its profit by the
        // mentor's amount keeps its assigned edge tight and only raises its other reduced
        // costs, which stay non-negative: d(mentor) <= d(member) <= rc + d(other mentor).
        let best = self.best;
        for &(m, d) in &self.settled_m {
            if d < best {
                let mu = m as usize;
                self.p[mu] -= best - d;
                for &l in &self.members[mu] {
                    if !back.out[l as usize] {
                        self.u[l as usize] += best - d;
                    }
                }
            }
        }

        // Walk the path: `cur` is the mentor that must lose one member, its `pred`.
        let mut cur = match source {
            Source::Mentor(b) => {
                self.load[b as usize] -= 1;
                b
            }
            Source::Learner(l) => {
                let m = back.pred_l[l as usize];
                self.assigned[l as usize] = m;
                self.members[m as usize].push(l);
                m
            }
        };
        loop {
            let leaver = self.pred[cur as usize];
            remove(&mut self.members[cur as usize], leaver);
            if leaver as usize == i {
                self.assigned[i] = NONE;
                break;
            }
            let next = back.pred_l[leaver as usize];
            self.assigned[leaver as usize] = next;
            self.members[next as usize].push(leaver);
            cur = next;
        }

        for &t in &self.touched {
            self.dist[t as usize] = i64::MAX;
            self.done[t as usize] = false;
            self.pred[t as usize] = NONE;
        }
        self.touched.clear();
        self.settled_m.clear();
        for &l in &back.touched_l {
            back.dist_l[l as usize] = i64::MAX;
            back.pred_l[l as usize] = NONE;
        }
        back.touched_l.clear();
    }
}

/// `x.round() as i64` for `0 <= x < 2^52` (and 0 for NaN), without the libm call: below
/// 2^52 `x - trunc(x)` is exact, so comparing it with 0.5 rounds half away from zero.
#[inline]
fn round_nonneg(x: f64) -> i64 {
    let t = x as i64;
    if x - t as f64 >= 0.5 {
        t + 1
    } else {
        t
    }
}

/// Ascending sort for the short (at most `RESORT_TOP` entries: a slice head), usually nearly
/// sorted vectors of the re-sorts, where it beats the general sort. Their elements are
/// distinct (positions, or keys that embed the mentor), so every correct sort produces
/// the same order and the result is exactly that of `sort_unstable`.
fn insertion_sort<T: Ord + Copy>(v: &mut [T]) {
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && v[j - 1] > x {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
}

fn remove(v: &mut Vec<u32>, x: u32) {
    if let Some(pos) = v.iter().position(|&y| y == x) {
        v.remove(pos);
    }
}

#[cfg(test)]
mod tests {
    //! The warm start and the shortest-path phase must each be exact on their own: compare
    //! every auction budget (0 = pure SSP) against an exhaustive oracle.

    use super::*;
    use crate::scoring::score;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[allow(clippy::too_many_arguments)]
    fn learner(
        id: usize,
        skills: Vec<u8>,
        lat: f64,
        lon: f64,
        remote: bool,
        hours: u8,
        slots: Vec<u16>,
        fr: bool,
    ) -> Learner {
        Learner {
            id: format!("l{id}"),
            skills: skills.iter().map(|s| format!("s{s}")).collect(),
            lat,
            lon,
            remote_ok: remote,
            hours_per_week: f64::from(hours),
            slots,
            languages: if fr {
                vec!["fr".into()]
            } else {
                vec!["en".into()]
            },
        }
    }

    fn instance() -> impl Strategy<Value = (Vec<Learner>, Vec<Mentor>, Weights)> {
        let l = (
            proptest::collection::vec(0u8..5, 0..4),
            -2.0f64..2.0,
            -2.0f64..2.0,
            any::<bool>(),
            0u8..4,
            proptest::collection::vec(0u16..6, 0..5),
            prop::bool::weighted(0.15),
        );
        let m = (
            proptest::collection::vec(0u8..5, 0..4),
            -2.0f64..2.0,
            -2.0f64..2.0,
            proptest::collection::vec(0u16..6, 0..5),
            prop::bool::weighted(0.15),
            1u32..=3,
        );
        (
            proptest::collection::vec(l, 1..=7),
            proptest::collection::vec(m, 1..=5),
            0.0f64..0.7,
            prop::bool::weighted(0.3),
        )
            .prop_map(|(ls, ms, min_score, round_grid)| {
                let snap = |x: f64| {
                    if round_grid {
                        (x * 2.0).round() / 2.0
                    } else {
                        x
                    }
                };
                let learners = ls
                    .into_iter()
                    .enumerate()
                    .map(|(i, (sk, lat, lon, r, h, sl, fr))| {
                        learner(i, sk, snap(lat), snap(lon), r, h, sl, fr)
                    })
                    .collect();
                let mentors = ms
                    .into_iter()
                    .enumerate()
                    .map(|(i, (sk, lat, lon, sl, fr, cap))| Mentor {
                        id: format!("m{i}"),
                        skills: sk.iter().map(|s| format!("s{s}")).collect(),
                        lat: snap(lat),
                        lon: snap(lon),
                        slots: sl,
                        languages: if fr {
                            vec!["fr".into(), "en".into()]
                        } else {
                            vec!["en".into()]
                        },
                        capacity: cap,
                    })
                    .collect();
                let w = Weights {
                    min_score,
                    ..Weights::default()
                };
                (learners, mentors, w)
            })
    }

    /// Exhaustive optimum over (learner, mentor-load) states.
    fn oracle(learners: &[Learner], mentors: &[Mentor], w: &Weights) -> f64 {
        let s: Vec<Vec<Option<f64>>> = learners
            .iter()
            .map(|l| {
                mentors
                    .iter()
                    .map(|m| {
                        let c = score(l, m, w);
                        c.eligible.then_some(c.score)
                    })
                    .collect()
            })
            .collect();
        fn rec(
            i: usize,
            load: &mut Vec<u32>,
            s: &[Vec<Option<f64>>],
            caps: &[u32],
            memo: &mut HashMap<(usize, Vec<u32>), f64>,
        ) -> f64 {
            if i == s.len() {
                return 0.0;
            }
            if let Some(&v) = memo.get(&(i, load.clone())) {
                return v;
            }
            let mut best = rec(i + 1, load, s, caps, memo);
            for m in 0..caps.len() {
                if let Some(sc) = s[i][m] {
                    if load[m] < caps[m] {
                        load[m] += 1;
                        best = best.max(sc + rec(i + 1, load, s, caps, memo));
                        load[m] -= 1;
                    }
                }
            }
            memo.insert((i, load.clone()), best);
            best
        }
        let caps: Vec<u32> = mentors.iter().map(|m| m.capacity).collect();
        rec(0, &mut vec![0; caps.len()], &s, &caps, &mut HashMap::new())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn every_auction_budget_is_exact((learners, mentors, w) in instance()) {
            let want = oracle(&learners, &mentors, &w);
            let pm = PreparedMentors::new(&mentors);
            for budget in [0usize, 1, 2, 5, AUCTION_BIDS_PER_LEARNER] {
                let (pls, cand) = candidates::build(&pm, &learners, &w, false);
                let assigned = min_cost_flow_with_budget(cand, &pm.capacity, budget).assigned;
                let r = report(&learners, &mentors, &w, &pm, &pls, &assigned, Algorithm::Optimal);
                prop_assert!((r.total_score - want).abs() <= 1e-9, "budget {}: {} vs oracle {}", budget, r.total_score, want);
                let mut load = vec![0u32; mentors.len()];
                for (i, &m) in assigned.iter().enumerate() {
                    if m != NONE {
                        prop_assert!(score(&learners[i], &mentors[m as usize], &w).eligible);
                        load[m as usize] += 1;
                    }
                }
                for (m, &n) in load.iter().enumerate() {
                    prop_assert!(n <= mentors[m].capacity);
                }
            }
        }
    }

    /// The first `keep` edges of every row of `cand` (rows come best first, so a prefix is
    /// still ordered as the flow needs): the graph a pruned solve starts from.
    fn prefix(cand: &Candidates, keep: usize) -> Candidates {
        let mut out = Candidates {
            offsets: vec![0],
            ..Candidates::default()
        };
        for i in 0..cand.offsets.len() - 1 {
            let r = cand.range(i);
            let r = r.start..r.end.min(r.start + keep);
            out.mentor.extend_from_slice(&cand.mentor[r.clone()]);
            out.score.extend_from_slice(&cand.score[r]);
            out.offsets.push(out.mentor.len());
        }
        out
    }

    /// Learners with an edge of `cand` that `sol`'s potentials violate (`w > u + p`).
    fn violated(cand: &Candidates, sol: &Solution) -> usize {
        (0..cand.offsets.len() - 1)
            .filter(|&i| {
                cand.range(i)
                    .any(|e| edge_weight(cand.score[e]) > sol.u[i] + sol.p[cand.mentor[e] as usize])
            })
            .count()
    }

    /// `sol`'s potentials prove it optimal on `cand`: `u + p >= w` on every edge, equality on
    /// assigned edges, `u = 0` when unassigned, `p = 0` when the mentor has room, all `>= 0`,
    /// and the assignment is feasible.
    fn assert_proves(cand: &Candidates, capacity: &[u32], sol: &Solution) {
        let mut load = vec![0u32; capacity.len()];
        for i in 0..cand.offsets.len() - 1 {
            assert!(sol.u[i] >= 0);
            let a = sol.assigned[i];
            let mut found = a == NONE;
            for e in cand.range(i) {
                let m = cand.mentor[e];
                let rc = sol.u[i] + sol.p[m as usize] - edge_weight(cand.score[e]);
                assert!(rc >= 0, "learner {i}, mentor {m}: reduced cost {rc}");
                if m == a {
                    assert_eq!(rc, 0, "assigned edge {i}-{m} not tight");
                    found = true;
                }
            }
            assert!(found, "learner {i} assigned to a mentor it has no edge to");
            if a == NONE {
                assert_eq!(sol.u[i], 0);
            } else {
                load[a as usize] += 1;
            }
        }
        for (m, &l) in load.iter().enumerate() {
            assert!(l <= capacity[m] && sol.p[m] >= 0);
            if l < capacity[m] {
                assert_eq!(sol.p[m], 0, "mentor {m} has room but a price");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// A warm re-solve after the graph grew (from each row's first `keep` edges to all of
        /// them) is exact: the oracle's total, with potentials that prove it.
        #[test]
        fn warm_resolve_after_adding_edges_is_exact(
            (learners, mentors, w) in instance(),
            keep in 0usize..3,
            budget in prop::sample::select(vec![0usize, 2, AUCTION_BIDS_PER_LEARNER]),
        ) {
            let want = oracle(&learners, &mentors, &w);
            let pm = PreparedMentors::new(&mentors);
            let (pls, cand) = candidates::build(&pm, &learners, &w, false);
            let prev = min_cost_flow_with_budget(prefix(&cand, keep), &pm.capacity, budget);
            let sol = resolve_warm(cand.clone(), &pm.capacity, &prev, usize::MAX);
            assert_proves(&cand, &pm.capacity, &sol);
            let r = report(&learners, &mentors, &w, &pm, &pls, &sol.assigned, Algorithm::Optimal);
            prop_assert!((r.total_score - want).abs() <= 1e-9, "warm {} vs oracle {}", r.total_score, want);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The auction may start from any prices: whenever the re-solve accepts its end state
        /// the result is exact (the oracle's total, with potentials that prove it).
        #[test]
        fn auction_from_any_prices_is_exact_when_accepted(
            (learners, mentors, w) in instance(),
            prices in proptest::collection::vec(0i64..=1i64 << 48, 5),
        ) {
            let want = oracle(&learners, &mentors, &w);
            let pm = PreparedMentors::new(&mentors);
            let (pls, cand) = candidates::build(&pm, &learners, &w, false);
            let prev = &prices[..mentors.len()];
            if let Some(sol) = solve_flow_from_prices(&cand, &pm.capacity, prev) {
                assert_proves(&cand, &pm.capacity, &sol);
                let r = report(&learners, &mentors, &w, &pm, &pls, &sol.assigned, Algorithm::Optimal);
                prop_assert!((r.total_score - want).abs() <= 1e-9, "from prices {} vs oracle {}", r.total_score, want);
            }
        }
    }

    /// Started from a subgraph's prices, the auction of a re-solve is accepted and gives the
    /// cold solve's assignment; started from prices far too high, its retry does.
    #[test]
    fn auction_from_previous_prices_equals_a_cold_solve() {
        for (nl, nm, seed) in [(500, 150, 2u64), (1000, 300, 7), (3000, 900, 1)] {
            let (learners, mentors) = crate::synthetic::synthetic_instance(nl, nm, seed);
            let pm = PreparedMentors::new(&mentors);
            let (_, cand) = candidates::build(&pm, &learners, &Weights::default(), false);
            let cold = solve_flow(cand.clone(), &pm.capacity);
            // With 3 edges per row the prices are far from the full graph's, and only the
            // second attempt is accepted (at 500 x 150, 1,000 x 300 and 3,000 x 900).
            for keep in [3, 8, 16] {
                let prev = solve_flow(prefix(&cand, keep), &pm.capacity);
                let warm = solve_flow_from_prices(&cand, &pm.capacity, &prev.p)
                    .unwrap_or_else(|| panic!("{nl}x{nm} keep {keep}: declined"));
                assert_proves(&cand, &pm.capacity, &warm);
                assert_eq!(
                    warm.assigned, cold.assigned,
                    "{nl}x{nm} seed {seed} keep {keep}"
                );
            }
            // Prices above every weight: no one bids, every mentor keeps its room at a
            // positive price, and the second attempt starts them all at 0 (a cold solve).
            let high = vec![1i64 << 50; nm];
            let retried = solve_flow_from_prices(&cand, &pm.capacity, &high)
                .unwrap_or_else(|| panic!("{nl}x{nm}: declined from high prices"));
            assert_eq!(
                retried.assigned, cold.assigned,
                "{nl}x{nm} from high prices"
            );
        }
    }

    #[test]
    fn warm_resolve_equals_a_cold_solve_on_synthetic_instances() {
        let heavy = crate::synthetic::distance_heavy_weights();
        for w in [Weights::default(), heavy] {
            for (nl, nm, seed) in [(300, 90, 1u64), (500, 150, 2), (1000, 300, 7)] {
                let (learners, mentors) = crate::synthetic::synthetic_instance(nl, nm, seed);
                let pm = PreparedMentors::new(&mentors);
                let (_, cand) = candidates::build(&pm, &learners, &w, false);
                let cold = solve_flow(cand.clone(), &pm.capacity);
                for keep in [1, 3, 8] {
                    let prev = solve_flow(prefix(&cand, keep), &pm.capacity);
                    // Positive control: the warm path has learners to take out and add again.
                    assert!(violated(&cand, &prev) > 0, "{nl}x{nm} keep {keep}");
                    let warm = resolve_warm(cand.clone(), &pm.capacity, &prev, usize::MAX);
                    assert_proves(&cand, &pm.capacity, &warm);
                    assert_eq!(
                        warm.assigned, cold.assigned,
                        "{nl}x{nm} seed {seed} keep {keep}"
                    );
                    // Below the threshold it solves the whole flow again: the same again.
                    let fallback = resolve_warm(cand.clone(), &pm.capacity, &prev, 0);
                    assert_proves(&cand, &pm.capacity, &fallback);
                    assert_eq!(fallback.assigned, cold.assigned);
                }
            }
        }
    }

    #[test]
    fn auction_and_pure_ssp_agree_on_synthetic_instances() {
        for (nl, nm, seed) in [(300, 90, 1u64), (500, 150, 2), (200, 200, 3)] {
            let (learners, mentors) = crate::synthetic::synthetic_instance(nl, nm, seed);
            let w = Weights::default();
            let pm = PreparedMentors::new(&mentors);
            let mut totals = Vec::new();
            for budget in [0usize, 3, AUCTION_BIDS_PER_LEARNER] {
                let (pls, cand) = candidates::build(&pm, &learners, &w, false);
                let assigned = min_cost_flow_with_budget(cand, &pm.capacity, budget).assigned;
                let r = report(
                    &learners,
                    &mentors,
                    &w,
                    &pm,
                    &pls,
                    &assigned,
                    Algorithm::Optimal,
                );
                totals.push(r.total_score);
            }
            for t in &totals {
                assert!((t - totals[0]).abs() <= 1e-9, "{nl}x{nm}: {totals:?}");
            }
        }
    }
}
