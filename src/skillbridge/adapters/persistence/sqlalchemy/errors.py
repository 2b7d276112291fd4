"""Translation of database driver errors into the application's errors.

Messages are short, fixed reasons: driver text (SQL, constraint internals, host names) never reaches a
caller. The original exception stays chained for the logs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import asyncpg
from sqlalchemy import exc as sa_exc

from skillbridge.domain.errors import Conflict, DependencyUnavailable, DomainError, Forbidden, InvalidInput
from skillbridge.domain.texts import N_

P = ParamSpec("P")
T = TypeVar("T")

# PostgreSQL SQLSTATE codes and classes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_UNIQUE_VIOLATION = "23505"
_FOREIGN_KEY_VIOLATION = "23503"
_CHECK_VIOLATION = "23514"
# A write a row-level-security policy refused (or a table the application role may not touch).
_INSUFFICIENT_PRIVILEGE = "42501"
_RETRYABLE = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected
_UNAVAILABLE_CLASSES = frozenset({"08", "53", "57"})  # connection, insufficient resources, operator action

# Unique columns worth naming to a caller (the others are internal keys).
_NAMED_UNIQUE_COLUMNS = ("email", "github_id", "token_hash")
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: \w+\.(\w+)$")


def _sqlstate(error: sa_exc.DBAPIError) -> str | None:
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code if isinstance(code, str) else None


def _unique_field(error: sa_exc.DBAPIError) -> str | None:
    """The column a unique violation is about, when the driver says so plainly."""
    cause = getattr(error.orig, "__cause__", None)
    name = getattr(cause, "constraint_name", None)
    if isinstance(name, str):  # PostgreSQL names the constraint: uq_<table>_<column>
        return next((column for column in _NAMED_UNIQUE_COLUMNS if name.endswith(f"_{column}")), None)
    match = _SQLITE_UNIQUE.search(str(error.orig))
    return match.group(1) if match and match.group(1) in _NAMED_UNIQUE_COLUMNS else None


def _conflict(error: sa_exc.IntegrityError) -> Conflict:
    state = _sqlstate(error)
    text = str(error.orig)
    if state == _UNIQUE_VIOLATION or "UNIQUE constraint failed" in text:
        field = _unique_field(error)
        if field is None:
            return Conflict(N_("a unique value is already taken"))
        return Conflict(N_("{field} is already taken"), field=field, params={"field": field})
    if state == _FOREIGN_KEY_VIOLATION or "FOREIGN KEY constraint failed" in text:
        return Conflict(N_("a referenced record does not exist or is still referenced"))
    if state == _CHECK_VIOLATION or "CHECK constraint failed" in text:
        return Conflict(N_("the change breaks a consistency rule"))
    return Conflict(N_("the change clashes with stored data"))


# asyncpg's own errors, raised by the reads that skip SQLAlchemy (``raw.py``).
_DRIVER_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.exceptions.InternalClientError)


def _translate_driver(error: BaseException) -> DomainError | None:
    """The rules of :func:`translate` for asyncpg's own errors."""
    if not isinstance(error, asyncpg.PostgresError):  # the client side: a connection that went away
        return DependencyUnavailable(N_("the database cannot be reached"))
    state = error.sqlstate
    if state in _RETRYABLE:
        return Conflict(N_("a concurrent change got in the way; try again"))
    if state is not None and state[:2] in _UNAVAILABLE_CLASSES:
        return DependencyUnavailable(N_("the database cannot be reached"))
    if state is not None and state.startswith("22"):  # data exception
        return InvalidInput(N_("a value does not fit the database"))
    return None


def translate(error: BaseException) -> DomainError | None:
    """The application error for a driver error, or None if ``error`` is not a database error."""
    if isinstance(error, _DRIVER_ERRORS):
        return _translate_driver(error)
    if isinstance(error, sa_exc.IntegrityError):
        return _conflict(error)
    if isinstance(error, sa_exc.DBAPIError):
        state = _sqlstate(error)
        if state in _RETRYABLE:
            return Conflict(N_("a concurrent change got in the way; try again"))
        if state == _INSUFFICIENT_PRIVILEGE:
            return Forbidden(N_("this change is not yours to make"))
        if error.connection_invalidated or (state is not None and state[:2] in _UNAVAILABLE_CLASSES):
            return DependencyUnavailable(N_("the database cannot be reached"))
        if isinstance(error, sa_exc.DataError):
            return InvalidInput(N_("a value does not fit the database"))
        if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
            if "locked" in str(error.orig) or "busy" in str(error.orig):
                return DependencyUnavailable(N_("the database is busy; try again"))
            return DependencyUnavailable(N_("the database cannot be reached"))
        return None
    if isinstance(error, sa_exc.DisconnectionError | sa_exc.TimeoutError | OSError | TimeoutError):
        return DependencyUnavailable(N_("the database cannot be reached"))
    return None


@contextmanager
def translate_errors() -> Iterator[None]:
    """Re-raise database errors raised inside the block as application errors."""
    try:
        yield
    except DomainError:
        raise
    except Exception as error:
        translated = translate(error)
        if translated is None:
            raise
        raise translated from error


def translated(method: Callable[P, Awaitable[T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """Decorate a repository coroutine so database errors leave it as application errors."""

    @functools.wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with translate_errors():
            return await method(*args, **kwargs)

    return wrapper
