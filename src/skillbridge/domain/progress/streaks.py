"""Weekly streaks: how many weeks in a row a learner did something on a roadmap.

Weeks are ISO 8601 weeks (Monday to Sunday) in UTC: an event at 23:30 on a Sunday in Lagos (22:30 UTC)
counts for that week, one at 00:30 on Monday in Nairobi (21:30 UTC on Sunday) for the week before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from skillbridge.domain.clock import utc


@dataclass(frozen=True, slots=True)
class Streaks:
    """``current``: active weeks in a row up to this week, or up to last week while this week has no event
    yet (a streak ends only once a whole week passed without activity). ``longest``: the longest run ever."""

    current: int
    longest: int


def week_start(moment: datetime) -> date:
    """The Monday (UTC) of the ISO week ``moment`` falls in."""
    day = utc(moment).date()
    return date.fromordinal(day.toordinal() - day.weekday())


def weekly_streaks(moments: Iterable[datetime], now: datetime) -> Streaks:
    """The current and longest weekly streak of the activity at ``moments``, seen at ``now``.

    Events after ``now`` (a commit whose clock runs ahead) count for the week they name.
    """
    weeks = sorted({week_start(moment).toordinal() // 7 for moment in moments})
    longest = run = 0
    previous: int | None = None
    for week in weeks:
        run = run + 1 if previous is not None and week == previous + 1 else 1
        longest = max(longest, run)
        previous = week
    this_week = week_start(now).toordinal() // 7
    current = 0
    if weeks:
        active = set(weeks)
        cursor = this_week if this_week in active else this_week - 1
        while cursor in active:
            current += 1
            cursor -= 1
    return Streaks(current=current, longest=longest)
