//! SkillBridge matcher core: scoring, optimal and greedy assignment, top-k.
//!
//! No I/O and no Python here; the `skillbridge-matcher-py` and `matcher-service` crates
//! wrap this library. Every public entry point validates its input and returns an
//! [`InputError`] with a field path (e.g. `learners[3].lat`) instead of panicking.

#![forbid(unsafe_code)]

mod assign;
mod candidates;
mod error;
mod greedy;
mod prepared;
mod pricing;
mod scoring;
pub mod synthetic;
mod topk;
mod types;

pub use assign::{
    assign, assign_greedy, assign_greedy_full, assign_greedy_lazy, assign_optimal,
    assign_optimal_full, assign_optimal_pruned, assign_optimal_with_stats, graph_stats, GraphStats,
    FULL_GRAPH_MAX_PAIRS,
};
pub use error::{
    validate_learner, validate_learners, validate_match, validate_mentor, validate_mentors,
    validate_weights, ErrorCode, InputError, MAX_SLOT,
};
pub use pricing::PricingStats;
pub use scoring::{haversine_km, radians, score, score_checked, EARTH_RADIUS_KM};
pub use topk::{top_k, MentorIndex};
pub use types::{
    Algorithm, Assignment, AssignmentResult, Components, Learner, Mentor, PairComponents,
    Recommendation, Weights,
};
