"""GithubEventDecoder port: a webhook body (already verified) to the event progress needs."""

from __future__ import annotations

from typing import Protocol

from skillbridge.domain.vcs.webhooks import GithubEvent


class GithubEventDecoder(Protocol):
    """Reads GitHub webhook payloads."""

    def decode(self, event: str, body: bytes) -> GithubEvent:
        """The event of type ``event`` (the ``X-GitHub-Event`` header) that ``body`` holds: a Push, a Ping, or
        Ignored for every other event and action.

        Raises:
            InvalidInput: the body is not JSON, or not the documented shape of that event.
        """
        ...
