"""The progress and GitHub domain rules: webhook signatures, done tags, weekly streaks, manual event details."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.progress.events import EventType, check_details, is_repository_name
from skillbridge.domain.progress.streaks import Streaks, week_start, weekly_streaks
from skillbridge.domain.progress.tags import done_tags, module_slug, tagged_modules
from skillbridge.domain.vcs.model import Commit
from skillbridge.domain.vcs.webhooks import Push, push_document, push_from_document, sign, signature_matches
from tests.support.roadmaps import make_roadmap

GITHUB_VECTOR = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_githubs_documented_signature_vector() -> None:
    secret, body = "It's a Secret to Everybody", b"Hello, World!"
    assert sign(secret, body) == GITHUB_VECTOR
    assert signature_matches(secret, body, GITHUB_VECTOR)


@pytest.mark.parametrize(
    "header",
    [None, "", GITHUB_VECTOR.upper(), GITHUB_VECTOR[:-1] + "0", GITHUB_VECTOR.removeprefix("sha256="), "sha1=abc"],
)
def test_missing_or_wrong_signatures_do_not_match(header: str | None) -> None:
    assert not signature_matches("It's a Secret to Everybody", b"Hello, World!", header)


def test_no_secret_matches_nothing() -> None:
    assert not signature_matches("", b"Hello, World!", sign("", b"Hello, World!"))


def test_done_tags_several_per_message_case_and_repeats() -> None:
    message = "Finish loops\n\nDONE: m2, done: Variables-and-Types\ndone:m2 undone: m9 xdone: m8 done: m3."
    assert done_tags(message) == ("m2", "variables-and-types", "m3")
    assert done_tags("no tags here, done with it") == ()


def test_tags_resolve_module_ids_and_title_slugs_and_ignore_unknown_names() -> None:
    roadmap = make_roadmap(uuid4())
    first, second = roadmap.modules[0], roadmap.modules[1]
    message = f"done: {module_slug(second)} done: {first.id.upper()} done: astrology done: {first.id}"
    assert tagged_modules(message, roadmap.modules) == (second.id, first.id)


def _moments(weeks: list[int], anchor: date = date(2026, 1, 5)) -> list[datetime]:
    return [datetime.combine(anchor + timedelta(weeks=week), datetime.min.time(), UTC) for week in weeks]


def test_streaks_count_iso_weeks_in_utc() -> None:
    now = datetime(2026, 3, 4, 12, tzinfo=UTC)  # a Wednesday
    this_monday = week_start(now)
    base = datetime.combine(this_monday, datetime.min.time(), UTC)
    moments = [base - timedelta(weeks=n) + timedelta(hours=1) for n in (0, 1, 2, 5, 6, 7, 8)]
    assert weekly_streaks(moments, now) == Streaks(current=3, longest=4)
    # Nothing yet this week: last week's streak is still alive.
    assert weekly_streaks(moments[1:], now) == Streaks(current=2, longest=4)
    # Two weeks without: it ended.
    assert weekly_streaks(moments[2:], now) == Streaks(current=0, longest=4)
    assert weekly_streaks([], now) == Streaks(0, 0)


def test_a_sunday_evening_in_lagos_and_a_monday_night_in_nairobi_fall_in_utc_weeks() -> None:
    lagos = datetime(2026, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=1)))  # Sunday 22:30 UTC
    nairobi = datetime(2026, 3, 2, 0, 30, tzinfo=timezone(timedelta(hours=3)))  # Sunday 21:30 UTC
    assert week_start(lagos) == week_start(nairobi) == date(2026, 2, 23)


@given(st.lists(st.integers(min_value=0, max_value=120), max_size=40), st.integers(min_value=0, max_value=130))
def test_streak_properties(weeks: list[int], now_week: int) -> None:
    now = _moments([now_week])[0] + timedelta(days=3)
    streaks = weekly_streaks(_moments(weeks), now)
    distinct = sorted(set(weeks))
    assert 0 <= streaks.current <= streaks.longest <= len(distinct)
    assert (streaks.longest == 0) == (not weeks)
    # The longest run, computed the slow way.
    best = max(
        (n for n in range(1, len(distinct) + 1) for s in distinct if all(s + k in distinct for k in range(n))),
        default=0,
    )
    assert streaks.longest == best
    # The current streak ends this week or last week, and is a run of consecutive active weeks.
    if streaks.current:
        end = now_week if now_week in distinct else now_week - 1
        assert all(end - k in distinct for k in range(streaks.current))
        assert end - streaks.current not in distinct
    else:
        assert now_week not in distinct and now_week - 1 not in distinct


@given(st.lists(st.datetimes(timezones=st.just(UTC)), min_size=1, max_size=30))
def test_the_order_and_repeats_of_moments_do_not_matter(moments: list[datetime]) -> None:
    now = max(moments)
    assert weekly_streaks(moments, now) == weekly_streaks(list(reversed(moments)) + moments[:3], now)


def test_repository_names() -> None:
    assert is_repository_name("amara-dev/python-exercises")
    assert is_repository_name("a/b.c_d-e")
    for bad in ("amara", "-a/b", "a//b", "a/b/c", "a/b.git", "a/..", "a b/c", "a/"):
        assert not is_repository_name(bad), bad


@pytest.mark.parametrize(
    ("event_type", "details", "expected"),
    [
        (EventType.COMMIT, {"repo": "a/b", "commit_hash": "ABCDEF1"}, {"repo": "a/b", "commit_hash": "abcdef1"}),
        (EventType.STUDY_SESSION, {"minutes": 45, "note": " read "}, {"minutes": 45, "note": "read"}),
        (EventType.NOTE, {"text": "stuck on recursion"}, {"text": "stuck on recursion"}),
    ],
)
def test_valid_details_are_normalised(event_type: EventType, details: dict[str, Any], expected: dict[str, Any]) -> None:
    assert check_details(event_type, details, make_roadmap(uuid4())) == expected


def test_a_completed_resource_names_a_resource_of_the_module() -> None:
    roadmap = make_roadmap(uuid4())
    module = roadmap.modules[0]
    url = module.resources[0].url
    assert check_details(EventType.RESOURCE_COMPLETED, {"module_id": module.id, "url": url}, roadmap) == {
        "module_id": module.id,
        "url": url,
    }
    with pytest.raises(InvalidInput) as raised:
        check_details(EventType.RESOURCE_COMPLETED, {"module_id": module.id, "url": "https://x.org/"}, roadmap)
    assert raised.value.field == "details.url"


@pytest.mark.parametrize(
    ("event_type", "details", "field"),
    [
        (EventType.COMMIT, {"repo": "nope", "commit_hash": "abcdef1"}, "details.repo"),
        (EventType.COMMIT, {"repo": "a/b", "commit_hash": "xyz"}, "details.commit_hash"),
        (EventType.COMMIT, {"repo": "a/b", "commit_hash": "abcdef1", "url": "http://x.org"}, "details.url"),
        (EventType.STUDY_SESSION, {"minutes": 0}, "details.minutes"),
        (EventType.STUDY_SESSION, {"minutes": True}, "details.minutes"),
        (EventType.STUDY_SESSION, {"minutes": 10, "module_id": "m99"}, "details.module_id"),
        (EventType.STUDY_SESSION, {"minutes": 10, "surprise": 1}, "details.surprise"),
        (EventType.RESOURCE_COMPLETED, {"url": "https://x.org"}, "details.module_id"),
        (EventType.NOTE, {"text": "   "}, "details.text"),
        (EventType.MODULE_COMPLETED, {"module_id": "m1"}, "event_type"),
    ],
)
def test_invalid_details_name_the_field(event_type: EventType, details: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_details(event_type, details, make_roadmap(uuid4()))
    assert raised.value.field == field


def test_a_push_survives_its_stored_document() -> None:
    commit = Commit("a" * 40, "done: m1", "https://github.com/a/b/commit/1", datetime(2026, 1, 1, tzinfo=UTC))
    push = Push(
        "a/b", "refs/heads/main", "amara", (commit, Commit("b" * 40, "x", "u", commit.timestamp, files_changed=("f",)))
    )
    assert push_from_document(push_document(push)) == push
