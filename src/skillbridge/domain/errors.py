"""Errors raised by the domain and application layers.

Adapters translate driver errors into these; the HTTP adapter maps each to an RFC 9457 problem document.
Every error carries a stable machine-readable ``code`` and, where one field is at fault, its ``field``
(a dotted path such as ``profile.location.lat``).

A message is an English sentence marked with :func:`~skillbridge.domain.texts.N_`; a value it names is a
``{placeholder}`` filled from ``params``, so that an adapter can show the same sentence in another language.
``message`` is always the English sentence with its values in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from skillbridge.domain.texts import Param, Text, fill


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid field: where it is and what is wrong with it."""

    field: str
    #: The English message id (with ``{placeholders}``); :attr:`text` has the values in.
    message: str
    params: Mapping[str, Param] = dataclasses.field(default_factory=dict)

    @property
    def text(self) -> str:
        """The message in English, with its values."""
        return fill(self.message, self.params)


class DomainError(Exception):
    """Base class of every error that this project raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None, params: Mapping[str, Param] | None = None) -> None:
        self.text = Text(message, dict(params or {}))
        self.message = self.text.english()
        super().__init__(self.message)
        self.field = field


class InvalidInput(DomainError):
    """The input breaks a business rule. Carries every field at fault, first one in ``field``, and the
    values that would be accepted in ``allowed`` when they form a short list (known domains, say)."""

    code = "invalid-input"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        errors: Sequence[FieldError] = (),
        allowed: Sequence[str] = (),
        params: Mapping[str, Param] | None = None,
    ) -> None:
        errors = tuple(errors) or ((FieldError(field, message, dict(params or {})),) if field else ())
        super().__init__(message, field=field or (errors[0].field if errors else None), params=params)
        self.errors: tuple[FieldError, ...] = errors
        self.allowed = tuple(allowed)


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it exists."""

    code = "not-found"


class Forbidden(DomainError):
    """The caller is known but their role does not allow this."""

    code = "forbidden"


class Unauthenticated(DomainError):
    """Credentials are missing, wrong, expired or revoked."""

    code = "unauthenticated"


class Conflict(DomainError):
    """The request clashes with the current state (duplicate, stale version, illegal transition)."""

    code = "conflict"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        allowed: Sequence[str] = (),
        params: Mapping[str, Param] | None = None,
    ) -> None:
        super().__init__(message, field=field, params=params)
        self.allowed = tuple(allowed)


class TooManyAttempts(DomainError):
    """The caller tried too often; they may try again after ``retry_after`` seconds."""

    code = "too-many-attempts"

    def __init__(self, message: str, *, retry_after: int, params: Mapping[str, Param] | None = None) -> None:
        super().__init__(message, params=params)
        self.retry_after = max(1, retry_after)


class DependencyUnavailable(DomainError):
    """A service this operation needs (database, cache, an external API) cannot be reached."""

    code = "dependency-unavailable"


@dataclass(slots=True)
class ErrorCollector:
    """Gathers field errors so a caller sees all of them at once, not one per round trip."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field_path: str, message: str, params: Mapping[str, Param] | None = None) -> None:
        self.errors.append(FieldError(field_path, message, dict(params or {})))

    def raise_if_any(self) -> None:
        if self.errors:
            raise self.as_error()

    def as_error(self) -> InvalidInput:
        """The collected errors as one exception (call only when some were added)."""
        first = self.errors[0]
        return InvalidInput(first.message, field=first.field, errors=self.errors, params=first.params)


class BadRequest(DomainError):
    """The request is not one this operation can take at all (a missing or unknown OAuth state, say)."""

    code = "bad-request"


class UpstreamRateLimited(DependencyUnavailable):
    """An external API (GitHub) refuses more calls for now; try again after ``retry_after`` seconds."""

    code = "upstream-rate-limited"

    def __init__(self, message: str, *, retry_after: int, params: Mapping[str, Param] | None = None) -> None:
        super().__init__(message, params=params)
        self.retry_after = max(1, retry_after)
