"""Where a request keeps the admission :class:`~skillbridge.adapters.http.access.AdmissionMiddleware` made,
apart from the middleware so that the error handlers (which the middleware uses) can read it too."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from skillbridge.application.accounts.authentication import Admission

#: The key of the admission in the request's ``scope["state"]``.
ADMISSION_KEY = "admission"
_NO_ADMISSION = Admission(None, None)


def admission_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Admission:
    """The admission :class:`AdmissionMiddleware` made for this request (none: anonymous)."""
    admission = connection.scope.get("state", {}).get(ADMISSION_KEY)
    return admission if isinstance(admission, Admission) else _NO_ADMISSION
