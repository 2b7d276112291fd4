"""Simulated users for the concurrent-users scenario: each holds one notification WebSocket for the whole
run and, with think time, reads and writes through the HTTP API. Latencies, errors, dropped streams and
the delivery of every chat notification (exactly once, to the right person) are recorded."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import aiohttp

#: Skills the learners look mentors up by (the common ones of the demo tracks).
SEARCH_SKILLS = ("python", "javascript", "sql", "react", "django", "flutter", "cloud", "figma")
ERROR_SAMPLES = 5


@dataclass(slots=True)
class SimUser:
    """One simulated person: a learner with a roadmap and a mentorship, or a mentor with mentees."""

    user_id: UUID
    role: str
    token: str = ""
    roadmap_ids: list[UUID] = field(default_factory=list)  # a learner's own; a mentor's mentees'
    matches: list[tuple[UUID, UUID]] = field(default_factory=list)  # (match id, the other participant)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of ``values`` (0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@dataclass(slots=True)
class Stats:
    """Per-route latencies (ms) and errors, with a few sample messages per kind of error."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    samples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def ok(self, route: str, ms: float) -> None:
        self.latencies[route].append(ms)

    def error(self, route: str, kind: str, detail: str) -> None:
        key = f"{route}: {kind}"
        self.errors[key] += 1
        if len(self.samples[key]) < ERROR_SAMPLES:
            self.samples[key].append(detail[:300])

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


@dataclass(slots=True)
class Deliveries:
    """Chat notifications: which were created (a 201 to the sender) and which each stream received."""

    expected: dict[str, UUID] = field(default_factory=dict)  # message id -> recipient
    received: Counter[tuple[str, UUID]] = field(default_factory=Counter)  # (message id, receiver)
    notification_ids: Counter[str] = field(default_factory=Counter)
    other_types: Counter[str] = field(default_factory=Counter)
    sent_at: dict[str, float] = field(default_factory=dict)  # message id -> when its 201 came
    first_seen_at: dict[str, float] = field(default_factory=dict)  # message id -> when a stream had it

    def expect(self, message_id: str, recipient: UUID) -> None:
        self.expected[message_id] = recipient
        self.sent_at[message_id] = time.monotonic()

    def receive(self, receiver: UUID, event: dict[str, Any]) -> None:
        self.notification_ids[str(event.get("id"))] += 1
        if event.get("type") != "chat_message":
            self.other_types[str(event.get("type"))] += 1
            return
        message_id = str(event.get("payload", {}).get("message_id"))
        self.received[(message_id, receiver)] += 1
        self.first_seen_at.setdefault(message_id, time.monotonic())

    def delays_ms(self) -> list[float]:
        """From the sender's 201 to the notification on the recipient's stream (0 when it came first)."""
        return [
            max(0.0, (self.first_seen_at[message] - sent) * 1000)
            for message, sent in self.sent_at.items()
            if message in self.first_seen_at
        ]

    def missing(self) -> int:
        return len(self.missing_messages())

    def missing_messages(self) -> list[tuple[str, UUID]]:
        """(message id, recipient) of every expected notification no stream of its recipient received."""
        return [(message, who) for message, who in self.expected.items() if self.received[(message, who)] == 0]

    def duplicated(self) -> int:
        per_message = sum(1 for count in self.received.values() if count > 1)
        return per_message + sum(1 for count in self.notification_ids.values() if count > 1)

    def delivered_once(self) -> int:
        return sum(1 for message, recipient in self.expected.items() if self.received[(message, recipient)] == 1)

    def unexpected(self) -> int:
        """Received chat notifications of no confirmed message, or at someone else than its recipient."""
        return sum(
            count for (message, receiver), count in self.received.items() if self.expected.get(message) != receiver
        )


@dataclass(slots=True)
class Streams:
    """The state of the held WebSockets."""

    opened: int = 0
    failed: int = 0
    dropped: int = 0
    drop_reasons: Counter[str] = field(default_factory=Counter)
    closing: bool = False


class Crowd:
    """Drives the simulated users against ``base_url``."""

    def __init__(self, base_url: str, users: list[SimUser], *, think: tuple[float, float], seed: int = 7) -> None:
        self.base_url = base_url
        self.ws_url = base_url.replace("http://", "ws://", 1) + "/api/v1/ws"
        self.users = users
        self.think = think
        self.rng = random.Random(seed)
        self.stats = Stats()
        self.deliveries = Deliveries()
        self.streams = Streams()
        self.stop = asyncio.Event()
        self._sockets: list[aiohttp.ClientWebSocketResponse] = []
        self._ws_session: aiohttp.ClientSession | None = None
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Crowd:
        timeout = aiohttp.ClientTimeout(total=60)
        # Sockets get a session without a connection limit (each holds its connection for the whole run).
        self._ws_session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout)
        self._http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1000), timeout=timeout)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.streams.closing = True
        await asyncio.gather(*(socket.close() for socket in self._sockets), return_exceptions=True)
        for session in (self._http, self._ws_session):
            if session is not None:
                await session.close()

    # ------------------------------------------------------------------------------------------ streams

    async def open_streams(self, rate: float, patience: float) -> float:
        """Open every user's stream, ``rate`` new ones a second; wait until all are open or failed (at most
        ``patience`` seconds after the last one was started). Returns the seconds it took."""
        started = time.monotonic()
        ready: list[asyncio.Event] = []
        for index, user in enumerate(self.users):
            await asyncio.sleep(max(0.0, started + index / rate - time.monotonic()))
            event = asyncio.Event()
            ready.append(event)
            asyncio.get_running_loop().create_task(self._hold(user, event))
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in ready)), patience)
        return time.monotonic() - started

    async def _hold(self, user: SimUser, ready: asyncio.Event) -> None:
        assert self._ws_session is not None  # noqa: S101 - set on entry
        route = "WS /ws (handshake)"
        start = time.perf_counter()
        try:
            socket = await self._ws_session.ws_connect(self.ws_url, params={"token": user.token}, heartbeat=None)
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.streams.failed += 1
            self.stats.error(route, type(exc).__name__, repr(exc))
            ready.set()
            return
        self.stats.ok(route, (time.perf_counter() - start) * 1000)
        self._sockets.append(socket)
        self.streams.opened += 1
        ready.set()
        async for message in socket:
            if message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                self.deliveries.receive(user.user_id, json.loads(message.data))
            elif message.type in (aiohttp.WSMsgType.ERROR, aiohttp.WSMsgType.CLOSE):
                break
        if not self.streams.closing:
            self.streams.dropped += 1
            self.streams.drop_reasons[f"close code {socket.close_code}"] += 1

    # ----------------------------------------------------------------------------------------- requests

    async def _request(self, route: str, method: str, path: str, user: SimUser, body: Any = None) -> Any:
        assert self._http is not None  # noqa: S101 - set on entry
        headers = {"Authorization": f"Bearer {user.token}", "Accept-Encoding": "gzip, br"}
        start = time.perf_counter()
        try:
            async with self._http.request(method, self.base_url + path, json=body, headers=headers) as response:
                data = await response.read()
                elapsed = (time.perf_counter() - start) * 1000
                if response.status >= 300:
                    self.stats.error(route, f"HTTP {response.status}", data.decode(errors="replace"))
                    return None
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.stats.error(route, type(exc).__name__, repr(exc))
            return None
        self.stats.ok(route, elapsed)
        return json.loads(data) if data else None

    async def _chat(self, user: SimUser) -> None:
        match_id, other = self.rng.choice(user.matches)
        body = {"content": f"Hello from {str(user.user_id)[:8]}: did the last exercise work for you?"}
        sent = await self._request("POST /matches/{id}/chat", "POST", f"/api/v1/matches/{match_id}/chat", user, body)
        if sent is not None:
            self.deliveries.expect(str(sent["id"]), other)

    def _reads(self, user: SimUser) -> list[tuple[int, Callable[[], Any]]]:
        """The GETs a user makes, with their weights: their roadmap (a mentor: a mentee's), notifications,
        the forum, and mentors (learners) or their matches (mentors)."""
        roadmap = self.rng.choice(user.roadmap_ids)
        reads: list[tuple[int, Callable[[], Any]]] = [
            (3, lambda: self._request("GET /roadmaps/{id}", "GET", f"/api/v1/roadmaps/{roadmap}", user)),
            (2, lambda: self._request("GET /notifications/my", "GET", "/api/v1/notifications/my", user)),
            (2, lambda: self._request("GET /forum/posts", "GET", "/api/v1/forum/posts", user)),
        ]
        if user.role == "learner":
            mentors = f"/api/v1/users/mentors?skills={self.rng.choice(SEARCH_SKILLS)}&limit=20"
            reads.append((1, lambda: self._request("GET /users/mentors?skills=..", "GET", mentors, user)))
        else:
            reads.append((1, lambda: self._request("GET /matches/my", "GET", "/api/v1/matches/my", user)))
        return reads

    def _writes(self, user: SimUser) -> list[tuple[int, Callable[[], Any]]]:
        """A chat message to the other participant of one of the user's mentorships; a learner also logs
        a study session."""
        writes: list[tuple[int, Callable[[], Any]]] = [(3, lambda: self._chat(user))]
        if user.role == "learner":
            roadmap = str(user.roadmap_ids[0])
            progress = {"roadmap_id": roadmap, "event_type": "study_session", "details": {"minutes": 30}}
            writes.append(
                (1, lambda: self._request("POST /progress/log", "POST", "/api/v1/progress/log", user, progress))
            )
        return writes

    async def _live(self, user: SimUser) -> None:
        low, high = self.think
        delay = self.rng.uniform(0, high)  # spread the first actions over one think time
        while not self.stop.is_set():
            try:
                await asyncio.wait_for(self.stop.wait(), timeout=delay)
                return
            except TimeoutError:
                pass
            actions = self._reads(user) + self._writes(user)
            action = self.rng.choices([a for _, a in actions], weights=[w for w, _ in actions])[0]
            await action()
            delay = self.rng.uniform(low, high)

    async def run(self, duration: float) -> None:
        """Every user acts for ``duration`` seconds; then the requests under way finish."""
        tasks = [asyncio.get_running_loop().create_task(self._live(user)) for user in self.users]
        await asyncio.sleep(duration)
        self.stop.set()
        await asyncio.gather(*tasks)

    async def warm_up(self, rounds: int) -> None:
        """Each read of the first ``rounds`` users once, so the workers are warm before the memory baseline."""
        for user in self.users[:rounds]:
            for _, action in self._reads(user):
                await action()

    async def settle_deliveries(self, patience: float, step: float = 0.2) -> float:
        """Wait until every expected notification arrived (or ``patience`` seconds); returns the seconds waited."""
        started = time.monotonic()
        for _ in range(int(patience / step)):
            if not self.deliveries.missing():
                break
            await asyncio.sleep(step)
        return time.monotonic() - started


async def loop_lag(stop: asyncio.Event, samples: list[float], interval: float = 0.1) -> None:
    """How late this event loop wakes up (ms): high values mean the client, not the server, was the limit."""
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(interval)
        samples.append((time.perf_counter() - start - interval) * 1000)
