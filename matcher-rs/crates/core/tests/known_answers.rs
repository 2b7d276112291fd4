//! Replays `testdata/known_answers.json` (format documented in `matcher-rs/README.md`).

use std::collections::HashMap;

use matcher_core::{
    assign_greedy, assign_optimal, score, top_k, AssignmentResult, Learner, Mentor, MentorIndex,
    Weights,
};
use serde_json::Value;

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../testdata/known_answers.json"
);

struct Input {
    learners: Vec<Learner>,
    mentors: Vec<Mentor>,
    weights: Weights,
}

fn load() -> Value {
    let text = std::fs::read_to_string(FILE).expect("read known_answers.json");
    serde_json::from_str(&text).expect("parse known_answers.json")
}

fn non_finite(s: &str) -> f64 {
    match s {
        "NaN" => f64::NAN,
        "Infinity" => f64::INFINITY,
        "-Infinity" => f64::NEG_INFINITY,
        other => panic!("unknown patch value {other}"),
    }
}

fn index_of(segment: &str, name: &str) -> Option<usize> {
    segment
        .strip_prefix(name)?
        .strip_prefix('[')?
        .strip_suffix(']')?
        .parse()
        .ok()
}

/// Set one f64 field (`learners[i].f`, `mentors[i].f`, `weights.f`) to a non-finite value.
fn apply_patch(input: &mut Input, patch: &Value) {
    let path = patch["path"].as_str().expect("patch.path");
    let value = non_finite(patch["value"].as_str().expect("patch.value"));
    let (head, field) = path.split_once('.').expect("dotted path");
    let slot: &mut f64 = if let Some(i) = index_of(head, "learners") {
        let l = &mut input.learners[i];
        match field {
            "lat" => &mut l.lat,
            "lon" => &mut l.lon,
            "hours_per_week" => &mut l.hours_per_week,
            f => panic!("unsupported learner field {f}"),
        }
    } else if let Some(i) = index_of(head, "mentors") {
        let m = &mut input.mentors[i];
        match field {
            "lat" => &mut m.lat,
            "lon" => &mut m.lon,
            f => panic!("unsupported mentor field {f}"),
        }
    } else if head == "weights" {
        let w = &mut input.weights;
        match field {
            "skill" => &mut w.skill,
            "distance" => &mut w.distance,
            "availability" => &mut w.availability,
            "min_score" => &mut w.min_score,
            "distance_scale_km" => &mut w.distance_scale_km,
            "remote_distance_factor" => &mut w.remote_distance_factor,
            f => panic!("unsupported weights field {f}"),
        }
    } else {
        panic!("unsupported patch path {path}");
    };
    *slot = value;
}

fn parse_input(case: &Value) -> Input {
    let inp = &case["input"];
    let mut input = Input {
        learners: serde_json::from_value(inp["learners"].clone()).expect("learners"),
        mentors: serde_json::from_value(inp["mentors"].clone()).expect("mentors"),
        weights: match inp.get("weights") {
            Some(w) => serde_json::from_value(w.clone()).expect("weights"),
            None => Weights::default(),
        },
    };
    if let Some(p) = case.get("patch") {
        apply_patch(&mut input, p);
    }
    input
}

fn close(name: &str, what: &str, got: f64, want: f64, tol: f64) {
    let scale = want.abs().max(1.0);
    assert!(
        (got - want).abs() <= tol * scale,
        "{name}: {what}: got {got}, want {want}"
    );
}

fn pairs(r: &AssignmentResult) -> Vec<(String, String)> {
    r.assignments
        .iter()
        .map(|a| (a.learner_id.clone(), a.mentor_id.clone()))
        .collect()
}

fn expected_pairs(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .expect("assignment list")
        .iter()
        .map(|a| {
            (
                a["learner_id"].as_str().unwrap_or_default().to_owned(),
                a["mentor_id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn check_feasible(name: &str, input: &Input, r: &AssignmentResult) {
    let mentors: HashMap<&str, &Mentor> =
        input.mentors.iter().map(|m| (m.id.as_str(), m)).collect();
    let learners: HashMap<&str, &Learner> =
        input.learners.iter().map(|l| (l.id.as_str(), l)).collect();
    let mut load: HashMap<&str, u32> = HashMap::new();
    let mut total = 0.0;
    for a in &r.assignments {
        let m = mentors[a.mentor_id.as_str()];
        let l = learners[a.learner_id.as_str()];
        let c = score(l, m, &input.weights);
        assert!(c.eligible, "{name}: ineligible pair assigned");
        assert_eq!(
            c.score, a.score,
            "{name}: reported score differs from score()"
        );
        *load.entry(m.id.as_str()).or_default() += 1;
        total += a.score;
    }
    for (id, n) in load {
        assert!(
            n <= mentors[id].capacity,
            "{name}: capacity exceeded for {id}"
        );
    }
    assert_eq!(
        r.assignments.len() + r.unassigned.len(),
        input.learners.len(),
        "{name}: every learner is assigned or unassigned exactly once"
    );
    close(name, "total_score", r.total_score, total, 1e-12);
}

#[test]
fn known_answers_file_has_enough_cases() {
    let v = load();
    let cases = v["cases"].as_array().expect("cases");
    assert!(cases.iter().filter(|c| c["kind"] == "match").count() >= 12);
    assert!(cases.iter().filter(|c| c["kind"] == "error").count() >= 12);
}

#[test]
fn known_answers_match_cases() {
    let v = load();
    let tol = v["tolerance"].as_f64().unwrap_or(1e-9);
    for case in v["cases"].as_array().expect("cases") {
        if case["kind"] != "match" {
            continue;
        }
        let name = case["name"].as_str().unwrap_or("?");
        let input = parse_input(case);
        let exp = &case["expected"];

        // Components of every pair.
        let ls: HashMap<&str, &Learner> =
            input.learners.iter().map(|l| (l.id.as_str(), l)).collect();
        let ms: HashMap<&str, &Mentor> = input.mentors.iter().map(|m| (m.id.as_str(), m)).collect();
        for p in exp["pairs"].as_array().expect("pairs") {
            let l = ls[p["learner_id"].as_str().expect("learner_id")];
            let m = ms[p["mentor_id"].as_str().expect("mentor_id")];
            let c = score(l, m, &input.weights);
            for (field, got) in [
                ("skill", c.skill),
                ("distance", c.distance),
                ("availability", c.availability),
                ("distance_km", c.distance_km),
                ("score", c.score),
            ] {
                close(name, field, got, p[field].as_f64().expect("number"), tol);
            }
            assert_eq!(
                c.eligible,
                p["eligible"].as_bool().expect("eligible"),
                "{name}"
            );
        }

        // Optimal: same total, feasible.
        let opt = assign_optimal(&input.learners, &input.mentors, &input.weights).expect(name);
        close(
            name,
            "optimal_total",
            opt.total_score,
            exp["optimal_total"].as_f64().expect("optimal_total"),
            tol,
        );
        check_feasible(name, &input, &opt);

        // Greedy: exactly the documented assignment.
        let gr = assign_greedy(&input.learners, &input.mentors, &input.weights).expect(name);
        assert_eq!(
            pairs(&gr),
            expected_pairs(&exp["greedy_assignment"]),
            "{name}: greedy"
        );
        close(
            name,
            "greedy_total",
            gr.total_score,
            exp["greedy_total"].as_f64().expect("greedy_total"),
            tol,
        );
        check_feasible(name, &input, &gr);
        assert!(
            gr.total_score <= opt.total_score + 1e-9,
            "{name}: greedy > optimal"
        );

        // Top-k, one-shot and through an index.
        if let Some(queries) = exp.get("top_k").and_then(Value::as_array) {
            let index = MentorIndex::new(input.mentors.clone()).expect("index");
            for q in queries {
                let l = ls[q["learner_id"].as_str().expect("learner_id")];
                let k = q["k"].as_u64().expect("k") as usize;
                let want: Vec<String> = q["mentor_ids"]
                    .as_array()
                    .expect("mentor_ids")
                    .iter()
                    .map(|x| x.as_str().unwrap_or_default().to_owned())
                    .collect();
                let got = top_k(l, &input.mentors, k, &input.weights).expect("top_k");
                let got: Vec<String> = got.into_iter().map(|r| r.mentor_id).collect();
                assert_eq!(got, want, "{name}: top_k");
                let via_index = index.top_k(l, k, &input.weights).expect("index top_k");
                let via_index: Vec<String> = via_index.into_iter().map(|r| r.mentor_id).collect();
                assert_eq!(via_index, want, "{name}: MentorIndex::top_k");
            }
        }
    }
}

#[test]
fn known_answers_error_cases() {
    let v = load();
    for case in v["cases"].as_array().expect("cases") {
        if case["kind"] != "error" {
            continue;
        }
        let name = case["name"].as_str().unwrap_or("?");
        let input = parse_input(case);
        let code = case["expected_error"]["code"].as_str().expect("code");
        let field = case["expected_error"]["field"].as_str().expect("field");
        for (algo, res) in [
            (
                "optimal",
                assign_optimal(&input.learners, &input.mentors, &input.weights),
            ),
            (
                "greedy",
                assign_greedy(&input.learners, &input.mentors, &input.weights),
            ),
        ] {
            let err = res.expect_err(name);
            assert_eq!(err.code.as_str(), code, "{name} ({algo})");
            assert_eq!(err.field, field, "{name} ({algo})");
            assert!(
                err.message.contains(field),
                "{name}: message names the field"
            );
        }
    }
}
