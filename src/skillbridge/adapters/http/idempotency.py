"""Safe retries: ``Idempotency-Key`` on every POST, and on every PATCH not guarded by ``If-Match``.

A client on a flaky network cannot tell a lost request from a lost response. When it sends the same
``Idempotency-Key`` again, :class:`IdempotencyMiddleware` makes sure the request took effect once:

- the same key with the same request (method, path, query and body) within the key's lifetime (24 h)
  gets the stored response again: status, body, ``Location``, ``ETag``, marked ``Idempotent-Replayed: true``;
- the same key with another request: 422 naming ``Idempotency-Key``;
- the same key while the first request still runs: 409 with ``Retry-After`` (retry, and get the replay).

Keys are per signed-in user (the replay needs a valid token of the same user, since admission runs
first), so one user's key never meets another's. Anonymous requests (register, login, password reset)
are not covered: the header is ignored there, because their answers carry tokens, which are never kept, and
keying by client address would mix the people behind one carrier-grade NAT.

Only answers that a retry would get again are stored: 2xx and the 4xx that depend on the request alone
(400, 404, 405, 410, 413, 415, 422). A 5xx, a 503, a 409 or a 429 frees the key, so the retry runs anew;
so does an answer marked ``Cache-Control: no-store`` (it carries a token). An answer larger than
``max_response_bytes`` is not kept either, but its key is: a retry then gets 409 saying the request was done
(with its ``Location``), never a second run.

The claim is one atomic ``put_new`` on the :class:`KeyValueStore` (Redis ``SET NX``): of two requests racing
with one key, exactly one runs. The claim lasts ``lease_seconds``; a process that dies mid-request leaves
the key claimed until then (the client gets 409 meanwhile, never a double run).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
from dataclasses import dataclass
from typing import Any, cast

import brotli
import msgspec
import structlog
from dishka import AsyncContainer
from litestar import Request
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from skillbridge.adapters.http.admission_state import admission_of
from skillbridge.adapters.http.problems import domain_error_handler
from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.domain.errors import Conflict, DependencyUnavailable, DomainError, InvalidInput
from skillbridge.domain.texts import N_

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
#: The longest key accepted (a UUID is 36 characters; the IETF draft suggests UUIDs).
MAX_KEY_LENGTH = 255
#: What a key is made of: visible ASCII characters (the OpenAPI document states it as this pattern).
KEY_PATTERN = "^[!-~]+$"
#: 4xx answers that the same request would get again, so a retry may be answered from the store.
DETERMINISTIC_4XX = frozenset({400, 404, 405, 410, 413, 415, 422})
#: Response headers kept with a stored answer (the rest describe the moment: rate limits, dates, traces).
_KEPT_HEADERS = frozenset(
    {
        b"content-type",
        b"content-encoding",
        b"content-language",
        b"location",
        b"etag",
        b"last-modified",
        b"link",
        b"vary",
    }
)
#: The methods that take a key (a PATCH only without If-Match, checked per request).
IDEMPOTENT_METHODS = frozenset({"POST", "PATCH"})
_KEY_PREFIX = "idempotency:"
_IN_FLIGHT_RETRY_AFTER = "1"
_log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class IdempotencyPolicy:
    """How long keys live and how much of an answer is kept."""

    ttl_seconds: int = 86_400
    lease_seconds: int = 300
    max_response_bytes: int = 262_144
    max_request_bytes: int = 1_048_576


class _Running(msgspec.Struct, tag="running"):
    fingerprint: str


class _Done(msgspec.Struct, tag="done"):
    fingerprint: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class _Oversized(msgspec.Struct, tag="oversized"):
    fingerprint: str
    status: int
    location: bytes | None
    size: int


_Record = _Running | _Done | _Oversized
_decode = msgspec.json.Decoder(_Record).decode
_encode = msgspec.json.Encoder().encode


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


def _valid_key(raw: bytes) -> str:
    """The key as text; InvalidInput (422 naming the header) unless it is 1-255 visible ASCII characters."""
    if not 1 <= len(raw) <= MAX_KEY_LENGTH or any(not 0x21 <= byte <= 0x7E for byte in raw):
        raise InvalidInput(
            N_("{header} must be 1 to {max_key_length} visible ASCII characters (a UUID, say)"),
            field=HEADER,
            params={"header": HEADER, "max_key_length": MAX_KEY_LENGTH},
        )
    return raw.decode("ascii")


def _fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    http = cast(dict[str, Any], scope)
    for part in (http["method"].encode(), http.get("raw_path") or http["path"].encode(), http["query_string"]):
        digest.update(len(part).to_bytes(8, "big") + part)
    digest.update(body)
    return digest.hexdigest()


async def _read_body(receive: Receive, limit: int) -> tuple[list[ReceiveMessage], bool]:
    """The request's body messages, read until the end or until more than ``limit`` bytes; whether it ended."""
    messages: list[ReceiveMessage] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, False  # a disconnect: let the application see it
        size += len(message.get("body", b""))
        if size > limit:
            return messages, False
        if not message.get("more_body", False):
            return messages, True


def _replaying(messages: list[ReceiveMessage], receive: Receive) -> Receive:
    """``receive`` that first gives back ``messages`` (read already), then whatever comes next."""
    pending = list(messages)

    async def replay() -> ReceiveMessage:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


class IdempotencyMiddleware(ASGIMiddleware):
    """Answer retried POSTs and PATCHes from the store (see the module docs). Runs after admission."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, policy: IdempotencyPolicy) -> None:
        self._policy = policy

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        method = cast(dict[str, Any], scope)["method"]
        raw_key = _header(scope, b"idempotency-key") if method in IDEMPOTENT_METHODS else None
        if (
            raw_key is None
            or (method == "PATCH" and _header(scope, b"if-match") is not None)  # a version guards it
            or (principal := _caller_id(scope)) is None  # anonymous: not covered (see the module docs)
        ):
            await next_app(scope, receive, send)
            return
        try:
            key = _valid_key(raw_key)
        except DomainError as refusal:
            await _refuse(scope, receive, send, refusal)
            return
        messages, complete = await _read_body(receive, self._policy.max_request_bytes)
        receive = _replaying(messages, receive)
        if not complete:  # too large (Litestar answers 413) or the client left: nothing to keep
            await next_app(scope, receive, send)
            return
        body = b"".join(cast(bytes, message.get("body", b"")) for message in messages)
        container: AsyncContainer = scope["state"]["dishka_container"]
        store = await container.get(KeyValueStore)
        record_key = _KEY_PREFIX + principal + ":" + hashlib.sha256(key.encode()).hexdigest()
        fingerprint = _fingerprint(scope, body)
        try:
            earlier = await self._claim(store, record_key, fingerprint)
        except DomainError as refusal:
            await _refuse(scope, receive, send, refusal)
            return
        if earlier is not None:
            await _answer_again(scope, receive, send, earlier)
            return
        await _Recording(store, record_key, fingerprint, self._policy).run(scope, receive, send, next_app)

    async def _claim(self, store: KeyValueStore, record_key: str, fingerprint: str) -> _Done | _Oversized | None:
        """Claim the key for this request (``None``), or return the finished answer it had.

        Raises:
            Conflict: the request that claimed it still runs.
            InvalidInput: the key was used with another request.
        """
        running = _encode(_Running(fingerprint)).decode()
        for _ in range(2):  # a record may expire between the failed claim and the read: claim once more
            if await store.put_new(record_key, running, self._policy.lease_seconds):
                return None
            stored = await store.get(record_key)
            if stored is None:
                continue
            record = _decode(stored)
            if record.fingerprint != fingerprint:
                raise InvalidInput(
                    N_("this {header} was used with another request; use a new key"),
                    field=HEADER,
                    params={"header": HEADER},
                )
            if isinstance(record, _Running):
                raise Conflict(
                    N_("the request with this {header} is still being processed; retry shortly"),
                    params={"header": HEADER},
                )
            return cast(_Done | _Oversized, record)
        raise Conflict(
            N_("the request with this {header} is still being processed; retry shortly"), params={"header": HEADER}
        )


def _caller_id(scope: Scope) -> str | None:
    """The signed-in caller's user id as text, or ``None`` for an anonymous request."""
    principal = admission_of(Request(scope)).principal
    return None if principal is None else str(principal.user_id)


async def _refuse(scope: Scope, receive: Receive, send: Send, refusal: DomainError) -> None:
    request: Request[Any, Any, Any] = Request(scope, receive)
    response = domain_error_handler(request, refusal)
    if isinstance(refusal, Conflict):
        response.headers["Retry-After"] = _IN_FLIGHT_RETRY_AFTER
    await response.to_asgi_response(app=None, request=request)(scope, receive, send)


async def _answer_again(scope: Scope, receive: Receive, send: Send, record: _Done | _Oversized) -> None:
    if isinstance(record, _Oversized):
        refusal = Conflict(
            N_(
                "the request with this {header} was done (status {status}); its answer of {size} bytes was too "
                "large to keep: read the result instead"
            ),
            params={"header": HEADER, "status": record.status, "size": record.size},
        )
        request: Request[Any, Any, Any] = Request(scope, receive)
        response = domain_error_handler(request, refusal)
        if record.location is not None:
            response.headers["Location"] = record.location.decode("latin-1")
        response.headers[REPLAYED_HEADER] = "true"
        await response.to_asgi_response(app=None, request=request)(scope, receive, send)
        return
    headers, body = _decoded_unless_accepted(record.headers, record.body, _header(scope, b"accept-encoding") or b"")
    headers = [
        *headers,
        (b"content-length", str(len(body)).encode()),
        (REPLAYED_HEADER.lower().encode(), b"true"),
    ]
    await send({"type": "http.response.start", "status": record.status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _decoded_unless_accepted(
    headers: list[tuple[bytes, bytes]], body: bytes, accepted: bytes
) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The stored answer as this retry accepts it: it was compressed for the first request's
    ``Accept-Encoding``; a retry that does not accept that encoding gets it decompressed."""
    encoding = next((value.strip().lower() for name, value in headers if name == b"content-encoding"), None)
    if encoding is None:
        return headers, body
    tokens = {part.split(b";")[0].strip().lower() for part in accepted.split(b",")}
    if encoding in tokens or b"*" in tokens:
        return headers, body
    plain = brotli.decompress(body) if encoding == b"br" else gzip.decompress(body)
    return [(name, value) for name, value in headers if name != b"content-encoding"], plain


class _Recording:
    """One run of a claimed request: its answer is kept (or the claim freed) before its last byte is sent."""

    def __init__(self, store: KeyValueStore, record_key: str, fingerprint: str, policy: IdempotencyPolicy) -> None:
        self._store = store
        self._record_key = record_key
        self._fingerprint = fingerprint
        self._policy = policy
        self._status = 0
        self._headers: list[tuple[bytes, bytes]] = []
        self._keep = False
        self._body: list[bytes] = []
        self._size = 0
        self._settled = False

    async def run(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._started(message)
            elif message["type"] == "http.response.body" and not self._settled:
                chunk = message.get("body", b"")
                self._size += len(chunk)
                if self._keep and self._size <= self._policy.max_response_bytes:
                    self._body.append(chunk)
                if not message.get("more_body", False):
                    await self._settle()
            await send(message)

        try:
            await next_app(scope, receive, recording_send)
        finally:
            if not self._settled:  # the application raised, or the response never finished: free the key
                self._settled = True
                await self._free()

    def _started(self, message: Message) -> None:
        start = cast(dict[str, Any], message)
        self._status = int(start["status"])
        raw_headers = [(bytes(name).lower(), bytes(value)) for name, value in start.get("headers", ())]
        no_store = any(name == b"cache-control" and b"no-store" in value.lower() for name, value in raw_headers)
        self._keep = (200 <= self._status < 300 or self._status in DETERMINISTIC_4XX) and not no_store
        self._headers = [(name, value) for name, value in raw_headers if name in _KEPT_HEADERS]

    async def _settle(self) -> None:
        self._settled = True
        if not self._keep:
            await self._free()
            return
        record: _Done | _Oversized
        if self._size <= self._policy.max_response_bytes:
            record = _Done(self._fingerprint, self._status, self._headers, b"".join(self._body))
        else:
            location = next((value for name, value in self._headers if name == b"location"), None)
            record = _Oversized(self._fingerprint, self._status, location, self._size)
        try:
            await self._store.put(self._record_key, _encode(record).decode(), self._policy.ttl_seconds)
        except DependencyUnavailable:
            # The answer is sent all the same; a retry meets the claim (409) until its lease runs out.
            _log.warning("idempotent_answer_not_kept", status=self._status)

    async def _free(self) -> None:
        """Give the key up, so that a retry runs anew (best effort: without the store, the lease ends it)."""
        with contextlib.suppress(DependencyUnavailable):
            await self._store.delete(self._record_key)
