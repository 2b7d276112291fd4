//! Seeded synthetic instances for benchmarks, property tests and the Python binding.
//!
//! Skills come from a vocabulary of 200 (`skill-000` … `skill-199`, skewed towards the
//! low ids), 3–8 per person; points lie in Africa (lat −35..37, lon −18..51), most of them
//! around one of 24 "cities"; slots are evening/weekend blocks; capacities are 1–5; most
//! people speak `en`. With the default weights (min_score 0.4) about 8% of the pairs are
//! eligible. The output depends only on the arguments (splitmix64 PRNG).

use crate::types::{Learner, Mentor, Weights};

/// Size of the skill vocabulary.
pub const SKILL_VOCAB: usize = 200;

/// splitmix64: tiny, fast, seedable, good enough for test data.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.next_f64() < p
    }
}

const CITIES: [(f64, f64); 24] = [
    (6.52, 3.38),    // Lagos
    (-1.29, 36.82),  // Nairobi
    (30.04, 31.24),  // Cairo
    (-26.20, 28.05), // Johannesburg
    (5.60, -0.19),   // Accra
    (14.72, -17.47), // Dakar
    (-6.79, 39.21),  // Dar es Salaam
    (9.03, 38.74),   // Addis Ababa
    (0.35, 32.58),   // Kampala
    (-1.94, 30.06),  // Kigali
    (33.57, -7.59),  // Casablanca
    (36.81, 10.18),  // Tunis
    (-33.92, 18.42), // Cape Town
    (-4.44, 15.27),  // Kinshasa
    (-8.84, 13.23),  // Luanda
    (12.64, -8.00),  // Bamako
    (5.36, -4.01),   // Abidjan
    (-17.83, 31.05), // Harare
    (-15.39, 28.32), // Lusaka
    (15.50, 32.56),  // Khartoum
    (3.87, 11.52),   // Yaoundé
    (-25.97, 32.57), // Maputo
    (-18.88, 47.51), // Antananarivo
    (2.05, 45.32),   // Mogadishu
];

fn point(rng: &mut SplitMix64) -> (f64, f64) {
    if rng.chance(0.8) {
        let (lat, lon) = CITIES[rng.range(0, CITIES.len() as u64 - 1) as usize];
        let jitter = |rng: &mut SplitMix64| (rng.next_f64() - 0.5) * 3.0;
        let lat = (lat + jitter(rng)).clamp(-35.0, 37.0);
        let lon = (lon + jitter(rng)).clamp(-18.0, 51.0);
        (lat, lon)
    } else {
        (-35.0 + 72.0 * rng.next_f64(), -18.0 + 69.0 * rng.next_f64())
    }
}

fn skills(rng: &mut SplitMix64) -> Vec<String> {
    let n = rng.range(3, 8) as usize;
    let mut ids: Vec<usize> = Vec::with_capacity(n);
    while ids.len() < n {
        // Skewed: popular skills are shared by many people.
        let r = rng.next_f64();
        let id = (r.powf(2.4) * SKILL_VOCAB as f64) as usize;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.into_iter().map(|i| format!("skill-{i:03}")).collect()
}

fn languages(rng: &mut SplitMix64) -> Vec<String> {
    let mut v = Vec::new();
    if rng.chance(0.9) {
        v.push("en".to_owned());
    }
    for (lang, p) in [("fr", 0.3), ("sw", 0.15), ("ar", 0.1), ("pt", 0.08)] {
        if rng.chance(p) {
            v.push(lang.to_owned());
        }
    }
    if v.is_empty() {
        v.push("fr".to_owned());
    }
    v
}

/// `blocks` blocks of `len` consecutive hours on random days, evenings or weekend mornings.
fn slots(rng: &mut SplitMix64, blocks: u64, len: u64) -> Vec<u16> {
    let mut v: Vec<u16> = Vec::new();
    for _ in 0..blocks {
        let day = rng.range(0, 6);
        let start = if day >= 5 {
            rng.range(7, 13)
        } else {
            rng.range(16, 19)
        };
        for h in 0..len {
            let s = day * 24 + (start + h).min(23);
            v.push(s as u16);
        }
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// Generate `(learners, mentors)`; the same arguments always give the same instance.
pub fn synthetic_instance(
    n_learners: usize,
    n_mentors: usize,
    seed: u64,
) -> (Vec<Learner>, Vec<Mentor>) {
    let mut rng = SplitMix64::new(seed ^ 0x5EED_0F5B_1D6E);
    let learners = (0..n_learners)
        .map(|i| {
            let (lat, lon) = point(&mut rng);
            let blocks = rng.range(2, 4);
            let len = rng.range(2, 3);
            let s = slots(&mut rng, blocks, len);
            Learner {
                id: format!("L{i:06}"),
                skills: skills(&mut rng),
                lat,
                lon,
                remote_ok: rng.chance(0.4),
                hours_per_week: rng.range(2, 6) as f64,
                slots: s,
                languages: languages(&mut rng),
            }
        })
        .collect();
    let mentors = (0..n_mentors)
        .map(|i| {
            let (lat, lon) = point(&mut rng);
            let blocks = rng.range(3, 7);
            let s = slots(&mut rng, blocks, 3);
            Mentor {
                id: format!("M{i:06}"),
                skills: skills(&mut rng),
                lat,
                lon,
                slots: s,
                languages: languages(&mut rng),
                capacity: rng.range(1, 5) as u32,
            }
        })
        .collect();
    (learners, mentors)
}

/// The second weight set of the tests and the fingerprints (`examples/hashes.rs`): distance counts most,
/// the eligibility bar is lower and the distance scale wider, so many more pairs are eligible than with
/// the defaults.
pub fn distance_heavy_weights() -> Weights {
    Weights {
        skill: 0.2,
        distance: 0.6,
        availability: 0.2,
        min_score: 0.3,
        distance_scale_km: 800.0,
        remote_distance_factor: 0.5,
    }
}
