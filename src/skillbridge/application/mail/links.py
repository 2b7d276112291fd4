"""The links mail carries: where the web app that reads a token lives."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True, slots=True)
class MailLinks:
    """Links into the web app (``SKILLBRIDGE_EMAIL_LINK_BASE_URL``), each carrying a token in its query."""

    base_url: str = "http://127.0.0.1:8000"

    def password_reset(self, token: str) -> str:
        return self._link("reset-password", token)

    def email_verification(self, token: str) -> str:
        return self._link("verify-email", token)

    def notifications(self) -> str:
        return f"{self.base_url.rstrip('/')}/notifications"

    def unsubscribe(self, token: str) -> str:
        """The API's one-click unsubscribe URL (RFC 8058 posts to it): the base must reach the API."""
        return self._link("api/v1/notifications/unsubscribe", token)

    def _link(self, page: str, token: str) -> str:
        return f"{self.base_url.rstrip('/')}/{page}?token={quote(token, safe='')}"
