//! Top-k mentor recommendations with a bounded heap.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::error::{validate_learner, validate_mentors, validate_weights, InputError};
use crate::prepared::PreparedMentors;
use crate::types::{Components, Learner, Mentor, Recommendation, Weights};

/// Heap entry ordered so that the heap's maximum is the *worst* kept candidate:
/// lower score is worse; at equal score the higher mentor index is worse.
struct Entry {
    score: f64,
    mentor: usize,
    components: Components,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.mentor.cmp(&other.mentor))
    }
}

/// Mentors prepared once (interned skills/languages, slot bitsets, unit vectors) for many
/// top-k queries.
#[derive(Debug, Clone)]
pub struct MentorIndex {
    mentors: Vec<Mentor>,
    prepared: PreparedMentors,
}

impl MentorIndex {
    /// Validate (`mentors[i].*` paths) and prepare. An empty list is allowed.
    pub fn new(mentors: Vec<Mentor>) -> Result<Self, InputError> {
        validate_mentors(&mentors, false)?;
        let prepared = PreparedMentors::new(&mentors);
        Ok(MentorIndex { mentors, prepared })
    }

    pub fn len(&self) -> usize {
        self.mentors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.mentors.is_empty()
    }

    pub fn mentors(&self) -> &[Mentor] {
        &self.mentors
    }

    /// The `k` best eligible mentors for `learner`, by score descending (ties: mentor
    /// index). Validates the learner (`learner.*`) and weights (`weights.*`).
    pub fn top_k(
        &self,
        learner: &Learner,
        k: usize,
        weights: &Weights,
    ) -> Result<Vec<Recommendation>, InputError> {
        validate_weights(weights, "weights")?;
        validate_learner(learner, "learner")?;
        Ok(top_k_impl(
            &self.mentors,
            &self.prepared,
            learner,
            k,
            weights,
        ))
    }
}

fn top_k_impl(
    mentors: &[Mentor],
    prepared: &PreparedMentors,
    learner: &Learner,
    k: usize,
    w: &Weights,
) -> Vec<Recommendation> {
    let k = k.min(mentors.len());
    if k == 0 {
        return Vec::new();
    }
    let pl = prepared.learner(learner, w);
    let mut heap: BinaryHeap<Entry> = BinaryHeap::with_capacity(k + 1);
    let mut threshold = w.min_score;
    for m in 0..prepared.len() {
        let Some(c) = prepared.eval(&pl, m, w, threshold) else {
            continue;
        };
        if heap.len() < k {
            heap.push(Entry {
                score: c.score,
                mentor: m,
                components: c,
            });
        } else if heap.peek().is_some_and(|worst| c.score > worst.score) {
            // Mentors come in index order, so an equal score never beats a kept one.
            heap.pop();
            heap.push(Entry {
                score: c.score,
                mentor: m,
                components: c,
            });
        }
        if heap.len() == k {
            if let Some(worst) = heap.peek() {
                threshold = worst.score.max(w.min_score);
            }
        }
    }
    heap.into_sorted_vec()
        .into_iter()
        .map(|e| Recommendation {
            mentor_id: mentors[e.mentor].id.clone(),
            score: e.score,
            components: e.components.parts(),
        })
        .collect()
}

/// One-shot top-k (builds a temporary [`MentorIndex`]). Validates weights, the learner and
/// the mentors (`mentors[i].*`); an empty mentor list gives an empty answer.
pub fn top_k(
    learner: &Learner,
    mentors: &[Mentor],
    k: usize,
    weights: &Weights,
) -> Result<Vec<Recommendation>, InputError> {
    validate_weights(weights, "weights")?;
    validate_learner(learner, "learner")?;
    validate_mentors(mentors, false)?;
    let prepared = PreparedMentors::new(mentors);
    Ok(top_k_impl(mentors, &prepared, learner, k, weights))
}
