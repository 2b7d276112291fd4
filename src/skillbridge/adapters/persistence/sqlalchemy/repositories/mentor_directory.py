"""The mentor list without a point on PostgreSQL, read from the ``mentor_directory`` view (migration 0017).

The view holds the active mentors that every signed-in user may search, past row-level security; its skills
and languages are the profile document's, GIN-indexed. One statement gives the page and the total: the
fitting mentors (id and age only) are gathered once, counted, and the page taken from them by a top-N sort;
then only the page's rows are read, with the capacity in use counted for its mentors alone.

Used on the driver (``raw.py``) by a block that only reads; SQLite and a block inside a transaction keep
the tables' statements of ``users.py``, which give the same answers (the contract tests run both).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, Text, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY

from skillbridge.adapters.persistence.sqlalchemy.raw import CompiledRead
from skillbridge.adapters.persistence.sqlalchemy.views import mentor_directory, open_mentor_places

if TYPE_CHECKING:
    from skillbridge.adapters.persistence.sqlalchemy.repositories.users import _Shape

_DIRECTORY = mentor_directory.c
# Written as the indexes of migration 0017 write them: with a bound key, the planner could not use them.
_SKILLS: ColumnElement[Any] = literal_column("mentor_directory.profile -> 'skills'")
_LANGUAGES: ColumnElement[Any] = literal_column("mentor_directory.profile -> 'languages'")


def _filters(shape: _Shape) -> list[ColumnElement[bool]]:
    """Every filter of a search without a point but the role and the activity, which the view holds."""
    filters: list[ColumnElement[bool]] = []
    if shape.skills:
        # ?| any of the keys, ?& all of them: the skills are the strings of the document's array.
        operator = "?&" if shape.all_skills else "?|"
        filters.append(_SKILLS.op(operator)(bindparam("skills", type_=ARRAY(Text))).self_group())
    if shape.country:
        filters.append(_DIRECTORY.country == bindparam("country"))
    if shape.min_hours:
        filters.append(_DIRECTORY.hours_per_week >= bindparam("min_hours"))
    if shape.language:
        filters.append(_LANGUAGES.op("?")(bindparam("language", type_=Text)).self_group())
    if shape.free_capacity:
        in_use = (
            select(func.count())
            .select_from(open_mentor_places)
            .where(open_mentor_places.c.mentor_id == _DIRECTORY.id)
            .correlate(mentor_directory)
            .scalar_subquery()
        )
        filters.append(func.coalesce(_DIRECTORY.mentor_capacity, 0) - in_use > 0)
    return filters


def _statements(shape: _Shape) -> tuple[Select[Any], Select[Any]]:
    filters = _filters(shape)
    fitting = select(_DIRECTORY.id, _DIRECTORY.created_at).where(*filters).cte("fitting")
    ordered = (
        select(fitting.c.id, fitting.c.created_at)
        .order_by(fitting.c.created_at, fitting.c.id)
        .limit(bindparam("page_limit"))
        .offset(bindparam("page_offset"))
        .subquery("ordered")
    )
    place = func.row_number().over(order_by=(ordered.c.created_at, ordered.c.id)).label("place")
    page = select(ordered.c.id, place).cte("page")
    open_counts = (
        select(open_mentor_places.c.mentor_id, func.count().label("open_count"))
        .where(open_mentor_places.c.mentor_id.in_(select(page.c.id)))
        .group_by(open_mentor_places.c.mentor_id)
        .subquery("page_open_counts")
    )
    total = select(func.count()).select_from(fitting).scalar_subquery().label("total")
    statement = (
        select(mentor_directory, func.coalesce(open_counts.c.open_count, 0).label("open_count"), total)
        .join(page, page.c.id == _DIRECTORY.id)
        .outerjoin(open_counts, open_counts.c.mentor_id == _DIRECTORY.id)
        .order_by(page.c.place)
    )
    return statement, select(func.count()).select_from(mentor_directory).where(*filters)


@functools.lru_cache(maxsize=64)
def directory_page_statements(shape: _Shape) -> tuple[CompiledRead, CompiledRead]:
    """The page of a search of ``shape`` (rows labelled as the view's columns, plus ``open_count`` and
    ``total``) and, for a page past the end, the count alone; compiled once per shape."""
    page, count = _statements(shape)
    return CompiledRead(page), CompiledRead(count)
