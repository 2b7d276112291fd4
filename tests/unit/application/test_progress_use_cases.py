"""Progress and GitHub use cases on the in-memory adapters: webhook processing (once, retried, failed),
done tags and who may use them, repository checks, and GitHub login."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

from skillbridge.adapters.keyvalue.memory import MemoryKeyValueStore
from skillbridge.adapters.persistence.memory import MemoryDatabase, MemoryUnitOfWork
from skillbridge.adapters.sanitizing.nh3_sanitizer import Nh3HtmlSanitizer
from skillbridge.adapters.security.jwt_tokens import JwtTokenService
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.adapters.vcs.github_oauth import GithubOAuthOptions, HttpxGithubIdentityProvider
from skillbridge.adapters.vcs.memory_gateway import MemoryVcsGateway
from skillbridge.adapters.vcs.payloads import MsgspecGithubEventDecoder
from skillbridge.application.accounts.consents import TermsPolicy
from skillbridge.application.accounts.github_login import CompleteGithubLogin, GithubLoginConfig, StartGithubLogin
from skillbridge.application.accounts.policy import AuthPolicy
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.accounts.two_factor_codes import LoginChallenges, TwoFactorPolicy
from skillbridge.application.progress.commits import record_commits
from skillbridge.application.progress.linking import LinkBudget, LinkRepository
from skillbridge.application.progress.reporting import LogProgressEvent
from skillbridge.application.progress.webhook_guard import WebhookGuard
from skillbridge.application.progress.webhooks import (
    Outcome,
    ProcessGithubDelivery,
    ReceiveGithubDelivery,
    WebhookConfig,
)
from skillbridge.domain.accounts.profile import Profile
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import (
    BadRequest,
    Conflict,
    DependencyUnavailable,
    InvalidInput,
    TooManyAttempts,
    Unauthenticated,
)
from skillbridge.domain.pagination import PageRequest
from skillbridge.domain.vcs.model import Commit, RepositoryInfo
from skillbridge.domain.vcs.webhooks import DeliveryStatus, Ignored, Ping, Push, sign
from tests.support.entities import make_user
from tests.support.roadmaps import make_roadmap
from tests.support.terms import TERMS_VERSION

REPO = "amara-dev/python-exercises"
T0 = datetime(2026, 12, 1, 10, tzinfo=UTC)
AMARA_ID = 583231
ADDRESS = "192.0.2.10"
OTHER = "192.0.2.11"
KOFI_ID = 7001


def _commit(
    sha: str, message: str, login: str | None = "amara-dev", hours: int = 0, author_id: int | None = AMARA_ID
) -> Commit:
    url = f"https://github.com/{REPO}/commit/{sha}"
    return Commit(sha, message, url, T0 + timedelta(hours=hours), "A", login, author_id=author_id)


@dataclass
class World:
    db: MemoryDatabase
    clock: MutableClock

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.db)

    async def learner(self, repository: str | None = REPO, login: str | None = "amara-dev") -> tuple[Any, Any]:
        user = make_user(profile=Profile(display_name="Amara", github_username=login), github_id=AMARA_ID)
        roadmap = replace(make_roadmap(user.id), repository=repository)
        async with self.uow() as uow:
            await uow.users.add(user)
            await uow.roadmaps.add(roadmap)
            await uow.commit()
        return user, roadmap


@pytest.fixture
def world() -> World:
    return World(MemoryDatabase(), MutableClock(T0 + timedelta(days=1)))


class FlakyUnitOfWork(MemoryUnitOfWork):
    """Commits fail with Conflict the first ``failures`` times (another writer got in first)."""

    def __init__(self, db: MemoryDatabase, failures: int) -> None:
        super().__init__(db)
        self.failures = failures

    async def commit(self) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise Conflict("the roadmap was changed meanwhile")
        await super().commit()


async def _queue(world: World, push: Push, delivery: str = "d-1") -> None:
    body = b'{"ref": "refs/heads/main", "repository": {"full_name": "%s"}, "commits": []}' % REPO.encode()

    class Decoder(MsgspecGithubEventDecoder):
        def decode(self, event: str, body: bytes) -> Any:
            return push

    config = WebhookConfig("s3cret")
    receive = ReceiveGithubDelivery(
        world.uow(), Decoder(), config, WebhookGuard(MemoryKeyValueStore(), config), world.clock
    )
    receipt = await receive(delivery, "push", sign("s3cret", body), body, ADDRESS)
    assert receipt.outcome is Outcome.QUEUED


async def test_a_delivery_is_processed_once(world: World) -> None:
    _, roadmap = await world.learner()
    await _queue(world, Push(REPO, "refs/heads/main", "amara-dev", (_commit("a" * 40, "done: m1"),)))
    process = ProcessGithubDelivery(world.uow(), world.clock)
    assert await process("d-1") is True
    assert await process("d-1") is False
    async with world.uow() as uow:
        assert (await uow.webhook_deliveries.get("d-1")).status is DeliveryStatus.PROCESSED
        assert (await uow.progress_logs.list_for_roadmap(roadmap.id, PageRequest())).total == 2
        assert (await uow.roadmaps.get(roadmap.id)).modules[0].completed


async def test_a_conflicting_writer_makes_processing_try_again(world: World) -> None:
    await world.learner()
    await _queue(world, Push(REPO, "refs/heads/main", None, (_commit("a" * 40, "x"),)))
    assert await ProcessGithubDelivery(FlakyUnitOfWork(world.db, failures=2), world.clock)("d-1") is True


async def test_processing_that_keeps_failing_marks_the_delivery_failed(world: World) -> None:
    await world.learner()
    await _queue(world, Push(REPO, "refs/heads/main", None, (_commit("a" * 40, "x"),)))
    with pytest.raises(Conflict):
        await ProcessGithubDelivery(FlakyUnitOfWork(world.db, failures=3), world.clock)("d-1")
    async with world.uow() as uow:
        assert (await uow.webhook_deliveries.get("d-1")).status is DeliveryStatus.FAILED
    assert await ProcessGithubDelivery(world.uow(), world.clock)("d-1") is False


async def test_an_unexpected_error_marks_the_delivery_failed(world: World) -> None:
    await world.learner()
    await _queue(world, Push(REPO, "refs/heads/main", None, (_commit("a" * 40, "x"),)))
    async with world.uow() as uow:  # the stored payload is damaged
        delivery = await uow.webhook_deliveries.get("d-1")
    world.db.state.webhook_deliveries[("github", "d-1")] = replace(delivery, payload={})
    with pytest.raises(KeyError):
        await ProcessGithubDelivery(world.uow(), world.clock)("d-1")
    assert world.db.state.webhook_deliveries[("github", "d-1")].status is DeliveryStatus.FAILED


async def test_an_unavailable_database_leaves_the_delivery_queued_for_the_retry(world: World) -> None:
    await world.learner()
    await _queue(world, Push(REPO, "refs/heads/main", None, (_commit("a" * 40, "x"),)))

    class DatabaseAway(FlakyUnitOfWork):
        async def __aenter__(self) -> DatabaseAway:
            raise DependencyUnavailable("the database does not answer")

    with pytest.raises(DependencyUnavailable):
        await ProcessGithubDelivery(DatabaseAway(world.db, failures=0), world.clock)("d-1")
    assert world.db.state.webhook_deliveries[("github", "d-1")].status is DeliveryStatus.QUEUED
    assert await ProcessGithubDelivery(world.uow(), world.clock)("d-1") is True


def _receiver(world: World, config: WebhookConfig, store: MemoryKeyValueStore) -> ReceiveGithubDelivery:
    guard = WebhookGuard(store, config)
    return ReceiveGithubDelivery(world.uow(), MsgspecGithubEventDecoder(), config, guard, world.clock)


async def test_receiving_needs_a_secret_headers_and_commits(world: World) -> None:
    body = b"{}"
    with pytest.raises(Unauthenticated):
        await _receiver(world, WebhookConfig(None), MemoryKeyValueStore())("d", "ping", sign("", body), body, ADDRESS)
    receive = _receiver(world, WebhookConfig("s"), MemoryKeyValueStore())
    with pytest.raises(BadRequest) as raised:
        await receive("d", None, sign("s", body), body, ADDRESS)
    assert raised.value.field == "X-GitHub-Event"
    with pytest.raises(BadRequest):
        await receive("x" * 65, "push", sign("s", body), body, ADDRESS)
    empty = b'{"ref": "refs/heads/gone", "repository": {"full_name": "a/b"}, "commits": [], "deleted": true}'
    assert (await receive("d", "push", sign("s", empty), empty, ADDRESS)).outcome is Outcome.IGNORED


@pytest.mark.parametrize("header", [None, "", "sha1=" + "0" * 40, "sha256=" + "0" * 63, "sha256=" + "g" * 64])
async def test_the_guard_refuses_a_missing_or_malformed_signature_and_counts_it(header: str | None) -> None:
    store = MemoryKeyValueStore()
    guard = WebhookGuard(store, WebhookConfig("s", max_failures_per_address=2, failure_window_seconds=60))
    with pytest.raises(Unauthenticated):
        await guard.admit(header, ADDRESS)
    await guard.admit("sha256=" + "0" * 64, ADDRESS)  # well-formed: its body may be read (one failure so far)
    with pytest.raises(Unauthenticated):
        await guard.admit(header, ADDRESS)
    with pytest.raises(TooManyAttempts) as raised:  # two failures: even a well-formed one is refused now
        await guard.admit("sha256=" + "0" * 64, ADDRESS)
    assert raised.value.retry_after == 60
    await guard.admit("sha256=" + "0" * 64, "198.51.100.7")  # another address is not affected


async def test_a_signature_that_does_not_match_counts_against_the_address(world: World) -> None:
    store = MemoryKeyValueStore()
    config = WebhookConfig("s", max_failures_per_address=1, failure_window_seconds=30)
    body = b'{"zen": "hi"}'
    with pytest.raises(Unauthenticated):
        await _receiver(world, config, store)("d", "ping", sign("not-s", body), body, ADDRESS)
    with pytest.raises(TooManyAttempts):
        await WebhookGuard(store, config).admit(sign("s", body), ADDRESS)
    assert (await _receiver(world, config, store)("d", "ping", sign("s", body), body, OTHER)).outcome is Outcome.PONG


def test_the_decoder_reads_ping_push_and_ignores_the_rest() -> None:
    decoder = MsgspecGithubEventDecoder()
    assert decoder.decode("ping", b'{"zen": "Keep it simple.", "hook_id": 7}') == Ping(7, "Keep it simple.")
    assert decoder.decode("issues", b"not even json") == Ignored("issues")
    push = decoder.decode("push", b'{"ref": "r", "repository": {"full_name": "a/b"}}')
    assert isinstance(push, Push)
    assert push.commits == ()
    with pytest.raises(InvalidInput):
        decoder.decode("push", b"{")
    with pytest.raises(InvalidInput):
        decoder.decode("ping", b'{"hook_id": "seven"}')


def test_a_pushed_commit_gets_the_pushers_id_only_when_github_matched_its_author_to_the_pusher() -> None:
    def commit(username: str | None) -> dict[str, Any]:
        author = None if username is None else {"name": "A", "username": username}
        stamp = "2026-12-01T10:00:00Z"
        return {"id": uuid4().hex, "message": "done: m1", "timestamp": stamp, "url": "u", "author": author}

    payload: dict[str, Any] = {
        "ref": "r",
        "repository": {"full_name": "a/b"},
        "sender": {"login": "Amara-Dev", "id": 583231},
        "commits": [commit("amara-dev"), commit("kofi"), commit(None)],
    }
    push = MsgspecGithubEventDecoder().decode("push", json.dumps(payload).encode())
    assert isinstance(push, Push)
    assert [c.author_id for c in push.commits] == [583231, None, None]
    del payload["sender"]
    unsent = MsgspecGithubEventDecoder().decode("push", json.dumps(payload).encode())
    assert isinstance(unsent, Push)
    assert [c.author_id for c in unsent.commits] == [None, None, None]


async def test_commits_happen_when_the_server_learns_of_them_not_when_their_author_says(world: World) -> None:
    user, roadmap = await world.learner()
    backdated = Commit(
        "f" * 40, "old work", "u", datetime(2020, 1, 6, tzinfo=UTC), "A", "amara-dev", author_id=AMARA_ID
    )
    learned = T0 + timedelta(days=2)
    async with world.uow() as uow:
        await record_commits(uow, roadmap, user, REPO, [backdated], world.clock.now(), learned_at=learned)
        await uow.commit()
    async with world.uow() as uow:
        assert list(await uow.progress_logs.occurrence_times(roadmap.id)) == [learned]
        event = (await uow.progress_logs.list_for_roadmap(roadmap.id, PageRequest())).items[0]
    assert event.details["timestamp"] == "2020-01-06T00:00:00+00:00"  # the author's date, shown, not counted


async def test_only_the_learners_own_commits_complete_modules(world: World) -> None:
    user, roadmap = await world.learner()
    commits = [
        _commit("a" * 40, "done: m1", login="kofi", author_id=KOFI_ID),
        _commit("e" * 40, "done: m1", login="amara-dev", author_id=None),  # the name alone proves nothing
        _commit("b" * 40, "done: m2 done: m1", hours=1),
        _commit("b" * 40, "done: m2 done: m1", hours=1),  # the same commit twice in one batch
        _commit("c" * 40, "done: m2", hours=2),  # already done by the commit before
    ]
    async with world.uow() as uow:
        recorded = await record_commits(uow, roadmap, user, REPO, commits, world.clock.now(), learned_at=T0)
        await uow.commit()
    assert recorded.commits_logged == 4
    assert recorded.modules_completed == ("m2", "m1")
    async with world.uow() as uow:
        again = await record_commits(uow, recorded.roadmap, user, REPO, commits, world.clock.now(), learned_at=T0)
    assert (again.commits_logged, again.modules_completed) == (0, ())


async def test_linking_rules_with_the_in_memory_gateway(world: World) -> None:
    user, roadmap = await world.learner(repository=None)
    vcs = MemoryVcsGateway()
    vcs.add(RepositoryInfo("Amara-Dev/Python-Exercises", "amara-dev", False, "https://github.com/x", owner_id=AMARA_ID))
    vcs.add(
        RepositoryInfo("kofi/shared", "kofi", False, "https://github.com/y", owner_id=KOFI_ID),
        [_commit("d" * 40, "x", "kofi", author_id=KOFI_ID)],
    )
    link = LinkRepository(world.uow(), vcs, world.clock, MemoryKeyValueStore(), LinkBudget())
    principal = Principal(user.id, Role.LEARNER, email_verified=True)
    result = await link(principal, roadmap.id, " amara-dev/python-exercises ")
    assert result.roadmap.repository == "Amara-Dev/Python-Exercises"
    assert result.commits_logged == 0
    with pytest.raises(InvalidInput):
        await link(principal, roadmap.id, "kofi/shared")


def _provider(handler: Any, **options: Any) -> HttpxGithubIdentityProvider:
    settings = {
        "client_id": "id",
        "client_secret": "secret",
        "oauth_url": "https://gh.test",
        "api_url": "https://api.gh.test",
    }
    return HttpxGithubIdentityProvider(
        GithubOAuthOptions(**(settings | options)), httpx.AsyncClient(transport=httpx.MockTransport(handler))
    )


async def test_the_oauth_adapter_reports_githubs_failures() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route", request=request)

    with pytest.raises(DependencyUnavailable):
        await _provider(down).identify("code", "verifier")

    def answers(token: httpx.Response, user: httpx.Response) -> Any:
        def handle(request: httpx.Request) -> httpx.Response:
            return token if request.url.path.endswith("access_token") else user

        return handle

    token = httpx.Response(200, json={"access_token": "t"})
    for user, error in (
        (httpx.Response(401, json={"message": "Bad credentials"}), Unauthenticated),
        (httpx.Response(502, text="bad gateway"), DependencyUnavailable),
        (httpx.Response(200, text="<html>"), DependencyUnavailable),
        (httpx.Response(200, json={"login": "no-id"}), DependencyUnavailable),
    ):
        with pytest.raises(error):
            await _provider(answers(token, user)).identify("code", "verifier")
    with pytest.raises(DependencyUnavailable):
        await _provider(answers(httpx.Response(503, json={}), token)).identify("code", "verifier")
    provider = _provider(answers(token, token), redirect_uri="https://app.test/cb")
    assert "redirect_uri=https%3A%2F%2Fapp.test%2Fcb" in provider.authorization_url("s", "c")


async def test_github_login_is_off_without_a_client_and_disabled_accounts_stay_out(world: World) -> None:
    store = MemoryKeyValueStore()
    off = _provider(lambda request: httpx.Response(500), client_id=None)
    with pytest.raises(DependencyUnavailable):
        await StartGithubLogin(off, store, GithubLoginConfig(), TermsPolicy(TERMS_VERSION))()

    def github(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("access_token"):
            return httpx.Response(200, json={"access_token": "t"})
        if request.url.path == "/user":
            return httpx.Response(200, json={"id": 5, "login": "bad--name", "name": None})
        return httpx.Response(200, json=[])

    provider = _provider(github)
    disabled = make_user(github_id=5, is_active=False)
    async with world.uow() as uow:
        await uow.users.add(disabled)
        await uow.commit()
    started = await StartGithubLogin(provider, store, GithubLoginConfig(), TermsPolicy(TERMS_VERSION))()
    state = httpx.URL(started.authorization_url).params["state"]
    complete = CompleteGithubLogin(
        world.uow(),
        provider,
        store,
        JwtTokenService("k" * 32, access_ttl=timedelta(minutes=15)),
        world.clock,
        AuthPolicy(timedelta(days=1)),
        Nh3HtmlSanitizer(),
        LoginChallenges(store, TwoFactorPolicy()),
    )
    with pytest.raises(Unauthenticated):
        await complete(state, "code", started.browser_nonce)
    world.db.state.users.clear()
    started = await StartGithubLogin(provider, store, GithubLoginConfig(), TermsPolicy(TERMS_VERSION))()
    state = httpx.URL(started.authorization_url).params["state"]
    _, created = await complete(state, "code", started.browser_nonce)
    assert created
    user = next(iter(world.db.state.users.values()))
    assert user.profile.github_username is None  # not a valid GitHub name: not copied
    assert user.email == "5+bad--name@users.noreply.github.com"
    assert user.password_hash is None


async def test_use_cases_check_what_the_http_schema_also_checks(world: World) -> None:
    user, roadmap = await world.learner()
    principal = Principal(user.id, Role.LEARNER, email_verified=True)
    with pytest.raises(InvalidInput) as raised:
        await LogProgressEvent(world.uow(), world.clock)(principal, roadmap.id, "teleport", {})
    assert (raised.value.field, "note" in raised.value.allowed) == ("event_type", True)
    with pytest.raises(InvalidInput) as raised:
        await LinkRepository(world.uow(), MemoryVcsGateway(), world.clock, MemoryKeyValueStore(), LinkBudget())(
            principal, roadmap.id, "not a repo"
        )
    assert raised.value.field == "full_name"
