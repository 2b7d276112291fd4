"""Limit/offset pages, the one pagination shape of list endpoints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.texts import N_

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which slice of a list to return."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInput(
                N_("limit must be between 1 and {max_limit}"), field="limit", params={"max_limit": MAX_LIMIT}
            )
        if self.offset < 0:
            raise InvalidInput(N_("offset must not be negative"), field="offset")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One slice of a list and the size of the whole list."""

    items: Sequence[T]
    total: int
    limit: int
    offset: int
