"""GithubIdentityProvider port: GitHub's OAuth web flow, as far as signing in needs it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class GithubIdentity:
    """Who signed in on GitHub: the numeric id (the only stable key), the login, and the primary email
    when GitHub says it is verified (``None`` otherwise)."""

    github_id: int
    login: str
    name: str | None = None
    verified_email: str | None = None


class GithubIdentityProvider(Protocol):
    """The OAuth 2.0 authorization-code flow with PKCE (S256) against GitHub."""

    @property
    def configured(self) -> bool:
        """Whether a client id and secret are set (without them GitHub login is off)."""
        ...

    def authorization_url(self, state: str, code_challenge: str) -> str:
        """The URL to send the user to, asking for the scopes ``read:user`` and ``user:email`` only."""
        ...

    async def identify(self, code: str, code_verifier: str) -> GithubIdentity:
        """Exchange the callback's ``code`` (with the PKCE verifier) and read the user.

        Raises:
            Unauthenticated: GitHub refused the code (expired, used, or the verifier does not match).
            DependencyUnavailable: GitHub cannot be reached.
        """
        ...
