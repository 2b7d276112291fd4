//! `skillbridge_matcher`: Python binding of `matcher-core`.
//!
//! Inputs are plain dicts/lists with the JSON field names; malformed or invalid input raises
//! `MatcherInputError` (a `ValueError`) whose `.field` is the offending path, e.g.
//! `learners[3].lat`. Scoring and assignment run with the GIL released.

use matcher_core::{
    Algorithm, AssignmentResult, Components, InputError, Learner, Mentor, MentorIndex,
    PairComponents, Recommendation, Weights,
};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

create_exception!(
    skillbridge_matcher,
    MatcherInputError,
    PyValueError,
    "Invalid matcher input. `.field` is the path of the offending value (e.g. \
     `learners[3].lat`), `.code` a machine-readable category."
);

fn input_error(py: Python<'_>, code: &str, field: &str, message: &str) -> PyErr {
    let err = MatcherInputError::new_err(message.to_owned());
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail in practice; if it
    // did, the exception is still raised with its message.
    let _ = value.setattr("field", field);
    let _ = value.setattr("code", code);
    err
}

fn core_error(py: Python<'_>, e: &InputError) -> PyErr {
    input_error(py, e.code.as_str(), &e.field, &e.message)
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned())
}

/// Field paths are only formatted when an error is raised.
type Path<'a> = &'a dyn Fn() -> String;

fn invalid_type(v: &Bound<'_, PyAny>, path: Path<'_>, expected: &str) -> PyErr {
    let path = path();
    input_error(
        v.py(),
        "invalid_type",
        &path,
        &format!("{path}: expected {expected}, got {}", type_name(v)),
    )
}

fn as_dict<'a, 'py>(v: &'a Bound<'py, PyAny>, path: Path<'_>) -> PyResult<&'a Bound<'py, PyDict>> {
    v.cast::<PyDict>()
        .map_err(|_| invalid_type(v, path, "a dict"))
}

fn field<'py>(
    d: &Bound<'py, PyDict>,
    key: &Bound<'py, PyString>,
    path: Path<'_>,
) -> PyResult<Bound<'py, PyAny>> {
    d.get_item(key)?.ok_or_else(|| {
        let p = format!("{}.{}", path(), key.to_string_lossy());
        input_error(
            d.py(),
            "missing_field",
            &p,
            &format!("{p}: required field is missing"),
        )
    })
}

fn to_f64(v: &Bound<'_, PyAny>, path: Path<'_>) -> PyResult<f64> {
    if let Ok(f) = v.cast::<PyFloat>() {
        return Ok(f.value());
    }
    if v.is_instance_of::<PyBool>() || v.is_instance_of::<PyString>() {
        return Err(invalid_type(v, path, "a number"));
    }
    v.extract::<f64>()
        .map_err(|_| invalid_type(v, path, "a number"))
}

fn to_int(v: &Bound<'_, PyAny>, path: Path<'_>) -> PyResult<i128> {
    if v.is_instance_of::<PyBool>() {
        return Err(invalid_type(v, path, "an int"));
    }
    // Fast path for the usual small `int` (one C call); anything else, including ints
    // beyond 64 bits, takes the general conversion below, so behaviour is unchanged.
    if let Ok(i) = v.cast::<PyInt>() {
        if let Ok(x) = i.extract::<i64>() {
            return Ok(i128::from(x));
        }
    }
    v.extract::<i128>()
        .map_err(|_| invalid_type(v, path, "an int"))
}

fn to_string(v: &Bound<'_, PyAny>, path: Path<'_>) -> PyResult<String> {
    v.cast::<PyString>()
        .map_err(|_| invalid_type(v, path, "a str"))?
        .to_str()
        .map(str::to_owned)
        .map_err(|_| invalid_type(v, path, "a valid UTF-8 str"))
}

fn to_bool(v: &Bound<'_, PyAny>, path: Path<'_>) -> PyResult<bool> {
    v.cast::<PyBool>()
        .map(|b| b.is_true())
        .map_err(|_| invalid_type(v, path, "a bool"))
}

/// Items of a list or tuple (a str is rejected, although it is iterable).
fn items<'py>(v: &Bound<'py, PyAny>, path: Path<'_>) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if let Ok(l) = v.cast::<PyList>() {
        Ok(l.iter().collect())
    } else if let Ok(t) = v.cast::<PyTuple>() {
        Ok(t.iter().collect())
    } else {
        Err(invalid_type(v, path, "a list"))
    }
}

fn strings(v: &Bound<'_, PyAny>, path: Path<'_>) -> PyResult<Vec<String>> {
    // Straight over the list/tuple, without the intermediate `items` vector: converting
    // a str runs no Python code, so the sequence cannot change under the loop.
    let convert = |(i, x): (usize, Bound<'_, PyAny>)| to_string(&x, &|| format!("{}[{i}]", path()));
    if let Ok(l) = v.cast::<PyList>() {
        l.iter().enumerate().map(convert).collect()
    } else if let Ok(t) = v.cast::<PyTuple>() {
        t.iter().enumerate().map(convert).collect()
    } else {
        Err(invalid_type(v, path, "a list"))
    }
}

fn slots(v: &Bound<'_, PyAny>, path: Path<'_>) -> PyResult<Vec<u16>> {
    items(v, path)?
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let p = || format!("{}[{i}]", path());
            let s = to_int(x, &p)?;
            if (0..=i128::from(matcher_core::MAX_SLOT)).contains(&s) {
                Ok(s as u16)
            } else {
                let p = p();
                Err(input_error(
                    x.py(),
                    "out_of_range",
                    &p,
                    &format!("{p}: slot must be within [0, 167], got {s}"),
                ))
            }
        })
        .collect()
}

fn learner<'py>(v: &Bound<'py, PyAny>, path: Path<'_>) -> PyResult<Learner> {
    let py = v.py();
    let d = as_dict(v, path)?;
    let get = |key: &Bound<'py, PyString>| field(d, key, path);
    let sub = |key: &'static str| move || format!("{}.{key}", path());
    Ok(Learner {
        id: to_string(&get(intern!(py, "id"))?, &sub("id"))?,
        skills: strings(&get(intern!(py, "skills"))?, &sub("skills"))?,
        lat: to_f64(&get(intern!(py, "lat"))?, &sub("lat"))?,
        lon: to_f64(&get(intern!(py, "lon"))?, &sub("lon"))?,
        remote_ok: to_bool(&get(intern!(py, "remote_ok"))?, &sub("remote_ok"))?,
        hours_per_week: to_f64(&get(intern!(py, "hours_per_week"))?, &sub("hours_per_week"))?,
        slots: slots(&get(intern!(py, "slots"))?, &sub("slots"))?,
        languages: strings(&get(intern!(py, "languages"))?, &sub("languages"))?,
    })
}

fn mentor<'py>(v: &Bound<'py, PyAny>, path: Path<'_>) -> PyResult<Mentor> {
    let py = v.py();
    let d = as_dict(v, path)?;
    let get = |key: &Bound<'py, PyString>| field(d, key, path);
    let sub = |key: &'static str| move || format!("{}.{key}", path());
    let cap = to_int(&get(intern!(py, "capacity"))?, &sub("capacity"))?;
    let capacity = u32::try_from(cap).map_err(|_| {
        let p = sub("capacity")();
        input_error(
            py,
            "out_of_range",
            &p,
            &format!("{p}: capacity must be within [1, 4294967295], got {cap}"),
        )
    })?;
    Ok(Mentor {
        id: to_string(&get(intern!(py, "id"))?, &sub("id"))?,
        skills: strings(&get(intern!(py, "skills"))?, &sub("skills"))?,
        lat: to_f64(&get(intern!(py, "lat"))?, &sub("lat"))?,
        lon: to_f64(&get(intern!(py, "lon"))?, &sub("lon"))?,
        slots: slots(&get(intern!(py, "slots"))?, &sub("slots"))?,
        languages: strings(&get(intern!(py, "languages"))?, &sub("languages"))?,
        capacity,
    })
}

fn learners(v: &Bound<'_, PyAny>) -> PyResult<Vec<Learner>> {
    items(v, &|| "learners".to_owned())?
        .iter()
        .enumerate()
        .map(|(i, x)| learner(x, &|| format!("learners[{i}]")))
        .collect()
}

fn mentors(v: &Bound<'_, PyAny>) -> PyResult<Vec<Mentor>> {
    items(v, &|| "mentors".to_owned())?
        .iter()
        .enumerate()
        .map(|(i, x)| mentor(x, &|| format!("mentors[{i}]")))
        .collect()
}

const WEIGHT_KEYS: [&str; 6] = [
    "skill",
    "distance",
    "availability",
    "min_score",
    "distance_scale_km",
    "remote_distance_factor",
];

fn weights(v: Option<&Bound<'_, PyAny>>) -> PyResult<Weights> {
    let mut w = Weights::default();
    let Some(v) = v else { return Ok(w) };
    if v.is_none() {
        return Ok(w);
    }
    let d = as_dict(v, &|| "weights".to_owned())?;
    for (k, val) in d.iter() {
        let key = to_string(&k, &|| "weights".to_owned())?;
        let path = format!("weights.{key}");
        let x = to_f64(&val, &|| path.clone())?;
        match key.as_str() {
            "skill" => w.skill = x,
            "distance" => w.distance = x,
            "availability" => w.availability = x,
            "min_score" => w.min_score = x,
            "distance_scale_km" => w.distance_scale_km = x,
            "remote_distance_factor" => w.remote_distance_factor = x,
            _ => {
                return Err(input_error(
                    v.py(),
                    "unknown_field",
                    &path,
                    &format!("{path}: unknown weight (expected one of {WEIGHT_KEYS:?})"),
                ))
            }
        }
    }
    Ok(w)
}

fn k_arg(py: Python<'_>, k: &Bound<'_, PyAny>) -> PyResult<usize> {
    let v = to_int(k, &|| "k".to_owned())?;
    usize::try_from(v).map_err(|_| {
        input_error(
            py,
            "out_of_range",
            "k",
            &format!("k: must be >= 0, got {v}"),
        )
    })
}

fn parts_dict<'py>(py: Python<'py>, c: &PairComponents) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item(intern!(py, "skill"), c.skill)?;
    d.set_item(intern!(py, "distance"), c.distance)?;
    d.set_item(intern!(py, "availability"), c.availability)?;
    d.set_item(intern!(py, "distance_km"), c.distance_km)?;
    Ok(d)
}

fn components_dict<'py>(py: Python<'py>, c: &Components) -> PyResult<Bound<'py, PyDict>> {
    let d = parts_dict(py, &c.parts())?;
    d.set_item(intern!(py, "score"), c.score)?;
    d.set_item(intern!(py, "eligible"), c.eligible)?;
    Ok(d)
}

fn result_dict<'py>(py: Python<'py>, r: &AssignmentResult) -> PyResult<Bound<'py, PyDict>> {
    let assignments = PyList::empty(py);
    for a in &r.assignments {
        let d = PyDict::new(py);
        d.set_item(intern!(py, "learner_id"), &a.learner_id)?;
        d.set_item(intern!(py, "mentor_id"), &a.mentor_id)?;
        d.set_item(intern!(py, "score"), a.score)?;
        d.set_item(intern!(py, "components"), parts_dict(py, &a.components)?)?;
        assignments.append(d)?;
    }
    let out = PyDict::new(py);
    out.set_item(intern!(py, "assignments"), assignments)?;
    out.set_item(intern!(py, "unassigned"), PyList::new(py, &r.unassigned)?)?;
    out.set_item(intern!(py, "total_score"), r.total_score)?;
    out.set_item(intern!(py, "algorithm"), r.algorithm.as_str())?;
    Ok(out)
}

fn recommendations<'py>(py: Python<'py>, recs: &[Recommendation]) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for r in recs {
        let d = PyDict::new(py);
        d.set_item(intern!(py, "mentor_id"), &r.mentor_id)?;
        d.set_item(intern!(py, "score"), r.score)?;
        d.set_item(intern!(py, "components"), parts_dict(py, &r.components)?)?;
        out.append(d)?;
    }
    Ok(out)
}

/// Score one (learner, mentor) pair.
#[pyfunction(signature = (learner, mentor, weights=None))]
fn score<'py>(
    py: Python<'py>,
    learner: &Bound<'py, PyAny>,
    mentor: &Bound<'py, PyAny>,
    weights: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let l = self::learner(learner, &|| "learner".to_owned())?;
    let m = self::mentor(mentor, &|| "mentor".to_owned())?;
    let w = self::weights(weights)?;
    let c = matcher_core::score_checked(&l, &m, &w).map_err(|e| core_error(py, &e))?;
    components_dict(py, &c)
}

fn run_assign<'py>(
    py: Python<'py>,
    learners: &Bound<'py, PyAny>,
    mentors: &Bound<'py, PyAny>,
    weights: Option<&Bound<'py, PyAny>>,
    algorithm: Algorithm,
) -> PyResult<Bound<'py, PyDict>> {
    let ls = self::learners(learners)?;
    let ms = self::mentors(mentors)?;
    let w = self::weights(weights)?;
    let r = py
        .detach(|| matcher_core::assign(&ls, &ms, &w, algorithm))
        .map_err(|e| core_error(py, &e))?;
    result_dict(py, &r)
}

/// Maximum-total-score assignment (exact sparse min-cost flow).
#[pyfunction(signature = (learners, mentors, weights=None))]
fn assign_optimal<'py>(
    py: Python<'py>,
    learners: &Bound<'py, PyAny>,
    mentors: &Bound<'py, PyAny>,
    weights: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    run_assign(py, learners, mentors, weights, Algorithm::Optimal)
}

/// Greedy assignment: eligible pairs by score descending while capacity allows.
#[pyfunction(signature = (learners, mentors, weights=None))]
fn assign_greedy<'py>(
    py: Python<'py>,
    learners: &Bound<'py, PyAny>,
    mentors: &Bound<'py, PyAny>,
    weights: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    run_assign(py, learners, mentors, weights, Algorithm::Greedy)
}

/// The `k` best eligible mentors for one learner (score descending, ties by mentor index).
#[pyfunction(signature = (learner, mentors, k, weights=None))]
fn top_k<'py>(
    py: Python<'py>,
    learner: &Bound<'py, PyAny>,
    mentors: &Bound<'py, PyAny>,
    k: &Bound<'py, PyAny>,
    weights: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyList>> {
    let l = self::learner(learner, &|| "learner".to_owned())?;
    let ms = self::mentors(mentors)?;
    let k = k_arg(py, k)?;
    let w = self::weights(weights)?;
    let recs = py
        .detach(|| matcher_core::top_k(&l, &ms, k, &w))
        .map_err(|e| core_error(py, &e))?;
    recommendations(py, &recs)
}

/// Mentors prepared once for many fast `top_k` queries.
#[pyclass(frozen, name = "MentorIndex", module = "skillbridge_matcher")]
struct PyMentorIndex {
    inner: MentorIndex,
}

#[pymethods]
impl PyMentorIndex {
    #[new]
    fn new(py: Python<'_>, mentors: &Bound<'_, PyAny>) -> PyResult<Self> {
        let ms = self::mentors(mentors)?;
        let inner = py
            .detach(|| MentorIndex::new(ms))
            .map_err(|e| core_error(py, &e))?;
        Ok(PyMentorIndex { inner })
    }

    #[pyo3(signature = (learner, k, weights=None))]
    fn top_k<'py>(
        &self,
        py: Python<'py>,
        learner: &Bound<'py, PyAny>,
        k: &Bound<'py, PyAny>,
        weights: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let l = self::learner(learner, &|| "learner".to_owned())?;
        let k = k_arg(py, k)?;
        let w = self::weights(weights)?;
        let recs = py
            .detach(|| self.inner.top_k(&l, k, &w))
            .map_err(|e| core_error(py, &e))?;
        recommendations(py, &recs)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!("MentorIndex(<{} mentors>)", self.inner.len())
    }
}

fn learner_dict<'py>(py: Python<'py>, l: &Learner) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", &l.id)?;
    d.set_item("skills", PyList::new(py, &l.skills)?)?;
    d.set_item("lat", l.lat)?;
    d.set_item("lon", l.lon)?;
    d.set_item("remote_ok", l.remote_ok)?;
    d.set_item("hours_per_week", l.hours_per_week)?;
    d.set_item("slots", PyList::new(py, &l.slots)?)?;
    d.set_item("languages", PyList::new(py, &l.languages)?)?;
    Ok(d)
}

fn mentor_dict<'py>(py: Python<'py>, m: &Mentor) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", &m.id)?;
    d.set_item("skills", PyList::new(py, &m.skills)?)?;
    d.set_item("lat", m.lat)?;
    d.set_item("lon", m.lon)?;
    d.set_item("slots", PyList::new(py, &m.slots)?)?;
    d.set_item("languages", PyList::new(py, &m.languages)?)?;
    d.set_item("capacity", m.capacity)?;
    Ok(d)
}

/// Seeded synthetic `(learners, mentors)` (the Rust benchmarks' generator).
#[pyfunction]
fn synthetic_instance<'py>(
    py: Python<'py>,
    n_learners: usize,
    n_mentors: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyTuple>> {
    let (ls, ms) =
        py.detach(|| matcher_core::synthetic::synthetic_instance(n_learners, n_mentors, seed));
    let lp = PyList::empty(py);
    for l in &ls {
        lp.append(learner_dict(py, l)?)?;
    }
    let mp = PyList::empty(py);
    for m in &ms {
        mp.append(mentor_dict(py, m)?)?;
    }
    PyTuple::new(py, [lp.into_any(), mp.into_any()])
}

/// Runtime definitions of the TypedDicts described in `skillbridge_matcher.pyi`, so they
/// can be imported (and used with `typing.get_type_hints`) outside `TYPE_CHECKING` too.
const TYPED_DICTS: &std::ffi::CStr = c"
from typing import Literal as _Literal, TypedDict as _TypedDict

class Learner(_TypedDict):
    id: str
    skills: list[str]
    lat: float
    lon: float
    remote_ok: bool
    hours_per_week: float
    slots: list[int]
    languages: list[str]

class Mentor(_TypedDict):
    id: str
    skills: list[str]
    lat: float
    lon: float
    slots: list[int]
    languages: list[str]
    capacity: int

class Weights(_TypedDict, total=False):
    skill: float
    distance: float
    availability: float
    min_score: float
    distance_scale_km: float
    remote_distance_factor: float

class PairComponents(_TypedDict):
    skill: float
    distance: float
    availability: float
    distance_km: float

class Components(_TypedDict):
    skill: float
    distance: float
    availability: float
    distance_km: float
    score: float
    eligible: bool

class Assignment(_TypedDict):
    learner_id: str
    mentor_id: str
    score: float
    components: PairComponents

class AssignmentResult(_TypedDict):
    assignments: list[Assignment]
    unassigned: list[str]
    total_score: float
    algorithm: _Literal['optimal', 'greedy']

class Recommendation(_TypedDict):
    mentor_id: str
    score: float
    components: PairComponents

for _c in (Learner, Mentor, Weights, PairComponents, Components, Assignment, AssignmentResult, Recommendation):
    _c.__module__ = 'skillbridge_matcher'
del _c, _Literal, _TypedDict
";

/// SkillBridge matcher: scoring, exact optimal assignment, greedy assignment and top-k.
#[pymodule]
fn skillbridge_matcher(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "__all__",
        [
            "__version__",
            "MatcherInputError",
            "MentorIndex",
            "assign_greedy",
            "assign_optimal",
            "score",
            "synthetic_instance",
            "top_k",
            "Learner",
            "Mentor",
            "Weights",
            "PairComponents",
            "Components",
            "Assignment",
            "AssignmentResult",
            "Recommendation",
        ],
    )?;
    m.py().run(TYPED_DICTS, Some(&m.dict()), None)?;
    m.add("MatcherInputError", m.py().get_type::<MatcherInputError>())?;
    m.add_class::<PyMentorIndex>()?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(assign_optimal, m)?)?;
    m.add_function(wrap_pyfunction!(assign_greedy, m)?)?;
    m.add_function(wrap_pyfunction!(top_k, m)?)?;
    m.add_function(wrap_pyfunction!(synthetic_instance, m)?)?;
    Ok(())
}
