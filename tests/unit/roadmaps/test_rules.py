"""Roadmap rules: progress (property-tested), the weekly schedule, module validation and learner edits."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.roadmaps.building import build_roadmap
from skillbridge.domain.roadmaps.changes import ModuleEdit, NewModule, RoadmapChanges, apply_changes
from skillbridge.domain.roadmaps.model import Generation, Module, SkillLevel
from skillbridge.domain.roadmaps.request import RoadmapRequest
from skillbridge.domain.roadmaps.rules import check_modules, is_https_url, progress_percent, schedule
from tests.support.entities import T0
from tests.support.roadmaps import make_module, make_resource, make_roadmap

hours = st.floats(min_value=0.25, max_value=500, allow_nan=False, allow_infinity=False)


def _formula(modules: tuple[Module, ...]) -> float:
    total = sum(m.estimated_hours for m in modules)
    return 100 * sum(m.estimated_hours for m in modules if m.completed) / total if total else 0.0


@given(
    st.lists(hours, min_size=1, max_size=30).flatmap(
        lambda hs: st.tuples(st.just(hs), st.lists(st.tuples(st.integers(0, len(hs) - 1), st.booleans()), max_size=60))
    )
)
def test_any_sequence_of_completions_keeps_progress_within_0_100_and_equal_to_the_formula(
    case: tuple[list[float], list[tuple[int, bool]]],
) -> None:
    module_hours, steps = case
    roadmap = make_roadmap(uuid4(), modules=0)
    roadmap = replace(
        roadmap,
        modules=schedule([replace(make_module(n + 1), estimated_hours=h) for n, h in enumerate(module_hours)], 5),
    )
    for index, done in steps:
        module_id = roadmap.modules[index].id
        roadmap, _ = apply_changes(roadmap, RoadmapChanges(completed={module_id: done}), T0)
        assert 0.0 <= roadmap.progress <= 100.0
        assert roadmap.progress == pytest.approx(_formula(roadmap.modules), abs=0.005)
        assert roadmap.progress == progress_percent(roadmap.modules)
    if all(m.completed for m in roadmap.modules):
        assert roadmap.progress == 100.0
    if not any(m.completed for m in roadmap.modules):
        assert roadmap.progress == 0.0


@given(st.lists(st.tuples(hours, st.booleans()), max_size=40))
def test_progress_is_the_formula_for_any_modules(items: list[tuple[float, bool]]) -> None:
    modules = tuple(replace(make_module(n + 1), estimated_hours=h, completed=c) for n, (h, c) in enumerate(items))
    progress = progress_percent(modules)
    assert 0.0 <= progress <= 100.0
    assert progress == pytest.approx(_formula(modules), abs=0.005)


@given(st.lists(hours, min_size=1, max_size=30), st.integers(1, 168))
def test_schedule_places_modules_back_to_back_and_covers_the_hours(module_hours: list[float], per_week: int) -> None:
    placed = schedule([replace(make_module(n + 1), estimated_hours=h) for n, h in enumerate(module_hours)], per_week)
    assert placed[0].start_week == 1
    for before, after in itertools.pairwise(placed):
        assert after.start_week in (before.end_week, before.end_week + 1)
    for module in placed:
        assert module.end_week >= module.start_week
    assert placed[-1].end_week == max(1, math.ceil(sum(module_hours) / per_week - 1e-9))


def test_schedule_example() -> None:
    placed = schedule([replace(make_module(n), estimated_hours=h) for n, h in [(1, 4), (2, 6), (3, 10)]], 5)
    assert [(m.start_week, m.end_week) for m in placed] == [(1, 1), (1, 2), (3, 4)]


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://docs.python.org/3/tutorial/", True),
        ("https://developer.mozilla.org/en-US/docs/Web", True),
        ("https://example.org:8443/x", True),
        ("http://docs.python.org/", False),
        ("https://localhost/x", False),
        ("https://user:pw@example.org/", False),
        ("https://exa mple.org/", False),
        ("ftp://example.org/", False),
        ("https://example.org:99999/", False),
        ("https://.example.org/", False),
        ("", False),
        ("https://example.org/" + "a" * 500, False),
    ],
)
def test_https_url_check(url: str, ok: bool) -> None:
    assert is_https_url(url) is ok


def test_check_modules_reports_every_fault_at_once() -> None:
    good = make_module(1)
    bad_resource = replace(make_resource(10), url="http://plain.example.org", estimated_hours=0)
    modules = [
        good,
        replace(make_module(2), title=" module 1 ", estimated_hours=-1, resources=(bad_resource, make_resource(11))),
        replace(make_module(3), id="m1", resources=()),
    ]
    with pytest.raises(InvalidInput) as caught:
        check_modules(modules)
    fields = {error.field for error in caught.value.errors}
    assert fields == {
        "modules[1].title",
        "modules[1].estimated_hours",
        "modules[1].resources[0].url",
        "modules[1].resources[0].estimated_hours",
        "modules[1].resources[1].url",  # already in module 1
        "modules[2].id",
        "modules[2].resources",
    }
    with pytest.raises(InvalidInput):
        check_modules([], min_modules=1)


def test_request_normalises_and_reports_every_fault() -> None:
    request = RoadmapRequest.create(" Machine Learning ", "Beginner", 6, low_bandwidth=True, language="FR")
    assert (request.domain, request.skill_level, request.language) == ("machine-learning", SkillLevel.BEGINNER, "fr")
    assert request.cache_key == "machine-learning|beginner|6|1|fr"
    with pytest.raises(InvalidInput) as caught:
        RoadmapRequest.create("!!", "expert", 0, language="english")
    assert {e.field for e in caught.value.errors} == {"domain", "skill_level", "time_availability", "language"}


def test_build_roadmap_numbers_schedules_and_starts_at_zero_progress() -> None:
    request = RoadmapRequest.create("python", "beginner", 5)
    modules = [replace(make_module(9), id="x", completed=True), replace(make_module(8), id="y")]
    roadmap = build_roadmap(uuid4(), request, modules, Generation("catalog"), T0, domain="python")
    assert [m.id for m in roadmap.modules] == ["m1", "m2"]
    assert roadmap.progress == 0.0
    assert not any(m.completed for m in roadmap.modules)
    assert roadmap.estimated_weeks == 2
    assert roadmap.total_hours == 8.0
    assert roadmap.version == 1


def test_apply_changes_edits_removes_reorders_adds_and_completes() -> None:
    roadmap = make_roadmap(uuid4(), modules=4, hours_per_week=4)
    later = T0 + timedelta(days=1)
    changes = RoadmapChanges(
        completed={"m2": True, "m3": True},
        order=("m3", "m2", "m1"),
        edit=(ModuleEdit("m1", title="Basics, again", estimated_hours=2, level=SkillLevel.INTERMEDIATE),),
        remove=("m4",),
        add=(NewModule("Capstone", 8, (make_resource(99),), summary=" Build it ", position=1),),
    )
    changed, description = apply_changes(roadmap, changes, later)
    assert [m.id for m in changed.modules] == ["m3", "m5", "m2", "m1"]
    assert changed.modules[1].title == "Capstone"
    assert changed.modules[1].summary == "Build it"
    assert changed.modules[3].title == "Basics, again"
    assert changed.modules[3].level is SkillLevel.INTERMEDIATE
    assert changed.modules[0].completed_at == later
    assert changed.progress == pytest.approx(100 * 8 / 18, abs=0.005)
    assert [(m.start_week, m.end_week) for m in changed.modules] == [(1, 1), (2, 3), (4, 4), (5, 5)]
    assert changed.updated_at == later
    assert description == "completed 2 modules, edited 1, removed 1, added 1, reordered"
    reopened, description = apply_changes(changed, RoadmapChanges(completed={"m3": False}), later)
    assert reopened.modules[0].completed_at is None
    assert description == "reopened 1 module"


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        (RoadmapChanges(completed={"m9": True}), {"completed.m9"}),
        (RoadmapChanges(order=("m1", "m2")), {"order"}),
        (RoadmapChanges(order=("m1", "m2", "m2")), {"order"}),
        (RoadmapChanges(order=("m1", "m2", "zz")), {"order[2]", "order"}),
        (RoadmapChanges(edit=(ModuleEdit("m7", title="x"),)), {"edit[0].id"}),
        (RoadmapChanges(edit=(ModuleEdit("m1", title="a"), ModuleEdit("m1", title="b"))), {"edit[1].id"}),
        (RoadmapChanges(remove=("m8",)), {"remove[0]"}),
        (RoadmapChanges(edit=(ModuleEdit("m1", estimated_hours=0),)), {"modules[0].estimated_hours"}),
        (RoadmapChanges(remove=("m1", "m2", "m3")), {"modules"}),
    ],
)
def test_apply_changes_refuses_bad_changes(changes: RoadmapChanges, fields: set[str]) -> None:
    roadmap = make_roadmap(uuid4(), modules=3)
    with pytest.raises(InvalidInput) as caught:
        apply_changes(roadmap, changes, T0)
    assert {e.field for e in caught.value.errors} == fields


def test_an_empty_change_is_refused() -> None:
    with pytest.raises(InvalidInput):
        apply_changes(make_roadmap(uuid4()), RoadmapChanges(), T0)


def test_snapshot_copies_the_current_version() -> None:
    roadmap = make_roadmap(uuid4(), version=3)
    snapshot = roadmap.snapshot("reordered", roadmap.user_id)
    assert (snapshot.roadmap_id, snapshot.version, snapshot.modules, snapshot.change) == (
        roadmap.id,
        3,
        roadmap.modules,
        "reordered",
    )
