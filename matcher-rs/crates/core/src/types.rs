//! Plain data types shared by the library, the Python binding and the HTTP service.
//!
//! JSON field names are exactly the Rust field names.

use serde::{Deserialize, Serialize};

/// A learner looking for a mentor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Learner {
    pub id: String,
    pub skills: Vec<String>,
    pub lat: f64,
    pub lon: f64,
    pub remote_ok: bool,
    pub hours_per_week: f64,
    /// Hours of the week in UTC, `0..=167` (0 = Monday 00:00 UTC).
    pub slots: Vec<u16>,
    pub languages: Vec<String>,
}

/// A mentor who can take up to `capacity` learners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mentor {
    pub id: String,
    pub skills: Vec<String>,
    pub lat: f64,
    pub lon: f64,
    /// Hours of the week in UTC, `0..=167` (0 = Monday 00:00 UTC).
    pub slots: Vec<u16>,
    pub languages: Vec<String>,
    pub capacity: u32,
}

/// Scoring weights and thresholds. Every field is optional in JSON; unknown fields are
/// rejected (a misspelt weight would otherwise be silently ignored).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    pub skill: f64,
    pub distance: f64,
    pub availability: f64,
    pub min_score: f64,
    pub distance_scale_km: f64,
    pub remote_distance_factor: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            skill: 0.5,
            distance: 0.2,
            availability: 0.3,
            min_score: 0.4,
            distance_scale_km: 500.0,
            remote_distance_factor: 0.25,
        }
    }
}

/// Everything `score` computes for one (learner, mentor) pair.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Components {
    pub skill: f64,
    pub distance: f64,
    pub availability: f64,
    pub distance_km: f64,
    pub score: f64,
    pub eligible: bool,
}

impl Components {
    /// The four component values reported next to an assignment or recommendation.
    pub fn parts(&self) -> PairComponents {
        PairComponents {
            skill: self.skill,
            distance: self.distance,
            availability: self.availability,
            distance_km: self.distance_km,
        }
    }
}

/// Component values reported with an assignment or a recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairComponents {
    pub skill: f64,
    pub distance: f64,
    pub availability: f64,
    pub distance_km: f64,
}

/// Which assignment algorithm produced a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    #[default]
    Optimal,
    Greedy,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Optimal => "optimal",
            Algorithm::Greedy => "greedy",
        }
    }
}

/// One learner assigned to one mentor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub learner_id: String,
    pub mentor_id: String,
    pub score: f64,
    pub components: PairComponents,
}

/// Result of `assign_optimal` / `assign_greedy`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentResult {
    /// Assigned pairs, in learner input order.
    pub assignments: Vec<Assignment>,
    /// Ids of learners left without a mentor, in learner input order.
    pub unassigned: Vec<String>,
    /// Sum of the assigned scores, added in learner input order.
    pub total_score: f64,
    pub algorithm: Algorithm,
}

/// One entry of a top-k recommendation list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub mentor_id: String,
    pub score: f64,
    pub components: PairComponents,
}
