//! Property tests of the public API on small random instances.

use std::collections::HashMap;

use matcher_core::{
    assign_greedy, assign_greedy_full, assign_greedy_lazy, assign_optimal, assign_optimal_pruned,
    score, score_checked, top_k, AssignmentResult, Learner, Mentor, MentorIndex, Weights,
};
use proptest::prelude::*;

fn names(prefix: &'static str, n: u8) -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec((0..n).prop_map(move |i| format!("{prefix}{i}")), 0..4)
}

fn learner_strategy() -> impl Strategy<Value = Learner> {
    (
        names("s", 5),
        -3.0f64..3.0,
        -3.0f64..3.0,
        any::<bool>(),
        0u8..5,
        proptest::collection::vec(0u16..8, 0..6),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(skills, lat, lon, remote_ok, hours, slots, fr)| Learner {
            id: String::new(),
            skills,
            lat,
            lon,
            remote_ok,
            hours_per_week: f64::from(hours),
            slots,
            languages: vec![if fr { "fr" } else { "en" }.to_owned()],
        })
}

fn mentor_strategy() -> impl Strategy<Value = Mentor> {
    (
        names("s", 5),
        -3.0f64..3.0,
        -3.0f64..3.0,
        proptest::collection::vec(0u16..8, 0..6),
        prop::bool::weighted(0.15),
        1u32..=3,
    )
        .prop_map(|(skills, lat, lon, slots, fr, capacity)| Mentor {
            id: String::new(),
            skills,
            lat,
            lon,
            slots,
            languages: if fr {
                vec!["fr".to_owned()]
            } else {
                vec!["en".to_owned(), "sw".to_owned()]
            },
            capacity,
        })
}

fn weights_strategy() -> impl Strategy<Value = Weights> {
    (
        0.0f64..1.0,
        0.0f64..1.0,
        0.0f64..1.0,
        0.0f64..0.8,
        50.0f64..1000.0,
        0.0f64..=1.0,
    )
        .prop_map(
            |(
                skill,
                distance,
                availability,
                min_score,
                distance_scale_km,
                remote_distance_factor,
            )| {
                Weights {
                    skill,
                    distance,
                    availability,
                    min_score,
                    distance_scale_km,
                    remote_distance_factor,
                }
            },
        )
}

fn instance() -> impl Strategy<Value = (Vec<Learner>, Vec<Mentor>, Weights)> {
    (
        proptest::collection::vec(learner_strategy(), 1..=7),
        proptest::collection::vec(mentor_strategy(), 1..=5),
        prop_oneof![Just(Weights::default()), weights_strategy()],
    )
        .prop_map(|(mut ls, mut ms, w)| {
            for (i, l) in ls.iter_mut().enumerate() {
                l.id = format!("L{i}");
            }
            for (i, m) in ms.iter_mut().enumerate() {
                m.id = format!("M{i}");
            }
            (ls, ms, w)
        })
}

/// Exhaustive search over every feasible assignment.
fn brute_force(learners: &[Learner], mentors: &[Mentor], w: &Weights) -> f64 {
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
    fn rec(i: usize, load: &mut [u32], caps: &[u32], s: &[Vec<Option<f64>>]) -> f64 {
        if i == s.len() {
            return 0.0;
        }
        let mut best = rec(i + 1, load, caps, s);
        for m in 0..caps.len() {
            if let Some(v) = s[i][m] {
                if load[m] < caps[m] {
                    load[m] += 1;
                    best = best.max(v + rec(i + 1, load, caps, s));
                    load[m] -= 1;
                }
            }
        }
        best
    }
    let caps: Vec<u32> = mentors.iter().map(|m| m.capacity).collect();
    rec(0, &mut vec![0; caps.len()], &caps, &s)
}

fn assert_feasible(
    learners: &[Learner],
    mentors: &[Mentor],
    w: &Weights,
    r: &AssignmentResult,
) -> Result<(), TestCaseError> {
    let ls: HashMap<&str, &Learner> = learners.iter().map(|l| (l.id.as_str(), l)).collect();
    let ms: HashMap<&str, &Mentor> = mentors.iter().map(|m| (m.id.as_str(), m)).collect();
    let mut load: HashMap<&str, u32> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for a in &r.assignments {
        prop_assert!(seen.insert(a.learner_id.clone()), "learner assigned twice");
        let c = score(ls[a.learner_id.as_str()], ms[a.mentor_id.as_str()], w);
        prop_assert!(c.eligible, "ineligible pair assigned");
        prop_assert_eq!(c.score, a.score);
        *load.entry(a.mentor_id.as_str()).or_default() += 1;
    }
    for u in &r.unassigned {
        prop_assert!(
            seen.insert(u.clone()),
            "learner both assigned and unassigned"
        );
    }
    prop_assert_eq!(seen.len(), learners.len());
    for (id, n) in load {
        prop_assert!(n <= ms[id].capacity, "capacity exceeded");
    }
    // Assignments come in learner input order.
    let pos: HashMap<&str, usize> = learners
        .iter()
        .enumerate()
        .map(|(i, l)| (l.id.as_str(), i))
        .collect();
    let order: Vec<usize> = r
        .assignments
        .iter()
        .map(|a| pos[a.learner_id.as_str()])
        .collect();
    prop_assert!(order.windows(2).all(|p| p[0] < p[1]));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn optimal_matches_brute_force((learners, mentors, w) in instance()) {
        let r = assign_optimal(&learners, &mentors, &w).expect("valid instance");
        let want = brute_force(&learners, &mentors, &w);
        prop_assert!((r.total_score - want).abs() <= 1e-9, "optimal {} vs brute force {}", r.total_score, want);
        assert_feasible(&learners, &mentors, &w, &r)?;
    }

    #[test]
    fn pruned_optimal_with_any_k_matches_brute_force((learners, mentors, w) in instance(), k in 1usize..4) {
        let (r, _) = assign_optimal_pruned(&learners, &mentors, &w, Some(k)).expect("valid instance");
        let want = brute_force(&learners, &mentors, &w);
        prop_assert!((r.total_score - want).abs() <= 1e-9, "pruned (k {}) {} vs brute force {}", k, r.total_score, want);
        assert_feasible(&learners, &mentors, &w, &r)?;
        let (again, _) = assign_optimal_pruned(&learners, &mentors, &w, Some(k)).expect("valid instance");
        prop_assert_eq!(r, again);
    }

    #[test]
    fn lazy_greedy_equals_the_sorted_greedy((learners, mentors, w) in instance(), k in 1usize..4) {
        let want = assign_greedy_full(&learners, &mentors, &w).expect("valid instance");
        prop_assert_eq!(assign_greedy_lazy(&learners, &mentors, &w, k).expect("valid instance"), want);
    }

    #[test]
    fn greedy_is_feasible_and_not_better((learners, mentors, w) in instance()) {
        let g = assign_greedy(&learners, &mentors, &w).expect("valid instance");
        let o = assign_optimal(&learners, &mentors, &w).expect("valid instance");
        assert_feasible(&learners, &mentors, &w, &g)?;
        prop_assert!(g.total_score <= o.total_score + 1e-9);
    }

    #[test]
    fn deterministic((learners, mentors, w) in instance()) {
        prop_assert_eq!(
            assign_optimal(&learners, &mentors, &w).expect("valid"),
            assign_optimal(&learners, &mentors, &w).expect("valid")
        );
        prop_assert_eq!(
            assign_greedy(&learners, &mentors, &w).expect("valid"),
            assign_greedy(&learners, &mentors, &w).expect("valid")
        );
        let l = &learners[0];
        prop_assert_eq!(top_k(l, &mentors, 3, &w).expect("valid"), top_k(l, &mentors, 3, &w).expect("valid"));
    }

    #[test]
    fn top_k_is_the_sorted_eligible_prefix((learners, mentors, w) in instance(), k in 0usize..7) {
        let index = MentorIndex::new(mentors.clone()).expect("valid mentors");
        for l in &learners {
            let mut want: Vec<(f64, usize)> = mentors
                .iter()
                .enumerate()
                .filter_map(|(i, m)| {
                    let c = score(l, m, &w);
                    c.eligible.then_some((c.score, i))
                })
                .collect();
            want.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let want: Vec<String> = want.into_iter().take(k).map(|(_, i)| mentors[i].id.clone()).collect();
            let got: Vec<String> = top_k(l, &mentors, k, &w).expect("valid").into_iter().map(|r| r.mentor_id).collect();
            prop_assert_eq!(&got, &want);
            let got2: Vec<String> = index.top_k(l, k, &w).expect("valid").into_iter().map(|r| r.mentor_id).collect();
            prop_assert_eq!(&got2, &want);
        }
    }
}

fn wild_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        -200.0f64..200.0,
        Just(0.0),
    ]
}

fn wild_learner() -> impl Strategy<Value = Learner> {
    (
        prop_oneof![Just(String::new()), "[a-c]{1,2}"],
        proptest::collection::vec("[a-c]{0,2}", 0..3),
        wild_f64(),
        wild_f64(),
        any::<bool>(),
        wild_f64(),
        proptest::collection::vec(any::<u16>(), 0..4),
        proptest::collection::vec("[a-b]", 0..2),
    )
        .prop_map(
            |(id, skills, lat, lon, remote_ok, hours_per_week, slots, languages)| Learner {
                id,
                skills,
                lat,
                lon,
                remote_ok,
                hours_per_week,
                slots,
                languages,
            },
        )
}

fn wild_mentor() -> impl Strategy<Value = Mentor> {
    (
        prop_oneof![Just(String::new()), "[a-c]{1,2}"],
        proptest::collection::vec("[a-c]{0,2}", 0..3),
        wild_f64(),
        wild_f64(),
        proptest::collection::vec(any::<u16>(), 0..4),
        proptest::collection::vec("[a-b]", 0..2),
        prop_oneof![Just(0u32), 1u32..4, Just(u32::MAX)],
    )
        .prop_map(
            |(id, skills, lat, lon, slots, languages, capacity)| Mentor {
                id,
                skills,
                lat,
                lon,
                slots,
                languages,
                capacity,
            },
        )
}

fn wild_weights() -> impl Strategy<Value = Weights> {
    (
        wild_f64(),
        wild_f64(),
        wild_f64(),
        wild_f64(),
        wild_f64(),
        wild_f64(),
    )
        .prop_map(
            |(
                skill,
                distance,
                availability,
                min_score,
                distance_scale_km,
                remote_distance_factor,
            )| {
                Weights {
                    skill,
                    distance,
                    availability,
                    min_score,
                    distance_scale_km,
                    remote_distance_factor,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// Arbitrary input (NaN, infinities, out-of-range values, empty or duplicate ids) must
    /// produce either a result or an `InputError`, never a panic.
    #[test]
    fn never_panics(
        learners in proptest::collection::vec(wild_learner(), 0..4),
        mentors in proptest::collection::vec(wild_mentor(), 0..4),
        w in prop_oneof![Just(Weights::default()), wild_weights()],
        k in 0usize..5,
    ) {
        for r in [assign_optimal(&learners, &mentors, &w), assign_greedy(&learners, &mentors, &w)] {
            match r {
                Ok(r) => assert_feasible(&learners, &mentors, &w, &r)?,
                Err(e) => prop_assert!(!e.field.is_empty() && e.message.contains(&e.field)),
            }
        }
        if let Some(l) = learners.first() {
            let _ = top_k(l, &mentors, k, &w);
            if let Ok(index) = MentorIndex::new(mentors.clone()) {
                let _ = index.top_k(l, k, &w);
            }
            if let Some(m) = mentors.first() {
                let _ = score(l, m, &w);
                let _ = score_checked(l, m, &w);
            }
        }
    }
}
