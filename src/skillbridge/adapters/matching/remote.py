"""The matching engine over HTTP: the matcher-rs service (``POST /match``, ``POST /recommend``).

Input is validated here first with the same rules (NaN and infinities cannot travel in JSON, and a bad
request should not cost a round trip); the service validates again and its 4xx JSON errors become
InvalidInput with the field path. Connection errors, timeouts, 5xx answers, a refused token (401) and the
service's size limits (413 ``payload_too_large`` and ``too_many_pairs``) become DependencyUnavailable,
which lets the fallback chain move on. With a token (``SKILLBRIDGE_MATCHER_TOKEN``, the service's
``MATCHER_TOKEN``) every call carries ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from skillbridge.adapters.matching.conversions import (
    assignment_result,
    learner_dict,
    mentor_dict,
    recommendations,
    weights_dict,
)
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.domain.errors import DependencyUnavailable
from skillbridge.domain.matching.scoring import (
    Algorithm,
    AssignmentResult,
    InvalidMatchingInput,
    LearnerProfile,
    MentorProfile,
    Recommendation,
    Weights,
    validate_problem,
    validate_top_k,
)
from skillbridge.domain.texts import N_

#: Error codes of the service that are its own limits, not faults of the input.
_SERVICE_LIMITS = frozenset({"payload_too_large", "too_many_pairs"})


class RemoteMatchingEngine(MatchingEngine):
    """Client of the matcher-rs HTTP service.

    Args:
        client: an ``httpx.AsyncClient`` whose ``base_url`` is the service (see :meth:`connect`); the engine
            closes it in :meth:`aclose`.
    """

    name = "remote"

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    @classmethod
    def connect(
        cls,
        base_url: str,
        *,
        timeout_seconds: float = 2.0,
        connect_timeout_seconds: float | None = None,
        token: str | None = None,
    ) -> RemoteMatchingEngine:
        """An engine with its own client: ``timeout_seconds`` to read, ``connect_timeout_seconds`` (default
        ``min(1, timeout_seconds)``) to connect, and the service's bearer ``token`` when it has one."""
        connect = connect_timeout_seconds if connect_timeout_seconds is not None else min(1.0, timeout_seconds)
        timeout = httpx.Timeout(timeout_seconds, connect=connect)
        headers = {"Authorization": f"Bearer {token}"} if token else None
        return cls(httpx.AsyncClient(base_url=base_url, timeout=timeout, headers=headers))

    async def aclose(self) -> None:
        await self._client.aclose()

    async def assign(
        self,
        learners: Sequence[LearnerProfile],
        mentors: Sequence[MentorProfile],
        weights: Weights,
        *,
        algorithm: Algorithm = "optimal",
    ) -> AssignmentResult:
        validate_problem(learners, mentors, weights)
        body = {
            "learners": [learner_dict(learner) for learner in learners],
            "mentors": [mentor_dict(mentor) for mentor in mentors],
            "weights": weights_dict(weights),
            "algorithm": algorithm,
        }
        raw = await self.post_json("/match", body)
        try:
            return assignment_result(raw, algorithm, self.name)
        except (KeyError, TypeError, ValueError) as exc:
            raise DependencyUnavailable(N_("the matcher service sent a malformed /match answer")) from exc

    async def recommend(
        self, learner: LearnerProfile, mentors: Sequence[MentorProfile], k: int, weights: Weights
    ) -> list[Recommendation]:
        validate_top_k(learner, mentors, k, weights)
        body = {
            "learner": learner_dict(learner),
            "mentors": [mentor_dict(mentor) for mentor in mentors],
            "k": k,
            "weights": weights_dict(weights),
        }
        raw = await self.post_json("/recommend", body)
        try:
            return recommendations(raw["recommendations"])
        except (KeyError, TypeError, ValueError) as exc:
            raise DependencyUnavailable(N_("the matcher service sent a malformed /recommend answer")) from exc

    async def post_json(self, path: str, body: dict[str, Any]) -> Any:
        """POST ``body`` to the service; the decoded JSON answer, or the mapped error."""
        try:
            response = await self._client.post(path, json=body)
        except httpx.TimeoutException as exc:
            raise DependencyUnavailable(
                N_("the matcher service did not answer {path} in time"), params={"path": path}
            ) from exc
        except httpx.HTTPError as exc:
            raise DependencyUnavailable(
                N_("the matcher service is unreachable ({error})"), params={"error": type(exc).__name__}
            ) from exc
        if response.status_code >= 500:
            raise DependencyUnavailable(
                N_("the matcher service failed with HTTP {status_code}"), params={"status_code": response.status_code}
            )
        try:
            payload = response.json()
        except ValueError as exc:
            raise DependencyUnavailable(N_("the matcher service sent a body that is not JSON")) from exc
        if response.is_success:
            return payload
        error = payload.get("error", {}) if isinstance(payload, dict) else {}
        if response.status_code == 413 or error.get("code") in _SERVICE_LIMITS:
            # The request is valid but bigger than this service accepts: another engine may take it.
            raise DependencyUnavailable(
                N_("the matcher service refused {path}: {code}"),
                params={"path": path, "code": str(error.get("code", "too large"))},
            )
        if response.status_code in (400, 422):
            raise InvalidMatchingInput(
                str(error.get("message", "invalid matching input")),
                field=str(error.get("field") or ""),
                reason=str(error.get("code", "invalid_request")),
            )
        raise DependencyUnavailable(
            N_("the matcher service refused {path} with HTTP {status_code}"),
            params={"path": path, "status_code": response.status_code},
        )
