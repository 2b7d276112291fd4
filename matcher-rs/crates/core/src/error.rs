//! Typed input errors and validation.
//!
//! Validation order (the first failure is reported):
//! 1. weights, field by field: `skill`, `distance`, `availability`, `min_score`,
//!    `distance_scale_km`, `remote_distance_factor`;
//! 2. `learners` empty, then `mentors` empty (only where a list must be non-empty);
//! 3. each learner in order: `id` (empty, then duplicate), `lat`, `lon`,
//!    `hours_per_week`, `slots[j]`;
//! 4. each mentor in order: `id` (empty, then duplicate), `lat`, `lon`, `slots[j]`,
//!    `capacity`.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::types::{Learner, Mentor, Weights};

/// Highest valid slot (hour of the week).
pub const MAX_SLOT: u16 = 167;

/// Machine-readable error category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// NaN or infinity.
    NonFinite,
    /// A number outside its allowed range (lat, lon, hours, slot, capacity, weights).
    OutOfRange,
    /// An empty id string.
    EmptyId,
    /// A learner id or mentor id used twice.
    DuplicateId,
    /// An empty learners or mentors list where one is required.
    EmptyList,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NonFinite => "non_finite",
            ErrorCode::OutOfRange => "out_of_range",
            ErrorCode::EmptyId => "empty_id",
            ErrorCode::DuplicateId => "duplicate_id",
            ErrorCode::EmptyList => "empty_list",
        }
    }
}

/// Invalid input, with the path of the offending field such as `learners[3].lat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputError {
    pub code: ErrorCode,
    pub field: String,
    pub message: String,
}

impl InputError {
    pub fn new(code: ErrorCode, field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = format!("{field}: {}", message.into());
        InputError {
            code,
            field,
            message,
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InputError {}

fn finite(v: f64, field: impl FnOnce() -> String) -> Result<(), InputError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(InputError::new(
            ErrorCode::NonFinite,
            field(),
            format!("must be a finite number, got {v}"),
        ))
    }
}

fn in_range(v: f64, lo: f64, hi: f64, field: impl Fn() -> String) -> Result<(), InputError> {
    finite(v, &field)?;
    if v < lo || v > hi {
        return Err(InputError::new(
            ErrorCode::OutOfRange,
            field(),
            format!("must be within [{lo}, {hi}], got {v}"),
        ));
    }
    Ok(())
}

/// Validate weights; `prefix` is the field path of the weights object (usually `weights`).
pub fn validate_weights(w: &Weights, prefix: &str) -> Result<(), InputError> {
    let f = |name: &str| format!("{prefix}.{name}");
    for (name, v) in [
        ("skill", w.skill),
        ("distance", w.distance),
        ("availability", w.availability),
    ] {
        finite(v, || f(name))?;
        if v < 0.0 {
            return Err(InputError::new(
                ErrorCode::OutOfRange,
                f(name),
                format!("weight must be >= 0, got {v}"),
            ));
        }
    }
    in_range(w.min_score, 0.0, 1.0, || f("min_score"))?;
    finite(w.distance_scale_km, || f("distance_scale_km"))?;
    if w.distance_scale_km <= 0.0 {
        return Err(InputError::new(
            ErrorCode::OutOfRange,
            f("distance_scale_km"),
            format!("must be > 0, got {}", w.distance_scale_km),
        ));
    }
    in_range(w.remote_distance_factor, 0.0, 1.0, || {
        f("remote_distance_factor")
    })?;
    Ok(())
}

fn validate_slots(slots: &[u16], prefix: &str) -> Result<(), InputError> {
    for (j, &s) in slots.iter().enumerate() {
        if s > MAX_SLOT {
            return Err(InputError::new(
                ErrorCode::OutOfRange,
                format!("{prefix}.slots[{j}]"),
                format!("slot must be within [0, {MAX_SLOT}], got {s}"),
            ));
        }
    }
    Ok(())
}

fn validate_id(id: &str, prefix: &str) -> Result<(), InputError> {
    if id.is_empty() {
        return Err(InputError::new(
            ErrorCode::EmptyId,
            format!("{prefix}.id"),
            "id must not be empty",
        ));
    }
    Ok(())
}

/// Validate one learner; `prefix` is its path, e.g. `learners[3]` or `learner`.
pub fn validate_learner(l: &Learner, prefix: &str) -> Result<(), InputError> {
    validate_id(&l.id, prefix)?;
    validate_learner_fields(l, prefix)
}

fn validate_learner_fields(l: &Learner, prefix: &str) -> Result<(), InputError> {
    in_range(l.lat, -90.0, 90.0, || format!("{prefix}.lat"))?;
    in_range(l.lon, -180.0, 180.0, || format!("{prefix}.lon"))?;
    finite(l.hours_per_week, || format!("{prefix}.hours_per_week"))?;
    if l.hours_per_week < 0.0 {
        return Err(InputError::new(
            ErrorCode::OutOfRange,
            format!("{prefix}.hours_per_week"),
            format!("must be >= 0, got {}", l.hours_per_week),
        ));
    }
    validate_slots(&l.slots, prefix)
}

/// Validate one mentor; `prefix` is its path, e.g. `mentors[3]` or `mentor`.
pub fn validate_mentor(m: &Mentor, prefix: &str) -> Result<(), InputError> {
    validate_id(&m.id, prefix)?;
    validate_mentor_fields(m, prefix)
}

fn validate_mentor_fields(m: &Mentor, prefix: &str) -> Result<(), InputError> {
    in_range(m.lat, -90.0, 90.0, || format!("{prefix}.lat"))?;
    in_range(m.lon, -180.0, 180.0, || format!("{prefix}.lon"))?;
    validate_slots(&m.slots, prefix)?;
    if m.capacity == 0 {
        return Err(InputError::new(
            ErrorCode::OutOfRange,
            format!("{prefix}.capacity"),
            "capacity must be >= 1",
        ));
    }
    Ok(())
}

fn duplicate(prefix: &str, id: &str) -> InputError {
    InputError::new(
        ErrorCode::DuplicateId,
        format!("{prefix}.id"),
        format!("duplicate id {id:?}"),
    )
}

/// Validate a learner list (`learners[i]` paths); `require_non_empty` adds the empty check.
pub fn validate_learners(learners: &[Learner], require_non_empty: bool) -> Result<(), InputError> {
    if require_non_empty && learners.is_empty() {
        return Err(InputError::new(
            ErrorCode::EmptyList,
            "learners",
            "at least one learner is required",
        ));
    }
    let mut seen: HashSet<&str> = HashSet::with_capacity(learners.len());
    for (i, l) in learners.iter().enumerate() {
        // The checks build their error paths only on failure, so the common valid case runs
        // them without formatting `learners[i]`; any failure re-runs the same checks, in the
        // same order, with the real path to produce the same error.
        let id_ok = validate_id(&l.id, "").is_ok();
        let unique = id_ok && seen.insert(l.id.as_str());
        if !(unique && validate_learner_fields(l, "").is_ok()) {
            let prefix = format!("learners[{i}]");
            validate_id(&l.id, &prefix)?;
            if !unique {
                return Err(duplicate(&prefix, &l.id));
            }
            validate_learner_fields(l, &prefix)?;
        }
    }
    Ok(())
}

/// Validate a mentor list (`mentors[i]` paths); `require_non_empty` adds the empty check.
pub fn validate_mentors(mentors: &[Mentor], require_non_empty: bool) -> Result<(), InputError> {
    if require_non_empty && mentors.is_empty() {
        return Err(InputError::new(
            ErrorCode::EmptyList,
            "mentors",
            "at least one mentor is required",
        ));
    }
    let mut seen: HashSet<&str> = HashSet::with_capacity(mentors.len());
    for (i, m) in mentors.iter().enumerate() {
        // The checks build their error paths only on failure, so the common valid case runs
        // them without formatting `mentors[i]`; any failure re-runs the same checks, in the
        // same order, with the real path to produce the same error.
        let id_ok = validate_id(&m.id, "").is_ok();
        let unique = id_ok && seen.insert(m.id.as_str());
        if !(unique && validate_mentor_fields(m, "").is_ok()) {
            let prefix = format!("mentors[{i}]");
            validate_id(&m.id, &prefix)?;
            if !unique {
                return Err(duplicate(&prefix, &m.id));
            }
            validate_mentor_fields(m, &prefix)?;
        }
    }
    Ok(())
}

/// Full validation of an assignment request (`/match`).
pub fn validate_match(
    learners: &[Learner],
    mentors: &[Mentor],
    weights: &Weights,
) -> Result<(), InputError> {
    validate_weights(weights, "weights")?;
    if learners.is_empty() {
        return Err(InputError::new(
            ErrorCode::EmptyList,
            "learners",
            "at least one learner is required",
        ));
    }
    if mentors.is_empty() {
        return Err(InputError::new(
            ErrorCode::EmptyList,
            "mentors",
            "at least one mentor is required",
        ));
    }
    validate_learners(learners, true)?;
    validate_mentors(mentors, true)
}
