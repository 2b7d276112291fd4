//! Pre-interned, pre-bitset representations for fast bulk scoring.
//!
//! Skills and languages are interned to `u32` ids over the mentors' vocabulary (a learner's
//! skill that no mentor has can never match, it only counts in `|L.skills|`). Each entity
//! also carries small signatures (skill id mod 256 → 256-bit set, language id mod 64 →
//! 64-bit set) and the 168 weekly slots as three `u64` words, so the common case of
//! rejecting a pair costs a few ANDs and popcounts. When the vocabulary fits in the
//! signature the popcount is the exact intersection size; otherwise it is an upper bound
//! and survivors are checked by merging the sorted id lists.
//!
//! Pairs that survive the cheap checks get an upper bound on the distance component from
//! the chord length (chord ≤ arc, and `exp(-x) ≤ 1 / (1 + x + x²/2 + x³/6)`), and only
//! pairs whose bound reaches the threshold pay for the exact Haversine + `exp`.
//! The exact evaluation uses the same expressions as [`crate::scoring::score`].

use std::collections::HashMap;
use std::ops::Range;

use crate::scoring::{
    availability_ratio, combine, haversine_prepared, learner_weights, radians, skill_ratio,
    EARTH_RADIUS_KM,
};
use crate::types::{Components, Learner, Mentor, Weights};

/// Safety margin of the pruning bounds (they are only used to skip work, never to decide).
const BOUND_EPS: f64 = 1e-9;

/// A small, fast, deterministic string hash for the vocabularies (FxHash's multiply-rotate
/// over 8-byte words): the keys are short skill and language names, for which SipHash's
/// set-up costs more than the lookup itself. Lookups only (no iteration order is used).
#[derive(Debug, Default, Clone, Copy)]
struct FxHasher {
    hash: u64,
}

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl std::hash::Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            let mut w = [0u8; 8];
            w[..tail.len()].copy_from_slice(tail);
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

#[derive(Debug, Default, Clone)]
pub(crate) struct Vocab {
    map: HashMap<String, u32, FxBuild>,
}

impl Vocab {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.map.get(s) {
            return id;
        }
        let id = u32::try_from(self.map.len()).unwrap_or(u32::MAX);
        self.map.insert(s.to_owned(), id);
        id
    }

    fn get(&self, s: &str) -> Option<u32> {
        self.map.get(s).copied()
    }

    fn len(&self) -> usize {
        self.map.len()
    }
}

#[inline]
fn skill_sig(ids: &[u32]) -> [u64; 4] {
    let mut s = [0u64; 4];
    for &id in ids {
        let b = (id % 256) as usize;
        s[b / 64] |= 1u64 << (b % 64);
    }
    s
}

#[inline]
fn lang_sig(ids: &[u32]) -> u64 {
    ids.iter().fold(0u64, |acc, &id| acc | (1u64 << (id % 64)))
}

#[inline]
pub(crate) fn slot_bits(slots: &[u16]) -> [u64; 3] {
    let mut m = [0u64; 3];
    for &s in slots {
        let s = usize::from(s);
        if s < 192 {
            m[s / 64] |= 1u64 << (s % 64);
        }
    }
    m
}

#[inline]
fn popcount4(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    (a[0] & b[0]).count_ones()
        + (a[1] & b[1]).count_ones()
        + (a[2] & b[2]).count_ones()
        + (a[3] & b[3]).count_ones()
}

#[inline]
fn popcount3(a: &[u64; 3], b: &[u64; 3]) -> u32 {
    (a[0] & b[0]).count_ones() + (a[1] & b[1]).count_ones() + (a[2] & b[2]).count_ones()
}

fn sorted_unique(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    v.dedup();
    v
}

fn count_common(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

fn unit_vector(phi: f64, lam: f64) -> [f64; 3] {
    let c = phi.cos();
    [c * lam.cos(), c * lam.sin(), phi.sin()]
}

/// Hot per-mentor data touched for every candidate pair (88 bytes).
#[derive(Debug, Clone, Copy)]
struct HotMentor {
    skill_sig: [u64; 4],
    slots: [u64; 3],
    lang_sig: u64,
    xyz: [f64; 3],
}

#[derive(Debug, Clone, Copy)]
struct Geo {
    phi: f64,
    lam: f64,
    cos: f64,
    /// sin/cos of phi/2 and lambda/2, for the trig-free half-angle differences.
    sh_phi: f64,
    ch_phi: f64,
    sh_lam: f64,
    ch_lam: f64,
}

impl Geo {
    fn new(phi: f64, lam: f64) -> Self {
        Geo {
            phi,
            lam,
            cos: phi.cos(),
            sh_phi: (phi / 2.0).sin(),
            ch_phi: (phi / 2.0).cos(),
            sh_lam: (lam / 2.0).sin(),
            ch_lam: (lam / 2.0).cos(),
        }
    }
}

/// Edge weights within this distance of `min_score` are recomputed with the reference
/// expressions, so eligibility is always decided exactly as `score` decides it.
const FAST_SCORE_GUARD: f64 = 1e-9;

/// Mentors in structure-of-arrays form with interned skills/languages.
#[derive(Debug, Clone)]
pub(crate) struct PreparedMentors {
    skills: Vocab,
    langs: Vocab,
    skills_exact: bool,
    langs_exact: bool,
    /// Whether reference-score top-k rows ([`Self::best_row`]) scan with the fast scores and
    /// re-score their candidates: worth it with many mentors per row; with few, nearly every
    /// pair of a row is scored anyway and the re-scoring only adds work.
    pub(crate) rescore_rows: bool,
    hot: Vec<HotMentor>,
    geo: Vec<Geo>,
    skill_off: Vec<u32>,
    skill_ids: Vec<u32>,
    lang_off: Vec<u32>,
    lang_ids: Vec<u32>,
    pub(crate) capacity: Vec<u32>,
}

/// One learner prepared against a [`PreparedMentors`] vocabulary.
#[derive(Debug, Clone)]
pub(crate) struct PreparedLearner {
    skill_ids: Vec<u32>,
    n_skills: usize,
    lang_ids: Vec<u32>,
    skill_sig: [u64; 4],
    lang_sig: u64,
    slots: [u64; 3],
    hours: f64,
    geo: Geo,
    xyz: [f64; 3],
    wd: f64,
    den: f64,
    /// `w.skill / n_skills` (0 without skills) and `1 / hours` (0 for 0 hours): only
    /// used by the pruning bounds.
    skill_w: f64,
    inv_hours: f64,
}

impl PreparedMentors {
    pub(crate) fn new(mentors: &[Mentor]) -> Self {
        let n = mentors.len();
        let mut skills = Vocab::default();
        let mut langs = Vocab::default();
        let mut hot = Vec::with_capacity(n);
        let mut geo = Vec::with_capacity(n);
        let mut skill_off = Vec::with_capacity(n + 1);
        let mut lang_off = Vec::with_capacity(n + 1);
        let mut skill_ids = Vec::new();
        let mut lang_ids = Vec::new();
        let mut capacity = Vec::with_capacity(n);
        skill_off.push(0u32);
        lang_off.push(0u32);
        for m in mentors {
            let s = sorted_unique(m.skills.iter().map(|x| skills.intern(x)).collect());
            let l = sorted_unique(m.languages.iter().map(|x| langs.intern(x)).collect());
            let (phi, lam) = (radians(m.lat), radians(m.lon));
            hot.push(HotMentor {
                skill_sig: skill_sig(&s),
                slots: slot_bits(&m.slots),
                lang_sig: lang_sig(&l),
                xyz: unit_vector(phi, lam),
            });
            geo.push(Geo::new(phi, lam));
            skill_ids.extend_from_slice(&s);
            lang_ids.extend_from_slice(&l);
            skill_off.push(u32::try_from(skill_ids.len()).unwrap_or(u32::MAX));
            lang_off.push(u32::try_from(lang_ids.len()).unwrap_or(u32::MAX));
            capacity.push(m.capacity);
        }
        PreparedMentors {
            skills_exact: skills.len() <= 256,
            langs_exact: langs.len() <= 64,
            rescore_rows: mentors.len() >= RESCORE_ROWS_MIN_MENTORS,
            skills,
            langs,
            hot,
            geo,
            skill_off,
            skill_ids,
            lang_off,
            lang_ids,
            capacity,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.hot.len()
    }

    pub(crate) fn learner(&self, l: &Learner, w: &Weights) -> PreparedLearner {
        // Distinct skill strings = distinct known ids (interning is a bijection) + distinct
        // strings no mentor has (usually none, so that list rarely allocates).
        let mut known = Vec::with_capacity(l.skills.len());
        let mut unknown: Vec<&str> = Vec::new();
        for s in &l.skills {
            match self.skills.get(s) {
                Some(id) => known.push(id),
                None => unknown.push(s),
            }
        }
        let skill_ids = sorted_unique(known);
        unknown.sort_unstable();
        unknown.dedup();
        let n_skills = skill_ids.len() + unknown.len();
        let lang_ids = sorted_unique(
            l.languages
                .iter()
                .filter_map(|s| self.langs.get(s))
                .collect(),
        );
        let (phi, lam) = (radians(l.lat), radians(l.lon));
        let (wd, den) = learner_weights(l.remote_ok, w);
        PreparedLearner {
            skill_sig: skill_sig(&skill_ids),
            lang_sig: lang_sig(&lang_ids),
            n_skills,
            skill_ids,
            lang_ids,
            slots: slot_bits(&l.slots),
            hours: l.hours_per_week,
            geo: Geo::new(phi, lam),
            xyz: unit_vector(phi, lam),
            wd,
            den,
            skill_w: if n_skills == 0 {
                0.0
            } else {
                w.skill / n_skills as f64
            },
            inv_hours: if l.hours_per_week > 0.0 {
                1.0 / l.hours_per_week
            } else {
                0.0
            },
        }
    }

    #[inline]
    fn mentor_skills(&self, m: usize) -> &[u32] {
        &self.skill_ids[self.skill_off[m] as usize..self.skill_off[m + 1] as usize]
    }

    #[inline]
    fn mentor_langs(&self, m: usize) -> &[u32] {
        &self.lang_ids[self.lang_off[m] as usize..self.lang_off[m + 1] as usize]
    }

    /// Exact components for a pair (no pruning). `eligible` includes the language and
    /// capacity conditions.
    pub(crate) fn components(&self, pl: &PreparedLearner, m: usize, w: &Weights) -> Components {
        let common_langs = count_common(&pl.lang_ids, self.mentor_langs(m));
        let common_skills = count_common(&pl.skill_ids, self.mentor_skills(m));
        let avail = popcount3(&pl.slots, &self.hot[m].slots);
        self.finish(pl, m, w, common_skills, avail, common_langs > 0)
    }

    #[inline]
    fn finish(
        &self,
        pl: &PreparedLearner,
        m: usize,
        w: &Weights,
        common_skills: usize,
        common_slots: u32,
        shares_language: bool,
    ) -> Components {
        let g = &self.geo[m];
        let skill = skill_ratio(common_skills, pl.n_skills);
        let distance_km =
            haversine_prepared(pl.geo.phi, pl.geo.lam, pl.geo.cos, g.phi, g.lam, g.cos);
        let distance = (-distance_km / w.distance_scale_km).exp();
        let availability = availability_ratio(common_slots, pl.hours);
        let score = combine(skill, distance, availability, pl.wd, pl.den, w);
        Components {
            skill,
            distance,
            availability,
            distance_km,
            score,
            eligible: shares_language && self.capacity[m] > 0 && score >= w.min_score,
        }
    }

    /// The pruning test shared by [`Self::eval`] and [`Self::eval_score`]: `None` when the
    /// pair cannot share a language or its score cannot reach `threshold`, else the skill
    /// signature overlap and the number of common slots.
    #[inline(always)]
    fn prune(
        &self,
        pl: &PreparedLearner,
        m: usize,
        w: &Weights,
        threshold: f64,
    ) -> Option<(usize, u32)> {
        let h = &self.hot[m];
        if pl.lang_sig & h.lang_sig == 0 {
            return None;
        }
        let skill_bits = popcount4(&pl.skill_sig, &h.skill_sig);
        let common_slots = popcount3(&pl.slots, &h.slots);
        let need = (threshold - BOUND_EPS) * pl.den;
        let partial = f64::from(skill_bits) * pl.skill_w
            + (f64::from(common_slots) * pl.inv_hours).min(1.0) * w.availability;
        if partial + pl.wd < need {
            return None;
        }
        // Chord length lower-bounds the arc; bound exp(-x) by a Taylor denominator.
        let dx = pl.xyz[0] - h.xyz[0];
        let dy = pl.xyz[1] - h.xyz[1];
        let dz = pl.xyz[2] - h.xyz[2];
        let x = EARTH_RADIUS_KM * (dx * dx + dy * dy + dz * dz).sqrt() / w.distance_scale_km;
        let dist_ub = 1.0 / (1.0 + x * (1.0 + x * (0.5 + x * (1.0 / 6.0))));
        if partial + dist_ub * pl.wd < need {
            return None;
        }
        Some((skill_bits as usize, common_slots))
    }

    /// Exact evaluation of a pair that passed [`Self::prune`].
    #[inline(never)]
    fn exact(
        &self,
        pl: &PreparedLearner,
        m: usize,
        w: &Weights,
        skill_bits: usize,
        common_slots: u32,
    ) -> Option<Components> {
        if !self.langs_exact && count_common(&pl.lang_ids, self.mentor_langs(m)) == 0 {
            return None;
        }
        let common_skills = if self.skills_exact {
            skill_bits
        } else {
            count_common(&pl.skill_ids, self.mentor_skills(m))
        };
        let c = self.finish(pl, m, w, common_skills, common_slots, true);
        if c.eligible {
            Some(c)
        } else {
            None
        }
    }

    /// Score used as an assignment edge weight for a pair that passed the pruning test, or
    /// `None` if the pair is not eligible. The distance uses the half-angle identity
    /// `sin((b - a) / 2) = sin(b/2)cos(a/2) - cos(b/2)sin(a/2)` on precomputed values
    /// (absolute error ~1e-16, no catastrophic cancellation), which differs from the
    /// reference expression by ~1e-15; pairs near `min_score` are re-scored exactly.
    #[inline(never)]
    fn edge_score(
        &self,
        pl: &PreparedLearner,
        m: usize,
        w: &Weights,
        skill_bits: usize,
        common_slots: u32,
    ) -> Option<f64> {
        if !self.langs_exact && count_common(&pl.lang_ids, self.mentor_langs(m)) == 0 {
            return None;
        }
        let common_skills = if self.skills_exact {
            skill_bits
        } else {
            count_common(&pl.skill_ids, self.mentor_skills(m))
        };
        let (q, g) = (&pl.geo, &self.geo[m]);
        let s_phi = g.sh_phi * q.ch_phi - g.ch_phi * q.sh_phi;
        let s_lam = g.sh_lam * q.ch_lam - g.ch_lam * q.sh_lam;
        let a = s_phi * s_phi + q.cos * g.cos * (s_lam * s_lam);
        let distance_km = 2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin();
        let distance = (-distance_km / w.distance_scale_km).exp();
        let skill = skill_ratio(common_skills, pl.n_skills);
        let availability = availability_ratio(common_slots, pl.hours);
        let s = combine(skill, distance, availability, pl.wd, pl.den, w);
        if (s - w.min_score).abs() <= FAST_SCORE_GUARD {
            let c = self.finish(pl, m, w, common_skills, common_slots, true);
            return c.eligible.then_some(c.score);
        }
        (s >= w.min_score).then_some(s)
    }

    /// The fast edge score ([`Self::edge_score`], as the optimal assignment's rows use) of
    /// the pair if it is eligible and its score can reach `threshold`
    /// (`>= w.min_score`); `None` otherwise (pairs below `threshold` may still be returned).
    #[inline]
    pub(crate) fn fast_score_above(
        &self,
        pl: &PreparedLearner,
        m: usize,
        w: &Weights,
        threshold: f64,
    ) -> Option<f64> {
        let (skill_bits, common_slots) = self.prune(pl, m, w, threshold)?;
        self.edge_score(pl, m, w, skill_bits, common_slots)
    }

    /// Whether the pair of `pl` and mentor `m`, with skill-signature overlap `sb` and `cs`
    /// common slots (from [`Self::table_test`]), can score `threshold` or more: the bound of
    /// [`Self::prune`] (chord for arc, a Taylor denominator for `exp`, a `BOUND_EPS`
    /// margin) without its language and popcount steps. `false` only when it cannot.
    #[inline(always)]
    pub(crate) fn may_reach(
        &self,
        pl: &PreparedLearner,
        m: usize,
        w: &Weights,
        sb: usize,
        cs: u32,
        threshold: f64,
    ) -> bool {
        let need = (threshold - BOUND_EPS) * pl.den;
        let partial =
            sb as f64 * pl.skill_w + (f64::from(cs) * pl.inv_hours).min(1.0) * w.availability;
        if partial + pl.wd < need {
            return false;
        }
        let x = EARTH_RADIUS_KM * chord2(&pl.xyz, &self.hot[m].xyz).sqrt() / w.distance_scale_km;
        let dist_ub = 1.0 / (1.0 + x * (1.0 + x * (0.5 + x * (1.0 / 6.0))));
        partial + dist_ub * pl.wd >= need
    }

    /// Exact components if the pair is eligible and its score can reach `threshold`
    /// (`threshold >= w.min_score`); `None` otherwise. Pairs that are eligible but score
    /// below `threshold` may or may not be returned.
    #[inline]
    pub(crate) fn eval(
        &self,
        pl: &PreparedLearner,
        m: usize,
        w: &Weights,
        threshold: f64,
    ) -> Option<Components> {
        let (skill_bits, common_slots) = self.prune(pl, m, w, threshold)?;
        self.exact(pl, m, w, skill_bits, common_slots)
    }

    /// Fill `table` with, for every (skill-signature overlap `sb`, common slot count `cs`)
    /// of learner `pl`, the largest squared chord (unit sphere) at which a pair can still
    /// reach `threshold` (from `exp(-d / scale) >= t  <=>  d <= -scale ln t` and
    /// `chord = 2 sin(d / 2R)`); `+inf` when the pair reaches it at any distance, `-1` when
    /// never. Returns the number of columns (row `sb` starts at `sb * cols`).
    ///
    /// The skill-signature overlap is at most the learner's own bit count and the common
    /// slot count at most its own slot count, so with one column per possible slot count
    /// (entries past `ceil(hours)` repeat it) the table is indexed without clamping.
    #[cfg(test)]
    fn fill_limits(
        pl: &PreparedLearner,
        w: &Weights,
        threshold: f64,
        table: &mut Vec<f64>,
    ) -> usize {
        let max_slots = (pl.slots[0].count_ones()
            + pl.slots[1].count_ones()
            + pl.slots[2].count_ones()) as usize;
        let mut lim = Limits::default();
        lim.reset(pl, threshold);
        table.clear();
        for sb in 0..lim.rows {
            for cs in 0..=max_slots {
                table.push(lim.get(pl, w, sb, cs));
            }
        }
        max_slots + 1
    }

    /// The per-pair table test of a row: `Some((skill-signature overlap, common slots))` if
    /// mentor `m` shares a language signature bit with `pl` and lies within the chord limit of
    /// the pair's (overlap, common slots) cell of `lim`, else `None`.
    ///
    /// `LAZY`: the cell is computed if it is stale; else `lim` must be filled
    /// ([`Limits::fill_all`]) and the cell is read as it is (no staleness check per pair, for
    /// scans that never raise their threshold).
    #[inline(always)]
    fn table_test<const LAZY: bool>(
        &self,
        pl: &PreparedLearner,
        w: &Weights,
        lim: &mut Limits,
        m: usize,
    ) -> Option<(usize, u32)> {
        let (sb, cs) = self.cell(pl, m)?;
        let limit = if LAZY {
            lim.get(pl, w, sb, cs as usize)
        } else {
            lim.filled(sb, cs as usize)
        };
        (chord2(&pl.xyz, &self.hot[m].xyz) <= limit).then_some((sb, cs))
    }

    /// The pair's cell: (skill signature bits shared, common slots), or `None` when learner and
    /// mentor `m` share no language signature bit.
    #[inline(always)]
    fn cell(&self, pl: &PreparedLearner, m: usize) -> Option<(usize, u32)> {
        let h = &self.hot[m];
        if pl.lang_sig & h.lang_sig == 0 {
            return None;
        }
        Some((
            popcount4(&pl.skill_sig, &h.skill_sig) as usize,
            popcount3(&pl.slots, &h.slots),
        ))
    }

    /// [`Self::table_test`] on an eager table of [`Self::fill_limits`] (for tests).
    #[cfg(test)]
    fn table_test_eager(
        &self,
        pl: &PreparedLearner,
        table: &[f64],
        cols: usize,
        m: usize,
    ) -> Option<(usize, u32)> {
        let (sb, cs) = self.cell(pl, m)?;
        let limit = table[sb * cols + cs as usize];
        (chord2(&pl.xyz, &self.hot[m].xyz) <= limit).then_some((sb, cs))
    }

    /// The score of a pair that passed [`Self::table_test`], if it is eligible: the reference
    /// score with `exact_scores` (bit-identical to [`crate::scoring::score`]), else the
    /// faster trig-free one of [`Self::edge_score`].
    #[inline(always)]
    pub(crate) fn pair_score(
        &self,
        pl: &PreparedLearner,
        w: &Weights,
        exact_scores: bool,
        m: usize,
        sb: usize,
        cs: u32,
    ) -> Option<f64> {
        if exact_scores {
            self.exact(pl, m, w, sb, cs).map(|c| c.score)
        } else {
            self.edge_score(pl, m, w, sb, cs)
        }
    }

    /// Call `f(m, sb, cs)` for every mentor `m` whose pair with `pl` passes the table test at
    /// `threshold` (`>= w.min_score`): a superset of the mentors whose score can reach it.
    /// `f` may return a higher threshold, which refills the table for the mentors that
    /// follow (a top-k scan raises it as its k-th best rises).
    ///
    /// Which mentors are visited at all comes from `lookup`: every mentor that shares a
    /// skill with the learner, plus the mentors sharing none that lie within the largest
    /// chord the table allows for a skill overlap of 0 (see [`MentorLookup`] for why that
    /// skips only pairs the table test rejects). With an exact skill signature (at most 256
    /// skills) the signature overlap `sb` of the table *is* the number of shared skills, so
    /// when the table's row `c` rejects every pair (all its limits negative; rows only grow
    /// with `c`), no mentor sharing `c` skills or fewer can pass and none of them is visited:
    /// only the mentors sharing more, counted per mentor from the skill index
    /// ([`MentorLookup::count_skills`]). Visited mentors go through exactly the same test, so
    /// the result is that of visiting every mentor.
    ///
    /// Without `skills_first` the mentors are visited in increasing mentor order. With it
    /// (for a top-k scan, whose result does not depend on the order) the mentors sharing the
    /// most skills come first (they score highest, so the threshold `f` returns rises
    /// early): with an exact signature by tier, 3 or more shared skills, then 2, then 1 (each
    /// tier in mentor order, and skipped, with every tier after it, once the table rejects
    /// its row), then the zero-skill band as the table allows it after them.
    ///
    /// With `only` (a mentor bitset) the other mentors are not visited at all.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn scan_row<const LAZY: bool, F>(
        &self,
        lookup: &MentorLookup,
        pl: &PreparedLearner,
        w: &Weights,
        threshold: f64,
        skills_first: bool,
        only: Option<&[u64]>,
        scratch: &mut RowScratch,
        mut f: F,
    ) where
        F: FnMut(usize, usize, u32) -> Option<f64>,
    {
        let RowScratch {
            limits: lim,
            visit,
            near,
            at_least,
        } = scratch;
        lim.reset(pl, threshold);
        let rows = lim.rows;
        // `LAZY`: the cells are computed as the scan reads them (a top-k scan raises its
        // threshold as it goes and reads few cells at each; a pricing scan reads few). Else all
        // are computed at once and read without a staleness check (a whole-row scan reads many).
        if !LAZY {
            lim.fill_all(pl, w);
        }
        let test = |lim: &mut Limits, m: usize| self.table_test::<LAZY>(pl, w, lim, m);
        let raise = |lim: &mut Limits, t: f64| {
            lim.raise(pl, t);
            if !LAZY {
                lim.fill_all(pl, w);
            }
        };
        let mask = |bits: &mut [u64]| {
            if let Some(only) = only {
                for (b, &o) in bits.iter_mut().zip(only) {
                    *b &= o;
                }
            }
        };
        let Some(zero_skill) = lim.row_limit(pl, w, 0) else {
            // A pair without a common skill can reach the threshold at any distance.
            for m in 0..self.len() {
                if only.is_some_and(|o| o[m / 64] & (1u64 << (m % 64)) == 0) {
                    continue;
                }
                if let Some((sb, cs)) = test(lim, m) {
                    if let Some(t) = f(m, sb, cs) {
                        raise(lim, t);
                    }
                }
            }
            return;
        };
        // Visit the set bits of `bits` in increasing mentor order.
        let mut visit_bits = |bits: &[u64], lim: &mut Limits| {
            for (k, &word) in bits.iter().enumerate() {
                let mut word = word;
                while word != 0 {
                    let m = k * 64 + word.trailing_zeros() as usize;
                    word &= word - 1;
                    if let Some((sb, cs)) = test(lim, m) {
                        if let Some(t) = f(m, sb, cs) {
                            raise(lim, t);
                        }
                    }
                }
            }
        };
        if self.skills_exact && skills_first {
            lookup.count_skills(&pl.skill_ids, at_least);
            let words = lookup.words;
            // Tiers from the most shared skills down; rows past the table's last (the
            // learner's own skill count) have no mentors. The top tier (`SKILL_TIERS` or more)
            // is skipped only if even the table's last row rejects every pair.
            let mut rejected = false;
            for c in (1..=SKILL_TIERS).rev() {
                if c >= rows {
                    continue;
                }
                let row = if c == SKILL_TIERS { rows - 1 } else { c };
                if lim.row_rejects_all(pl, w, row) {
                    rejected = true;
                    break;
                }
                visit.clear();
                if c == SKILL_TIERS {
                    visit.extend_from_slice(&at_least[(c - 1) * words..c * words]);
                } else {
                    let (lo, hi) = at_least[(c - 1) * words..(c + 1) * words].split_at(words);
                    visit.extend(lo.iter().zip(hi).map(|(&a, &b)| a & !b));
                }
                if c <= SPATIAL_TIERS {
                    // The tiers of few shared skills are the largest by far: visit only their
                    // mentors within the row's largest chord (when bounded), as for the
                    // zero-skill band.
                    if let Some(limit) = lim.row_limit(pl, w, c) {
                        near.clear();
                        near.resize(words, 0);
                        lookup.mark_box(&pl.xyz, limit, near);
                        for (v, &n) in visit.iter_mut().zip(near.iter()) {
                            *v &= n;
                        }
                    }
                }
                mask(visit);
                visit_bits(visit, lim);
            }
            if rejected {
                return;
            }
            // Limits only shrink as the threshold rises: still finite.
            let zero_skill = lim.row_limit(pl, w, 0).unwrap_or(zero_skill);
            if zero_skill >= 0.0 {
                near.clear();
                near.resize(words, 0);
                lookup.mark_box(&pl.xyz, zero_skill, near);
                for (n, &v) in near.iter_mut().zip(&at_least[..words]) {
                    *n &= !v;
                }
                mask(near);
                visit_bits(near, lim);
            }
            return;
        }
        if self.skills_exact && !skills_first {
            // The fewest shared skills a pair needs at this threshold (the table only tightens
            // if `f` raises it, so visiting from there on stays a superset).
            let Some(need) = (0..rows).find(|&c| !lim.row_rejects_all(pl, w, c)) else {
                return; // no pair can pass at all
            };
            lookup.count_skills(&pl.skill_ids, at_least);
            let words = lookup.words;
            visit.clear();
            if need >= 2 {
                // Mentors sharing at least `need` skills (at least SKILL_TIERS, if more).
                let t = need.min(SKILL_TIERS);
                visit.extend_from_slice(&at_least[(t - 1) * words..t * words]);
            } else {
                // Two shared skills or more: all of them. One: those within the largest
                // chord of the table's row 1 (all of them when it is unbounded). None: the
                // zero-skill band.
                visit.extend_from_slice(&at_least[words..2 * words]);
                if rows > 1 {
                    let limit = lim.row_limit(pl, w, 1);
                    if let Some(limit) = limit {
                        near.clear();
                        near.resize(words, 0);
                        lookup.mark_box(&pl.xyz, limit, near);
                    }
                    let (one, two) = at_least[..2 * words].split_at(words);
                    for (k, v) in visit.iter_mut().enumerate() {
                        let tier = one[k] & !two[k];
                        *v |= if limit.is_some() {
                            tier & near[k]
                        } else {
                            tier
                        };
                    }
                }
                if zero_skill >= 0.0 {
                    near.clear();
                    near.resize(words, 0);
                    lookup.mark_box(&pl.xyz, zero_skill, near);
                    for (v, (&n, &one)) in visit.iter_mut().zip(near.iter().zip(&at_least[..words]))
                    {
                        *v |= n & !one;
                    }
                }
            }
            mask(visit);
            visit_bits(visit, lim);
            return;
        }
        visit.clear();
        visit.resize(lookup.words, 0);
        for &s in &pl.skill_ids {
            lookup.mark_skill(s, visit);
        }
        if skills_first {
            // The mentors sharing a skill first (they score highest, so the threshold `f`
            // returns rises early), then the band of the others within the zero-skill chord
            // *at the threshold reached by then* (often none at all: past the best score a
            // pair without a common skill can reach, the band is empty).
            mask(visit);
            visit_bits(visit, lim);
            // Limits only shrink as the threshold rises: still finite.
            let zero_skill = lim.row_limit(pl, w, 0).unwrap_or(zero_skill);
            if zero_skill >= 0.0 {
                near.clear();
                near.resize(lookup.words, 0);
                lookup.mark_box(&pl.xyz, zero_skill, near);
                for (n, &v) in near.iter_mut().zip(visit.iter()) {
                    *n &= !v;
                }
                mask(near);
                visit_bits(near, lim);
            }
            return;
        }
        if zero_skill >= 0.0 {
            lookup.mark_box(&pl.xyz, zero_skill, visit);
        }
        mask(visit);
        visit_bits(visit, lim);
    }

    /// Append `(score, mentor)` for every eligible mentor of `pl` to `out`, in mentor order.
    ///
    /// Bulk version of [`Self::eval`] at `threshold = min_score`: a pair costs a few ANDs,
    /// popcounts and one comparison against [`Self::fill_limits`]'s table before the exact
    /// check. With `exact_scores` the weights are the reference scores (bit-identical to
    /// [`crate::scoring::score`]); otherwise the faster trig-free distance is used.
    pub(crate) fn eligible_row(
        &self,
        lookup: &MentorLookup,
        pl: &PreparedLearner,
        w: &Weights,
        exact_scores: bool,
        out: &mut Vec<(f64, u32)>,
        scratch: &mut RowScratch,
    ) {
        self.scan_row::<false, _>(
            lookup,
            pl,
            w,
            w.min_score,
            false,
            None,
            scratch,
            |m, sb, cs| {
                if let Some(score) = self.pair_score(pl, w, exact_scores, m, sb, cs) {
                    // n_mentors <= u32::MAX (ids are unique strings, far fewer in practice).
                    out.push((score, m as u32));
                }
                None
            },
        );
    }

    /// The `k` (`>= 1`) best eligible mentors of `pl`, best first (score descending, then
    /// mentor index), appended to `out`. Returns `true` when they are all of its eligible
    /// mentors, `false` when some were left out: those score at most the last one kept.
    ///
    /// The scan keeps the candidates in a buffer; whenever it holds `2k`, the best `k` stay
    /// and the threshold rises to the k-th best score, which tightens the table for the
    /// mentors still to come (so most pairs past the first few hundred are rejected by the
    /// table test alone, before any exact score).
    ///
    /// With `exact_scores` the row holds reference scores, but the scan still uses the fast
    /// ones (no `sin`/`cos` per pair): it keeps every pair within [`RESCORE_GUARD`] of the
    /// k-th best fast score, re-scores only those with the reference expressions, and of
    /// them keeps the ones that provably beat every pair left out (possibly more than `k`),
    /// so the row is still a prefix of the row's exact best-first order.
    ///
    /// With `only` (a mentor bitset) the row is that of the mentors in it: the other mentors
    /// are not visited at all.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn best_row(
        &self,
        lookup: &MentorLookup,
        pl: &PreparedLearner,
        w: &Weights,
        exact_scores: bool,
        k: usize,
        only: Option<&[u64]>,
        out: &mut Vec<(f64, u32)>,
        scratch: &mut RowScratch,
        buf: &mut Vec<(f64, u32)>,
    ) -> bool {
        let k = k.max(1);
        // Reference scores straight from the scan, or fast ones re-scored at the end.
        let direct = exact_scores && !self.rescore_rows;
        let rescore = exact_scores && self.rescore_rows;
        // Fast scores may differ from the reference ones by FAST_SCORE_ERROR: keep a guard
        // band below the k-th best when the row is re-scored afterwards.
        let guard = if rescore { RESCORE_GUARD } else { 0.0 };
        buf.clear();
        let mut floor = w.min_score;
        let mut complete = true;
        // Re-select when the buffer reaches this size (twice what the last selection kept,
        // so a band of near-ties cannot make the scan quadratic).
        let mut limit = 2 * k;
        self.scan_row::<true, _>(
            lookup,
            pl,
            w,
            w.min_score,
            true,
            only,
            scratch,
            |m, sb, cs| {
                // The fast score decides eligibility exactly but for a mentor's capacity
                // (validation rejects 0 before any assignment; a reference row leaves it out).
                if rescore && self.capacity[m] == 0 {
                    return None;
                }
                let score = if direct {
                    self.exact(pl, m, w, sb, cs)?.score
                } else {
                    self.edge_score(pl, m, w, sb, cs)?
                };
                if score < floor {
                    return None;
                }
                buf.push((score, m as u32));
                if buf.len() < limit {
                    return None;
                }
                let before = buf.len();
                let cut = keep_best(buf, k, guard);
                limit = (2 * buf.len()).max(2 * k);
                // Once the floor rises, pairs below it are no longer seen: the row may miss some.
                complete &= buf.len() == before && cut <= floor;
                if cut > floor {
                    floor = cut;
                    Some(floor)
                } else {
                    None
                }
            },
        );
        let mut cut = f64::NEG_INFINITY;
        if buf.len() > k {
            let before = buf.len();
            cut = keep_best(buf, k, guard);
            complete &= buf.len() == before;
        }
        if !complete {
            cut = cut.max(floor);
        }
        if rescore {
            for e in buf.iter_mut() {
                e.0 = self.components(pl, e.1 as usize, w).score;
            }
            if !complete {
                // Every pair left out has a fast score below `cut`, so a reference score
                // below `cut + FAST_SCORE_ERROR`: keep only the pairs above that. Those whose
                // fast score reached the k-th best (there are at least k) all are.
                buf.retain(|&(s, _)| s > cut + FAST_SCORE_ERROR);
            }
        }
        buf.sort_unstable_by_key(best_first);
        out.extend_from_slice(buf);
        complete
    }
}

/// Keep in `buf` (more than `k` entries) its `k` best and every entry within `guard` below
/// the k-th best score; returns the lowest score kept can be compared with (the k-th best
/// minus `guard`): every dropped entry scores below it.
fn keep_best(buf: &mut Vec<(f64, u32)>, k: usize, guard: f64) -> f64 {
    buf.select_nth_unstable_by_key(k - 1, best_first);
    let kth = buf[k - 1].0;
    if guard == 0.0 {
        buf.truncate(k);
        // Dropped entries score at most the k-th best (ties broken by mentor index).
        return kth;
    }
    let cut = kth - guard;
    buf.retain(|&(s, _)| s >= cut);
    cut
}

/// From this many mentors on, reference-score top-k rows are scanned with fast scores and
/// re-scored (measured: 1,000 x 300 is ~7% faster without, 10,000 x 3,000 ~30% faster with).
const RESCORE_ROWS_MIN_MENTORS: usize = 1000;

/// Upper bound of `|fast score - reference score|` (the fast edge score's error is ~1e-15).
const FAST_SCORE_ERROR: f64 = 1e-11;
/// Guard band of a re-scored row: far above twice [`FAST_SCORE_ERROR`], so every pair whose
/// fast score reaches the k-th best survives the re-scoring.
const RESCORE_GUARD: f64 = 1e-9;

/// Sort key of a row entry `(score, mentor)`: best first (score descending, then mentor
/// index). Scores are `>= 0`, so their bit patterns order like the values.
#[inline]
pub(crate) fn best_first(&(s, m): &(f64, u32)) -> (std::cmp::Reverse<u64>, u32) {
    (std::cmp::Reverse(s.to_bits()), m)
}

/// Squared chord between two unit vectors, evaluated in one fixed order: the candidate
/// pruning and the row test must compute bit-identical values.
#[inline(always)]
fn chord2(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    let dx = a[0] - b[0];
    let dy = a[1] - b[1];
    let dz = a[2] - b[2];
    dx * dx + dy * dy + dz * dz
}

/// Reusable per-thread buffers of [`PreparedMentors::eligible_row`].
#[derive(Debug, Default)]
pub(crate) struct RowScratch {
    limits: Limits,
    visit: Vec<u64>,
    /// The zero-skill band of a skills-first scan.
    near: Vec<u64>,
    /// Bit-sliced shared-skill counts: word `t * words + k` has the bits of the mentors of
    /// word `k` that share at least `t + 1` skills with the learner ([`SKILL_TIERS`] rows).
    at_least: Vec<u64>,
}

/// Shared-skill tiers of a row scan: mentors sharing 1, 2, .., `SKILL_TIERS - 1` skills, and
/// at least `SKILL_TIERS`. With the synthetic data (200 skewed skills, 3-8 each) a learner
/// shares exactly one skill with ~25% of the mentors, two with ~5%, three or more with
/// under 1%: a top-k scan whose threshold already rules out one shared skill skips the
/// 1-skill tier without a single pair test. Measured in instructions at 10,000 x 3,000,
/// 3 tiers beat 2 and 4 (greedy 775 M against 802 M and 794 M).
const SKILL_TIERS: usize = 3;
/// Tiers `1..=SPATIAL_TIERS` are visited only within their table row's largest chord (the
/// grid box costs in proportion to the mentors it holds, worth it for the large tiers only).
const SPATIAL_TIERS: usize = 2;

/// What [`Limits::row_limit`] adds to a row's last cell to bound all of its cells.
const ROW_LIMIT_SLACK: f64 = 1e-12;

/// A learner's limits table at some threshold (the cells of [`PreparedMentors::fill_limits`]),
/// computed lazily: a cell is computed the first time a scan reads it after the threshold
/// was set (a raised threshold only bumps a generation counter), with the same expression,
/// so each cell has the same bits as an eager fill would give it. A top-k scan reads a few
/// dozen cells of a table of up to a few hundred, and raises its threshold several times; a
/// whole-row scan fills it at once ([`Limits::fill_all`]).
///
/// The columns past `ceil(hours)` common slots repeat that one's (availability is capped at
/// 1 there): they are folded onto it, so a cell is addressed by its clamped column.
#[derive(Debug, Default)]
pub(crate) struct Limits {
    cells: Vec<f64>,
    stamp: Vec<u32>,
    gen: u32,
    /// Distinct columns: `min(ceil(hours), the learner's slot count) + 1`.
    cols: usize,
    /// The largest skill-signature overlap + 1.
    rows: usize,
    /// `(threshold - BOUND_EPS) * den`: what a pair's weighted components must reach.
    need: f64,
}

impl Limits {
    /// Set up for learner `pl` at `threshold`.
    fn reset(&mut self, pl: &PreparedLearner, threshold: f64) {
        // The largest possible skill-signature overlap.
        let n_bits = (pl.skill_sig[0].count_ones()
            + pl.skill_sig[1].count_ones()
            + pl.skill_sig[2].count_ones()
            + pl.skill_sig[3].count_ones()) as usize;
        // Slot counts at or above ceil(hours) all give availability 1.
        let h_cap = if pl.hours > 0.0 {
            (pl.hours.ceil() as usize).min(192)
        } else {
            0
        };
        let max_slots = (pl.slots[0].count_ones()
            + pl.slots[1].count_ones()
            + pl.slots[2].count_ones()) as usize;
        self.cols = h_cap.min(max_slots) + 1;
        self.rows = n_bits + 1;
        let len = self.rows * self.cols;
        if self.cells.len() < len {
            self.cells.resize(len, 0.0);
            self.stamp.resize(len, 0);
        }
        self.raise(pl, threshold);
    }

    /// Move to a (higher) threshold: every cell is stale.
    #[inline]
    fn raise(&mut self, pl: &PreparedLearner, threshold: f64) {
        self.gen = self.gen.wrapping_add(1);
        if self.gen == 0 {
            self.stamp.fill(0);
            self.gen = 1;
        }
        self.need = (threshold - BOUND_EPS) * pl.den;
    }

    /// What a pair with skill-signature overlap `sb` and `cs` common slots (`cs` below
    /// `cols`) still needs from its weighted distance component.
    #[inline(always)]
    fn rest(&self, pl: &PreparedLearner, w: &Weights, sb: usize, cs: usize) -> f64 {
        let partial = sb as f64 * pl.skill_w + (cs as f64 * pl.inv_hours).min(1.0) * w.availability;
        self.need - partial
    }

    /// The largest squared chord at which a pair with skill-signature overlap `sb` and `cs`
    /// common slots can still reach the threshold: `+inf` at any distance, `-1` never.
    #[inline(always)]
    fn get(&mut self, pl: &PreparedLearner, w: &Weights, sb: usize, cs: usize) -> f64 {
        let cs = cs.min(self.cols - 1);
        let i = sb * self.cols + cs;
        if self.stamp[i] == self.gen {
            return self.cells[i];
        }
        let x = Self::cell(pl, w, self.rest(pl, w, sb, cs));
        self.cells[i] = x;
        self.stamp[i] = self.gen;
        x
    }

    #[inline(never)]
    fn cell(pl: &PreparedLearner, w: &Weights, rest: f64) -> f64 {
        if rest <= 0.0 {
            f64::INFINITY
        } else if pl.wd <= 0.0 || rest > pl.wd {
            -1.0
        } else {
            // Smallest distance component that still reaches `need`.
            let t = rest / pl.wd;
            let d_max = -w.distance_scale_km * t.ln();
            let half = (d_max / (2.0 * EARTH_RADIUS_KM)).min(std::f64::consts::FRAC_PI_2);
            let c = 2.0 * half.sin();
            // Generous margin: this only skips work.
            let c = c * (1.0 + 1e-6) + 1e-9;
            c * c
        }
    }

    /// Compute every cell now (for a scan that reads many and never raises its threshold).
    fn fill_all(&mut self, pl: &PreparedLearner, w: &Weights) {
        for sb in 0..self.rows {
            for cs in 0..self.cols {
                self.get(pl, w, sb, cs);
            }
        }
    }

    /// A cell of a table filled by [`Self::fill_all`] at the current threshold.
    #[inline(always)]
    fn filled(&self, sb: usize, cs: usize) -> f64 {
        debug_assert!(self.stamp[sb * self.cols + cs.min(self.cols - 1)] == self.gen);
        self.cells[sb * self.cols + cs.min(self.cols - 1)]
    }

    /// Whether row `sb` rejects every pair: all its limits are `-1` (a squared chord is
    /// never below 0; a NaN limit lets pairs through, so it does not count as a rejection).
    /// Decided on `rest` alone, without computing a chord.
    fn row_rejects_all(&self, pl: &PreparedLearner, w: &Weights, sb: usize) -> bool {
        (0..self.cols).all(|cs| {
            let rest = self.rest(pl, w, sb, cs);
            rest > 0.0 && (pl.wd <= 0.0 || rest > pl.wd)
        })
    }

    /// An upper bound of the largest squared chord at which a pair with skill-signature
    /// overlap `sb` can pass the row test (the maximum of row `sb` over every possible common
    /// slot count), or `None` when that is unbounded (or not a number: then no pair may be
    /// skipped on distance). For row 0: the zero-skill band.
    ///
    /// Only the row's last cell is computed: its pair needs the least from its distance
    /// (`rest` never rises with the slot count, the floating-point operations being
    /// monotone), and the exact chord limit only grows as `rest` falls. The computed cells
    /// differ from the exact limits by far less than `1e-12` (a few ulps of numbers at most
    /// 4, and `+1e-9` absolute in the chord itself), so the last cell plus `1e-12` bounds
    /// every cell of the row, whatever the rounding of `ln` and `sin`.
    fn row_limit(&mut self, pl: &PreparedLearner, w: &Weights, sb: usize) -> Option<f64> {
        let x = self.get(pl, w, sb, self.cols - 1);
        if x.is_nan() || x == f64::INFINITY {
            return None;
        }
        if x < 0.0 {
            // `rest > wd` (or no distance weight) even at the last cell: so at every cell.
            return Some(x);
        }
        Some(x + ROW_LIMIT_SLACK)
    }
}

/// Which mentors a learner's row has to look at: an inverted skill index (mentors per
/// skill id) and the mentors sorted by `z = sin(latitude)` of their unit vector.
///
/// Why skipping the others is exact: a mentor that shares no skill id with the learner
/// has a skill component of exactly 0 (skill ids are interned exactly, so this holds
/// whether or not the 256-bit signatures collide). Its score is then at most what the
/// limits table assumes for a signature overlap of 0 with the same common slot count, so
/// it can only be eligible if its squared chord is within the table's row-0 limit for
/// that slot count, hence within the row maximum `L` ([`Limits::row_limit`]). Those rows
/// are the same bounds the full scan already relies on (derived from the weights of the
/// request with a safety margin, for remote learners too: their smaller distance weight
/// is in `PreparedLearner::wd`). And `chord² >= dz²` (the computed sum of non-negative
/// squares is never below one of them), so every such mentor has `|dz| <= sqrt(L)`: a
/// binary search over the `z`-sorted mentors finds a band that contains all of them, and
/// each band member is kept only if its chord, computed exactly as in the row test, is
/// within `L`. Skipped pairs are pairs the full scan would have rejected.
#[derive(Debug, Clone)]
pub(crate) struct MentorLookup {
    /// Words of a mentor bitset.
    words: usize,
    /// Mentors of each skill id: a bitset row in `dense` for frequent skills (OR-ing
    /// `words` words beats setting that many bits), else a sorted list in `ids`.
    post_off: Vec<u32>,
    post_ids: Vec<u32>,
    dense_row: Vec<u32>,
    dense: Vec<u64>,
    /// `z` of every mentor's unit vector, ascending. Consecutive runs of `row_len` entries
    /// of that order are the rows of a grid: within a row, the mentors sorted by `y`
    /// (`row_y`, with their mentor index, and for the tests their unit vector, at the same
    /// positions).
    z: Vec<f64>,
    row_len: usize,
    row_y: Vec<f64>,
    row_mentor: Vec<u32>,
    #[cfg(test)]
    row_xyz: Vec<[f64; 3]>,
}

impl MentorLookup {
    pub(crate) fn new(pm: &PreparedMentors) -> Self {
        let n = pm.len();
        let words = n.div_ceil(64);
        let n_skills = pm.skills.len();
        let mut count = vec![0u32; n_skills + 1];
        for &s in &pm.skill_ids {
            count[s as usize + 1] += 1;
        }
        for s in 0..n_skills {
            count[s + 1] += count[s];
        }
        let post_off = count.clone();
        let mut post_ids = vec![0u32; pm.skill_ids.len()];
        for m in 0..n {
            for &s in pm.mentor_skills(m) {
                let slot = &mut count[s as usize];
                post_ids[*slot as usize] = m as u32;
                *slot += 1;
            }
        }
        // A dense row costs `words` words; it replaces at least as many posting entries,
        // so the rows never take more than 8 bytes per (mentor, skill) entry.
        let mut dense_row = vec![u32::MAX; n_skills];
        let mut dense = Vec::new();
        for (s, row) in dense_row.iter_mut().enumerate() {
            let ids = &post_ids[post_off[s] as usize..post_off[s + 1] as usize];
            if ids.len() >= words.max(1) {
                *row = (dense.len() / words) as u32;
                let start = dense.len();
                dense.resize(start + words, 0);
                for &m in ids {
                    dense[start + m as usize / 64] |= 1u64 << (m % 64);
                }
            }
        }
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            pm.hot[a as usize].xyz[2]
                .total_cmp(&pm.hot[b as usize].xyz[2])
                .then(a.cmp(&b))
        });
        let z = order.iter().map(|&m| pm.hot[m as usize].xyz[2]).collect();
        // About sqrt(n) rows of about sqrt(n) mentors: a query reads a few rows, and a
        // short stretch of each.
        let row_len = (n as f64).sqrt().ceil().max(16.0) as usize;
        for row in order.chunks_mut(row_len) {
            row.sort_unstable_by(|&a, &b| {
                pm.hot[a as usize].xyz[1]
                    .total_cmp(&pm.hot[b as usize].xyz[1])
                    .then(a.cmp(&b))
            });
        }
        MentorLookup {
            words,
            post_off,
            post_ids,
            dense_row,
            dense,
            z,
            row_len,
            row_y: order.iter().map(|&m| pm.hot[m as usize].xyz[1]).collect(),
            #[cfg(test)]
            row_xyz: order.iter().map(|&m| pm.hot[m as usize].xyz).collect(),
            row_mentor: order,
        }
    }

    /// Set the bit of every mentor that has skill id `s`.
    #[inline]
    fn mark_skill(&self, s: u32, visit: &mut [u64]) {
        let s = s as usize;
        match self.dense_row[s] {
            u32::MAX => {
                for &m in &self.post_ids[self.post_off[s] as usize..self.post_off[s + 1] as usize] {
                    visit[m as usize / 64] |= 1u64 << (m % 64);
                }
            }
            row => {
                let row = &self.dense[row as usize * self.words..(row as usize + 1) * self.words];
                for (v, &d) in visit.iter_mut().zip(row) {
                    *v |= d;
                }
            }
        }
    }

    /// Fill `at_least` ([`SKILL_TIERS`] rows of `words` words) with the bit-sliced counts of
    /// the learner skill ids `skills` each mentor has: row `t` holds the mentors that have at
    /// least `t + 1` of them (a saturating counter per mentor, one bit per level).
    fn count_skills(&self, skills: &[u32], at_least: &mut Vec<u64>) {
        // The dense update below is written out for exactly three levels.
        const _: () = assert!(SKILL_TIERS == 3);
        let words = self.words;
        at_least.clear();
        at_least.resize(SKILL_TIERS * words, 0);
        // Add one skill's mentors (bits `a` of word `k` of each level): a mentor at level t
        // reaches t + 1 (highest level first, so a mentor moves up one level per skill).
        for &s in skills {
            let s = s as usize;
            let (l0, rest) = at_least.split_at_mut(words);
            let (l1, l2) = rest.split_at_mut(words);
            match self.dense_row[s] {
                u32::MAX => {
                    // A mentor appears once per skill list (ids are deduplicated).
                    for &m in
                        &self.post_ids[self.post_off[s] as usize..self.post_off[s + 1] as usize]
                    {
                        let (k, a) = (m as usize / 64, 1u64 << (m % 64));
                        l2[k] |= l1[k] & a;
                        l1[k] |= l0[k] & a;
                        l0[k] |= a;
                    }
                }
                row => {
                    let row = &self.dense[row as usize * words..(row as usize + 1) * words];
                    // The same update, a word of every level at a time.
                    for (((a, x0), x1), x2) in row.iter().zip(l0).zip(l1).zip(l2) {
                        *x2 |= *x1 & a;
                        *x1 |= *x0 & a;
                        *x0 |= a;
                    }
                }
            }
        }
    }

    /// Call `each` with every stretch (a range of the grid's order) of the grid box around
    /// `xyz` for the squared chord `limit` (`limit >= 0`): the grid rows that reach the `z`
    /// band, and in each the stretch within the `y` band.
    ///
    /// A mentor within that chord has `|dz| <= sqrt(limit)` and `|dy| <= sqrt(limit)` (the
    /// computed sum of non-negative squares is never below one of them; the margin covers the
    /// rounding of the subtractions, coordinates being within [-1, 1]), so the box holds every
    /// one of them: a box around the point instead of a whole band of latitude.
    fn for_each_box_stretch(&self, xyz: &[f64; 3], limit: f64, mut each: impl FnMut(Range<usize>)) {
        let reach = limit.sqrt() * (1.0 + 1e-9) + 1e-9;
        let lo = self.z.partition_point(|&z| z < xyz[2] - reach);
        let hi = self.z.partition_point(|&z| z <= xyz[2] + reach);
        if lo >= hi {
            return;
        }
        let (y_lo, y_hi) = (xyz[1] - reach, xyz[1] + reach);
        for row in lo / self.row_len..=(hi - 1) / self.row_len {
            let start = row * self.row_len;
            let end = (start + self.row_len).min(self.z.len());
            let ys = &self.row_y[start..end];
            let a = start + ys.partition_point(|&y| y < y_lo);
            let b = start + ys.partition_point(|&y| y <= y_hi);
            each(a..b);
        }
    }

    /// Set the bit of every mentor of the grid box ([`Self::for_each_box_stretch`]): a superset
    /// of the mentors within the squared chord `limit`, without testing the chord of each. A
    /// scan tests every mentor it visits against its table anyway (whose limits are at most the
    /// row maximum `limit`, with the same chord), so the extra mentors of the box cost one
    /// table test each and change no row, while the chord test of every box mentor is saved.
    fn mark_box(&self, xyz: &[f64; 3], limit: f64, visit: &mut [u64]) {
        self.for_each_box_stretch(xyz, limit, |stretch| {
            for &m in &self.row_mentor[stretch] {
                visit[m as usize / 64] |= 1u64 << (m % 64);
            }
        });
    }

    /// Set the bit of every mentor whose squared chord to `xyz` is at most `limit`
    /// (`limit >= 0`), computed exactly as the row test computes it: the grid box, each of
    /// its mentors tested.
    #[cfg(test)]
    fn mark_near(&self, xyz: &[f64; 3], limit: f64, visit: &mut [u64]) {
        self.for_each_box_stretch(xyz, limit, |stretch| {
            for (&m, p) in self.row_mentor[stretch.clone()]
                .iter()
                .zip(&self.row_xyz[stretch])
            {
                if chord2(xyz, p) <= limit {
                    visit[m as usize / 64] |= 1u64 << (m % 64);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    //! The mentor lookup must only skip pairs the full scan rejects: compare the rows with
    //! and without it on random instances, including vocabularies too large for exact
    //! signatures, arbitrary weights, remote learners and points anywhere on the globe.

    use super::*;
    use proptest::prelude::*;

    impl PreparedMentors {
        /// [`Self::eligible_row`] without the lookup: every mentor is visited.
        fn eligible_row_full_scan(
            &self,
            pl: &PreparedLearner,
            w: &Weights,
            exact_scores: bool,
            out: &mut Vec<(f64, u32)>,
        ) {
            let mut table = Vec::new();
            let cols = Self::fill_limits(pl, w, w.min_score, &mut table);
            for m in 0..self.len() {
                if let Some((sb, cs)) = self.table_test_eager(pl, &table, cols, m) {
                    if let Some(s) = self.pair_score(pl, w, exact_scores, m, sb, cs) {
                        out.push((s, m as u32));
                    }
                }
            }
        }
    }

    /// A point: anywhere, near the poles, or in a small patch (many close pairs).
    fn point() -> impl Strategy<Value = (f64, f64)> {
        prop_oneof![
            (-90.0f64..=90.0, -180.0f64..=180.0),
            (85.0f64..=90.0, -180.0f64..=180.0),
            (10.0f64..12.0, 20.0f64..22.0),
        ]
    }

    fn names(prefix: &'static str, vocab: u16, max: usize) -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec((0..vocab).prop_map(move |i| format!("{prefix}{i}")), 0..max)
    }

    fn mentor(vocab: u16, langs: u16) -> impl Strategy<Value = Mentor> {
        (
            names("s", vocab, 8),
            point(),
            proptest::collection::vec(0u16..24, 0..12),
            names("l", langs, 3),
            0u32..3,
        )
            .prop_map(|(skills, (lat, lon), slots, languages, capacity)| Mentor {
                id: String::new(),
                skills,
                lat,
                lon,
                slots,
                languages,
                capacity,
            })
    }

    fn learner(vocab: u16, langs: u16) -> impl Strategy<Value = Learner> {
        (
            names("s", vocab, 8),
            point(),
            any::<bool>(),
            0u8..8,
            proptest::collection::vec(0u16..24, 0..10),
            names("l", langs, 3),
        )
            .prop_map(
                |(skills, (lat, lon), remote_ok, hours, slots, languages)| Learner {
                    id: String::new(),
                    skills,
                    lat,
                    lon,
                    remote_ok,
                    hours_per_week: f64::from(hours),
                    slots,
                    languages,
                },
            )
    }

    fn weights() -> impl Strategy<Value = Weights> {
        let w = prop_oneof![Just(0.0f64), 0.0f64..2.0];
        (
            w.clone(),
            w.clone(),
            w,
            0.0f64..=1.0,
            prop_oneof![1.0f64..50.0, 50.0f64..5000.0, Just(1e6)],
            0.0f64..=1.0,
        )
            .prop_map(
                |(skill, distance, availability, min_score, scale, rf)| Weights {
                    skill,
                    distance,
                    availability,
                    min_score,
                    distance_scale_km: scale,
                    remote_distance_factor: rf,
                },
            )
    }

    fn instance() -> impl Strategy<Value = (Vec<Learner>, Vec<Mentor>, Weights)> {
        (
            prop_oneof![Just(6u16), Just(40), Just(600)],
            prop_oneof![Just(2u16), Just(80)],
        )
            .prop_flat_map(|(vocab, langs)| {
                (
                    proptest::collection::vec(learner(vocab, langs), 1..6),
                    proptest::collection::vec(mentor(vocab, langs), 1..150),
                    weights(),
                )
            })
    }

    /// The scan comparison below is not vacuous: a fixed instance has pairs that pass, and
    /// mentors sharing one, two and three skills (so every tier is exercised).
    #[test]
    fn some_scans_find_pairs() {
        let (learners, mentors) = crate::synthetic::synthetic_instance(50, 400, 3);
        let w = Weights::default();
        let pm = PreparedMentors::new(&mentors);
        let lookup = MentorLookup::new(&pm);
        let mut scratch = RowScratch::default();
        let mut tiers = [0usize; 4];
        for l in &learners {
            let pl = pm.learner(l, &w);
            pm.scan_row::<true, _>(
                &lookup,
                &pl,
                &w,
                0.6,
                true,
                None,
                &mut scratch,
                |_, sb, _| {
                    tiers[sb.min(3)] += 1;
                    None
                },
            );
        }
        assert!(tiers[1] > 0 && tiers[2] > 0 && tiers[3] > 0, "{tiers:?}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn lookup_rows_equal_full_scan_rows((learners, mentors, w) in instance()) {
            let pm = PreparedMentors::new(&mentors);
            let lookup = MentorLookup::new(&pm);
            let mut scratch = RowScratch::default();
            for l in &learners {
                let pl = pm.learner(l, &w);
                for exact in [false, true] {
                    let (mut fast, mut full) = (Vec::new(), Vec::new());
                    pm.eligible_row(&lookup, &pl, &w, exact, &mut fast, &mut scratch);
                    pm.eligible_row_full_scan(&pl, &w, exact, &mut full);
                    let bits = |v: &[(f64, u32)]| v.iter().map(|&(s, m)| (s.to_bits(), m)).collect::<Vec<_>>();
                    prop_assert_eq!(bits(&fast), bits(&full));
                }
            }
        }

        /// The row scan at any threshold, in mentor order or by shared-skill tier, with or
        /// without a mentor mask, calls `f` only for pairs the table test passes among all
        /// (masked) mentors, and for every pair that passes it at its true number of shared
        /// skills: the tiers, their chord limits and the zero-skill box skip only pairs the
        /// table rejects. With an exact skill signature the two sets are one; with more than
        /// 256 skills the signature may overlap where no skill is shared (a hash collision),
        /// and such a pair, which the table passes on the collision alone, may be skipped
        /// (found by proptest: a mentor sharing no skill, far outside the zero-skill chord).
        /// Without `skills_first` the order is mentor order.
        #[test]
        fn scans_at_any_threshold_visit_every_pair_the_table_passes(
            (learners, mentors, w) in instance(),
            raise in 0.0f64..=1.0,
            masked in any::<bool>(),
            mask_seed in any::<u64>(),
        ) {
            let pm = PreparedMentors::new(&mentors);
            let lookup = MentorLookup::new(&pm);
            let mut scratch = RowScratch::default();
            let threshold = w.min_score + (1.0 - w.min_score) * raise;
            let only: Vec<u64> = (0..pm.len().div_ceil(64))
                .map(|k| mask_seed.rotate_left(k as u32 * 7) ^ (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
                .collect();
            let only = masked.then_some(&only[..]);
            let mut table = Vec::new();
            for l in &learners {
                let pl = pm.learner(l, &w);
                let cols = PreparedMentors::fill_limits(&pl, &w, threshold, &mut table);
                // Upper bound: the table test on the signature overlap.
                let passing: Vec<(usize, usize, u32)> = (0..pm.len())
                    .filter(|&m| only.is_none_or(|o| o[m / 64] & (1u64 << (m % 64)) != 0))
                    .filter_map(|m| pm.table_test_eager(&pl, &table, cols, m).map(|(sb, cs)| (m, sb, cs)))
                    .collect();
                // Lower bound: of those, the pairs the table passes at their true skill overlap.
                let needed: Vec<(usize, usize, u32)> = passing
                    .iter()
                    .copied()
                    .filter(|&(m, _, cs)| {
                        // The learner's own skills may collide too, leaving the table fewer
                        // rows than skills; a lower row only asks for less (limits grow with rows).
                        let rows = table.len() / cols;
                        let shared = count_common(&pl.skill_ids, pm.mentor_skills(m)).min(rows - 1);
                        chord2(&pl.xyz, &pm.hot[m].xyz) <= table[shared * cols + cs as usize]
                    })
                    .collect();
                if pm.skills_exact {
                    prop_assert_eq!(&needed, &passing);
                }
                for skills_first in [false, true] {
                    let mut got = Vec::new();
                    pm.scan_row::<true, _>(&lookup, &pl, &w, threshold, skills_first, only, &mut scratch, |m, sb, cs| {
                        got.push((m, sb, cs));
                        None
                    });
                    if skills_first {
                        got.sort_unstable();
                    }
                    prop_assert!(got.windows(2).all(|p| p[0].0 < p[1].0), "mentor order, each once");
                    prop_assert!(got.iter().all(|v| passing.contains(v)), "skills_first {}: a pair the table rejects", skills_first);
                    prop_assert!(needed.iter().all(|v| got.contains(v)), "skills_first {}: a needed pair skipped", skills_first);
                }
            }
        }

        /// The grid box of `mark_near` marks exactly the mentors within the squared chord.
        #[test]
        fn mark_near_marks_exactly_the_mentors_within_the_chord(
            (learners, mentors, _w) in instance(),
            limit in prop_oneof![Just(0.0f64), 0.0f64..1e-4, 0.0f64..0.05, 0.0f64..4.5],
        ) {
            let pm = PreparedMentors::new(&mentors);
            let lookup = MentorLookup::new(&pm);
            for l in &learners {
                let pl = pm.learner(l, &Weights::default());
                let mut got = vec![0u64; lookup.words];
                lookup.mark_near(&pl.xyz, limit, &mut got);
                let mut expected = vec![0u64; lookup.words];
                for m in 0..pm.len() {
                    if chord2(&pl.xyz, &pm.hot[m].xyz) <= limit {
                        expected[m / 64] |= 1u64 << (m % 64);
                    }
                }
                prop_assert_eq!(&got, &expected);
                // The box holds them all, and only mentors within the reach on y (its grid rows
                // may hold mentors outside the z band at their ends).
                let mut boxed = vec![0u64; lookup.words];
                lookup.mark_box(&pl.xyz, limit, &mut boxed);
                let reach = limit.sqrt() * (1.0 + 1e-9) + 1e-9;
                for m in 0..pm.len() {
                    let (bit, word) = (1u64 << (m % 64), m / 64);
                    if expected[word] & bit != 0 {
                        prop_assert!(boxed[word] & bit != 0, "mentor {} within the chord, not in the box", m);
                    }
                    if boxed[word] & bit != 0 {
                        let p = &pm.hot[m].xyz;
                        prop_assert!((p[1] - pl.xyz[1]).abs() <= reach, "mentor {} outside the box", m);
                    }
                }
            }
        }

        /// The pricing pass skips a pair when `may_reach` says its score cannot reach the
        /// pair's bar: it must hold at every eligible pair's own score (fast and reference),
        /// and fail above the largest possible score (the positive control).
        #[test]
        fn may_reach_never_rules_out_a_reachable_score((learners, mentors, w) in instance()) {
            let pm = PreparedMentors::new(&mentors);
            let mut table = Vec::new();
            for l in &learners {
                let pl = pm.learner(l, &w);
                let cols = PreparedMentors::fill_limits(&pl, &w, w.min_score, &mut table);
                for m in 0..pm.len() {
                    let Some((sb, cs)) = pm.table_test_eager(&pl, &table, cols, m) else { continue };
                    for exact in [false, true] {
                        if let Some(s) = pm.pair_score(&pl, &w, exact, m, sb, cs) {
                            prop_assert!(pm.may_reach(&pl, m, &w, sb, cs, s), "mentor {} score {}", m, s);
                        }
                    }
                    if pl.den > 0.0 {
                        prop_assert!(!pm.may_reach(&pl, m, &w, sb, cs, 1.0 + 1e-6));
                    }
                }
            }
        }

        /// The greedy's rows: scanned with fast scores, re-scored with the reference ones.
        /// They must be a prefix of the full row in the reference best-first order, at least
        /// `k` long (or the whole row), and the whole row when they say they are complete.
        #[test]
        fn exact_best_rows_are_prefixes_of_the_reference_order(
            (learners, mentors, w) in instance(),
            k in 1usize..6,
            rescore in any::<bool>(),
        ) {
            let mut pm = PreparedMentors::new(&mentors);
            pm.rescore_rows = rescore;
            let lookup = MentorLookup::new(&pm);
            let mut scratch = RowScratch::default();
            let mut buf = Vec::new();
            for l in &learners {
                let pl = pm.learner(l, &w);
                let mut full = Vec::new();
                pm.eligible_row_full_scan(&pl, &w, true, &mut full);
                full.sort_unstable_by_key(best_first);
                let mut best = Vec::new();
                let complete = pm.best_row(&lookup, &pl, &w, true, k, None, &mut best, &mut scratch, &mut buf);
                let bits = |v: &[(f64, u32)]| v.iter().map(|&(s, m)| (s.to_bits(), m)).collect::<Vec<_>>();
                prop_assert!(best.len() >= k.min(full.len()));
                prop_assert!(best.len() <= full.len());
                prop_assert_eq!(bits(&best), bits(&full[..best.len()]));
                // `complete` is a promise (the greedy then never scores the rest of the row);
                // an incomplete row may still happen to hold every pair.
                if complete {
                    prop_assert_eq!(best.len(), full.len());
                }
            }
        }
    }
}
