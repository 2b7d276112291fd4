//! The scoring rule, written plainly. The fast paths in [`crate::prepared`] evaluate the
//! same floating-point expressions in the same order, so they give bit-identical results.

use crate::error::{validate_learner, validate_mentor, validate_weights, InputError};
use crate::types::{Components, Learner, Mentor, Weights};

/// Mean Earth radius (IUGG) in kilometres.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Degrees to radians exactly as Python's `math.radians` (`x * (pi / 180)`).
#[inline]
pub fn radians(deg: f64) -> f64 {
    deg * (std::f64::consts::PI / 180.0)
}

/// Haversine distance from precomputed radians and cosines of the latitudes.
#[inline]
pub(crate) fn haversine_prepared(
    phi1: f64,
    lam1: f64,
    cos1: f64,
    phi2: f64,
    lam2: f64,
    cos2: f64,
) -> f64 {
    let s_phi = ((phi2 - phi1) / 2.0).sin();
    let s_lam = ((lam2 - lam1) / 2.0).sin();
    let a = s_phi * s_phi + cos1 * cos2 * (s_lam * s_lam);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// Great-circle distance in km (Haversine, R = 6371.0088 km).
///
/// Evaluated as (Python): `p1, p2 = radians(lat1), radians(lat2)`;
/// `a = sin((p2 - p1) / 2) ** 2 + cos(p1) * cos(p2) * sin((radians(lon2) - radians(lon1)) / 2) ** 2`;
/// `2 * R * asin(min(1.0, sqrt(a)))`.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (phi1, phi2) = (radians(lat1), radians(lat2));
    haversine_prepared(
        phi1,
        radians(lon1),
        phi1.cos(),
        phi2,
        radians(lon2),
        phi2.cos(),
    )
}

/// `count / n`, or 0 when `n == 0`.
#[inline]
pub(crate) fn skill_ratio(common: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        common as f64 / n as f64
    }
}

/// `min(1, common / hours)`, or 0 when `hours == 0`.
#[inline]
pub(crate) fn availability_ratio(common: u32, hours: f64) -> f64 {
    if hours == 0.0 {
        0.0
    } else {
        (f64::from(common) / hours).min(1.0)
    }
}

/// Effective distance weight and the score denominator for a learner.
#[inline]
pub(crate) fn learner_weights(remote_ok: bool, w: &Weights) -> (f64, f64) {
    let wd = if remote_ok {
        w.distance * w.remote_distance_factor
    } else {
        w.distance
    };
    (wd, w.skill + wd + w.availability)
}

/// Combine the components (shared by every code path).
#[inline]
pub(crate) fn combine(
    skill: f64,
    distance: f64,
    availability: f64,
    wd: f64,
    den: f64,
    w: &Weights,
) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        (skill * w.skill + distance * wd + availability * w.availability) / den
    }
}

fn sorted_unique<T: Ord + ?Sized>(items: &[impl AsRef<T>]) -> Vec<&T> {
    let mut v: Vec<&T> = items.iter().map(AsRef::as_ref).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn count_common<T: Ord + ?Sized>(a: &[&T], b: &[&T]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(b[j]) {
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

fn slot_mask(slots: &[u16]) -> [u64; 3] {
    let mut m = [0u64; 3];
    for &s in slots {
        let s = usize::from(s);
        if s < 192 {
            m[s / 64] |= 1u64 << (s % 64);
        }
    }
    m
}

/// Score one pair. Does not validate (see [`score_checked`]); never panics.
pub fn score(learner: &Learner, mentor: &Mentor, w: &Weights) -> Components {
    let ls = sorted_unique::<str>(&learner.skills);
    let ms = sorted_unique::<str>(&mentor.skills);
    let skill = skill_ratio(count_common(&ls, &ms), ls.len());

    let distance_km = haversine_km(learner.lat, learner.lon, mentor.lat, mentor.lon);
    let distance = (-distance_km / w.distance_scale_km).exp();

    let (a, b) = (slot_mask(&learner.slots), slot_mask(&mentor.slots));
    let common_slots =
        (a[0] & b[0]).count_ones() + (a[1] & b[1]).count_ones() + (a[2] & b[2]).count_ones();
    let availability = availability_ratio(common_slots, learner.hours_per_week);

    let (wd, den) = learner_weights(learner.remote_ok, w);
    let score = combine(skill, distance, availability, wd, den, w);

    let ll = sorted_unique::<str>(&learner.languages);
    let ml = sorted_unique::<str>(&mentor.languages);
    let eligible = count_common(&ll, &ml) > 0 && mentor.capacity > 0 && score >= w.min_score;

    Components {
        skill,
        distance,
        availability,
        distance_km,
        score,
        eligible,
    }
}

/// Validate the learner (`learner.*`), mentor (`mentor.*`) and weights (`weights.*`), then score.
pub fn score_checked(
    learner: &Learner,
    mentor: &Mentor,
    w: &Weights,
) -> Result<Components, InputError> {
    validate_weights(w, "weights")?;
    validate_learner(learner, "learner")?;
    validate_mentor(mentor, "mentor")?;
    Ok(score(learner, mentor, w))
}
