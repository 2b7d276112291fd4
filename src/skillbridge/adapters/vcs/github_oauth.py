"""GitHub's OAuth web flow over httpx: the authorization URL, the code exchange (with PKCE), and the user.

httpx-oauth's ``GitHubOAuth2`` hard-codes github.com and api.github.com, so it could not talk to GitHub
Enterprise or a local test server; this adapter takes both base URLs from settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from skillbridge.application.ports.github_identity import GithubIdentity, GithubIdentityProvider
from skillbridge.domain.errors import DependencyUnavailable, Unauthenticated
from skillbridge.domain.texts import N_

#: What signing in needs, and nothing more: the profile and the email addresses.
SCOPES = ("read:user", "user:email")
_ACCEPT = {"Accept": "application/json"}
_API_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


@dataclass(frozen=True, slots=True)
class GithubOAuthOptions:
    """The OAuth app (``SKILLBRIDGE_GITHUB_CLIENT_ID`` / ``_SECRET``), where GitHub is
    (``SKILLBRIDGE_GITHUB_OAUTH_URL``, ``SKILLBRIDGE_GITHUB_API_URL``), and the callback URL registered with
    the app (``SKILLBRIDGE_GITHUB_OAUTH_REDIRECT_URI``; GitHub uses the registered one when unset)."""

    client_id: str | None = None
    client_secret: str | None = None
    oauth_url: str = "https://github.com"
    api_url: str = "https://api.github.com"
    redirect_uri: str | None = None
    timeout_seconds: float = 10.0


class HttpxGithubIdentityProvider(GithubIdentityProvider):
    """:class:`GithubIdentityProvider` with httpx. Close it (``aclose``) when the app stops."""

    def __init__(self, options: GithubOAuthOptions, client: httpx.AsyncClient | None = None) -> None:
        self._options = options
        self._client = client or httpx.AsyncClient(timeout=options.timeout_seconds)

    @property
    def configured(self) -> bool:
        return bool(self._options.client_id and self._options.client_secret)

    def authorization_url(self, state: str, code_challenge: str) -> str:
        query: dict[str, str] = {
            "client_id": self._options.client_id or "",
            "scope": " ".join(SCOPES),
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
            "allow_signup": "true",
        }
        if self._options.redirect_uri:
            query["redirect_uri"] = self._options.redirect_uri
        return f"{self._options.oauth_url.rstrip('/')}/login/oauth/authorize?{urlencode(query)}"

    async def identify(self, code: str, code_verifier: str) -> GithubIdentity:
        token = await self._exchange(code, code_verifier)
        headers = {**_API_HEADERS, "Authorization": f"Bearer {token}"}
        user = await self._get("/user", headers)
        if not isinstance(user, dict) or not isinstance(user.get("id"), int) or not user.get("login"):
            raise DependencyUnavailable(N_("GitHub sent a user without an id"))
        emails = await self._get("/user/emails", headers)
        verified = next(
            (
                item.get("email")
                for item in (emails if isinstance(emails, list) else [])
                if isinstance(item, dict) and item.get("primary") and item.get("verified")
            ),
            None,
        )
        return GithubIdentity(
            github_id=user["id"],
            login=str(user["login"]),
            name=user.get("name") if isinstance(user.get("name"), str) else None,
            verified_email=verified if isinstance(verified, str) else None,
        )

    async def _exchange(self, code: str, code_verifier: str) -> str:
        form = {
            "client_id": self._options.client_id or "",
            "client_secret": self._options.client_secret or "",
            "code": code,
            "code_verifier": code_verifier,
        }
        if self._options.redirect_uri:
            form["redirect_uri"] = self._options.redirect_uri
        url = f"{self._options.oauth_url.rstrip('/')}/login/oauth/access_token"
        try:
            response = await self._client.post(url, data=form, headers=_ACCEPT)
        except httpx.HTTPError as error:
            raise DependencyUnavailable(N_("GitHub cannot be reached")) from error
        body = self._json(response)
        # GitHub answers a refused code with 200 and an "error" field.
        token = body.get("access_token") if isinstance(body, dict) else None
        if response.status_code >= 500:
            raise DependencyUnavailable(
                N_("GitHub answered {status_code}"), params={"status_code": response.status_code}
            )
        if not isinstance(token, str) or not token:
            raise Unauthenticated(N_("GitHub refused the login code (expired, used or not matching)"))
        return token

    async def _get(self, path: str, headers: dict[str, str]) -> Any:
        try:
            response = await self._client.get(f"{self._options.api_url.rstrip('/')}{path}", headers=headers)
        except httpx.HTTPError as error:
            raise DependencyUnavailable(N_("GitHub cannot be reached")) from error
        if response.status_code == 401:
            raise Unauthenticated(N_("GitHub refused the access token"))
        if response.status_code != 200:
            raise DependencyUnavailable(
                N_("GitHub answered {status_code}"), params={"status_code": response.status_code}
            )
        return self._json(response)

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as error:
            raise DependencyUnavailable(N_("GitHub sent something other than JSON")) from error

    async def aclose(self) -> None:
        await self._client.aclose()
