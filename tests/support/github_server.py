"""A local HTTP server speaking GitHub's REST API and OAuth wire format, for PyGithub and the login flow.

The real PyGithub and httpx talk to it over real HTTP (``base_url=server.url``): nothing is patched. It serves
``GET /repos/{o}/{r}``, ``GET /repos/{o}/{r}/commits`` (``author``, ``per_page``), ``GET /user``,
``GET /user/emails`` and ``POST /login/oauth/access_token`` (checking the PKCE S256 verifier), and answers
every API call with a scripted rate-limit response while ``rate_limited`` is set. ``requests`` records what
it received.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

CLIENT_ID = "Iv1.fakeclientid"
CLIENT_SECRET = "fake-client-secret"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class RateLimit:
    """A scripted rate-limit answer: GitHub's primary limit (403, remaining 0, a reset time) or secondary (429
    with Retry-After)."""

    status: int = 403
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "API rate limit exceeded for 127.0.0.1."


@dataclass
class FakeGithub:
    server: ThreadingHTTPServer
    repos: dict[str, dict[str, Any]] = field(default_factory=dict)
    commits: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # by access token
    emails: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by access token
    codes: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (challenge, token)
    rate_limited: RateLimit | None = None
    requests: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    # -------------------------------------------------------------------------------- scripting

    def add_repo(
        self,
        full_name: str,
        *,
        private: bool = False,
        commits: list[dict[str, Any]] | None = None,
        owner_id: int | None = None,
    ) -> None:
        owner, name = full_name.split("/")
        owner_id = owner_id if owner_id is not None else abs(hash(owner)) % 10**7
        self.repos[full_name.lower()] = {
            "id": abs(hash(full_name)) % 10**8,
            "node_id": "R_kgDOtest",
            "name": name,
            "full_name": full_name,
            "private": private,
            "owner": {"login": owner, "id": owner_id, "type": "User", "site_admin": False},
            "html_url": f"https://github.com/{full_name}",
            "url": f"{self.url}/repos/{full_name}",
            "description": None,
            "fork": False,
            "default_branch": "main",
            "visibility": "private" if private else "public",
        }
        self.commits[full_name.lower()] = list(commits or [])

    def add_user(
        self, token: str, github_id: int, login: str, *, name: str | None = None, emails: list[dict[str, Any]] = ()
    ) -> None:
        self.users[token] = {"id": github_id, "login": login, "name": name, "email": None, "type": "User"}
        self.emails[token] = list(emails)

    def approve(self, authorization_url: str, token: str) -> tuple[str, str]:
        """Play the user approving the app at ``authorization_url``: return ``(code, state)`` for the callback."""
        query = parse_qs(urlsplit(authorization_url).query)
        assert query["client_id"] == [CLIENT_ID]
        assert query["code_challenge_method"] == ["S256"]
        code = uuid4().hex
        self.codes[code] = (query["code_challenge"][0], token)
        return code, query["state"][0]

    # -------------------------------------------------------------------------------- answering

    def answer(self, recorded: Recorded) -> tuple[int, Any, dict[str, str]]:
        with self.lock:
            self.requests.append(recorded)
        path = recorded.path.rstrip("/")
        if recorded.method == "POST" and path == "/login/oauth/access_token":
            return self._token(recorded)
        if self.rate_limited is not None:
            limit = self.rate_limited
            body = {"message": limit.message, "documentation_url": "https://docs.github.com/rest/rate-limit"}
            return limit.status, body, limit.headers
        parts = path.strip("/").split("/")
        if parts[:1] == ["repos"] and len(parts) in (3, 4):
            key = f"{parts[1]}/{parts[2]}".lower()
            if key not in self.repos:
                return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, {}
            if len(parts) == 3:
                return 200, self.repos[key], {}
            if parts[3] == "commits":
                return self._commits(key, recorded.query)
        if parts in (["user"], ["user", "emails"]):
            token = recorded.headers.get("authorization", "").removeprefix("Bearer ").removeprefix("token ")
            if token not in self.users:
                return 401, {"message": "Bad credentials"}, {}
            return 200, self.users[token] if parts == ["user"] else self.emails[token], {}
        return 404, {"message": "Not Found"}, {}

    def _commits(self, key: str, query: dict[str, list[str]]) -> tuple[int, Any, dict[str, str]]:
        commits = self.commits[key]
        if not commits:
            return 409, {"message": "Git Repository is empty."}, {}
        author = query.get("author", [None])[0]
        if author:
            commits = [c for c in commits if (c.get("author") or {}).get("login", "").lower() == author.lower()]
        per_page = int(query.get("per_page", ["30"])[0])
        return 200, commits[:per_page], {}

    def _token(self, recorded: Recorded) -> tuple[int, Any, dict[str, str]]:
        form = {key: values[0] for key, values in parse_qs(recorded.body.decode()).items()}
        refused = {"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired."}
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return 200, {"error": "incorrect_client_credentials"}, {}
        entry = self.codes.pop(form.get("code", ""), None)
        if entry is None:
            return 200, refused, {}
        challenge, token = entry
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != challenge:
            return 200, refused, {}
        return 200, {"access_token": token, "token_type": "bearer", "scope": "read:user,user:email"}, {}


def api_commit(
    sha: str,
    message: str,
    *,
    login: str | None,
    name: str = "Test Author",
    date: datetime,
    base: str = "",
    author_id: int | None = None,
) -> dict[str, Any]:
    """One item of ``GET /repos/{o}/{r}/commits`` as GitHub sends it (``author_id``: the id of the account
    GitHub attributes it to, by default one derived from ``login``)."""
    stamp = date.strftime("%Y-%m-%dT%H:%M:%SZ")
    person = {"name": name, "email": f"{(login or 'someone')}@users.noreply.github.com", "date": stamp}
    account_id = author_id if author_id is not None else abs(hash(login)) % 10**7
    account = None if login is None else {"login": login, "id": account_id, "type": "User"}
    return {
        "sha": sha,
        "node_id": "C_test",
        "commit": {
            "author": person,
            "committer": person,
            "message": message,
            "tree": {"sha": "0" * 40, "url": f"{base}/tree"},
            "url": f"{base}/git/commits/{sha}",
            "comment_count": 0,
        },
        "url": f"{base}/commits/{sha}",
        "html_url": f"https://github.com/example/commit/{sha}",
        "author": account,
        "committer": account,
        "parents": [],
    }


def _handler(fake: FakeGithub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length", "0"))
            recorded = Recorded(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            status, body, headers = fake.answer(recorded)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json; charset=utf-8")
            self.send_header("content-length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = _serve  # noqa: N815 - the names BaseHTTPRequestHandler looks for
        do_POST = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def fake_github() -> Iterator[FakeGithub]:
    """Start the server on a free local port in a thread; stop it afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server.daemon_threads = True
    fake = FakeGithub(server)
    server.RequestHandlerClass = _handler(fake)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
