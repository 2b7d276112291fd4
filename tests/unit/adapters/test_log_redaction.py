"""Secrets never reach the logs: keys that name them, bearer headers, query-string tokens and JWTs."""

from __future__ import annotations

from typing import Any

from skillbridge.adapters.http.observability import REDACTED, redact_secrets

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlLWJ5dGVz"


def _logged(**event: Any) -> dict[str, Any]:
    return dict(redact_secrets(None, "info", dict(event)))


def test_the_websocket_handshake_line_loses_its_token() -> None:
    line = f'127.0.0.1:44790 - "WebSocket /api/v1/ws?token={JWT}&x=1" [accepted]'
    logged = _logged(event=line)["event"]
    assert JWT not in logged
    assert f"?token={REDACTED}&x=1" in logged


def test_a_jwt_anywhere_in_a_message_and_secret_keys_are_masked() -> None:
    logged = _logged(event=f"refused {JWT} for now", headers={"Authorization": "Bearer abc"}, password="hunter22")
    assert logged["event"] == f"refused {REDACTED} for now"
    assert logged["headers"] == {"Authorization": REDACTED}
    assert logged["password"] == REDACTED
    assert _logged(event="GET /api/v1/users/me 200")["event"] == "GET /api/v1/users/me 200"
