"""Accounts use cases on the in-memory adapters: the business rules without HTTP or a database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from skillbridge.adapters.keyvalue.memory import MemoryKeyValueStore
from skillbridge.adapters.persistence.memory import MemoryDatabase, MemoryUnitOfWork
from skillbridge.adapters.places.geonames import GeonamesPlaceDirectory
from skillbridge.adapters.sanitizing.nh3_sanitizer import Nh3HtmlSanitizer
from skillbridge.adapters.security.argon2_hasher import Argon2PasswordHasher
from skillbridge.adapters.security.jwt_tokens import JwtTokenService
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.accounts.administration import ChangeUserAccess, CreateAdmin, ListUsers
from skillbridge.application.accounts.authentication import AdmitRequest, Authenticate, PrincipalCache
from skillbridge.application.accounts.consents import TermsPolicy
from skillbridge.application.accounts.decoy import DecoyHash
from skillbridge.application.accounts.policy import AuthPolicy
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.accounts.profiles import GetMyAccount, UpdateMyProfile
from skillbridge.application.accounts.refresh_grace import RefreshGrace
from skillbridge.application.accounts.registration import RegisterUser, Registration
from skillbridge.application.accounts.revocations import AccessRevocations
from skillbridge.application.accounts.session_control import ListMySessions
from skillbridge.application.accounts.sessions import LogIn, LogOut, RefreshTokens
from skillbridge.application.accounts.throttle import LoginThrottle
from skillbridge.application.accounts.two_factor_codes import LoginChallenges, TwoFactorPolicy
from skillbridge.application.places import ResolvePlace
from skillbridge.domain.accounts.profile import ProfileInput
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.sessions import coarse_network
from skillbridge.domain.errors import Conflict, Forbidden, InvalidInput, TooManyAttempts, Unauthenticated
from skillbridge.domain.pagination import PageRequest
from tests.support.terms import TERMS_VERSION

PASSWORD = "kilimanjaro-sunrise-42"


@dataclass
class World:
    db: MemoryDatabase
    clock: MutableClock
    hasher: Argon2PasswordHasher
    tokens: JwtTokenService
    store: MemoryKeyValueStore
    policy: AuthPolicy
    cache: PrincipalCache
    decoy: DecoyHash = field(init=False)

    def __post_init__(self) -> None:
        self.decoy = DecoyHash(self.hasher)

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.db)

    def register(self) -> RegisterUser:
        return RegisterUser(
            self.uow(),
            self.hasher,
            self.clock,
            Nh3HtmlSanitizer(),
            ResolvePlace(GeonamesPlaceDirectory()),
            TermsPolicy(TERMS_VERSION),
        )

    def log_in(self) -> LogIn:
        throttle = LoginThrottle(self.store, self.policy)
        challenges = LoginChallenges(self.store, TwoFactorPolicy())
        return LogIn(self.uow(), self.hasher, self.tokens, throttle, self.decoy, self.clock, self.policy, challenges)

    def revocations(self) -> AccessRevocations:
        return AccessRevocations(self.store)

    def refresh(self) -> RefreshTokens:
        grace = RefreshGrace(self.store, self.policy.refresh_grace)
        return RefreshTokens(self.uow(), self.tokens, self.revocations(), grace, self.clock, self.policy)

    def change_access(self) -> ChangeUserAccess:
        return ChangeUserAccess(self.uow(), self.revocations(), self.clock)

    def authenticate(self) -> Authenticate:
        admit = AdmitRequest(self.uow(), self.tokens, self.store, self.revocations(), self.cache, self.clock)
        return Authenticate(admit)

    async def new_user(self, email: str, role: Role = Role.LEARNER) -> Principal:
        user = await self.register()(Registration(email, PASSWORD, role, ProfileInput(), TERMS_VERSION))
        return Principal(user.id, user.role, email_verified=True)


@pytest.fixture
def world() -> World:
    clock = MutableClock()
    return World(
        db=MemoryDatabase(),
        clock=clock,
        hasher=Argon2PasswordHasher(time_cost=1, memory_cost_kib=8, allow_weak_for_tests=True),
        tokens=JwtTokenService("x" * 40, access_ttl=timedelta(minutes=15)),
        store=MemoryKeyValueStore(),
        policy=AuthPolicy(max_failures_per_account=3, max_failures_per_address=10),
        cache=PrincipalCache(clock),
    )


async def test_nobody_registers_as_admin(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        await world.register()(Registration("boss@example.org", PASSWORD, Role.ADMIN, ProfileInput(), TERMS_VERSION))
    assert caught.value.field == "role"


async def test_concurrent_registrations_of_one_email_make_one_account(world: World) -> None:
    results = await asyncio.gather(
        *(
            world.register()(Registration("twin@example.org", PASSWORD, Role.LEARNER, ProfileInput(), TERMS_VERSION))
            for _ in range(3)
        ),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, BaseException))


async def test_login_refresh_and_authenticate(world: World) -> None:
    await world.new_user("flow@example.org")
    pair = await world.log_in()("flow@example.org", PASSWORD, "10.0.0.1")
    principal, claims = await world.authenticate()(pair.access_token)
    assert principal.role is Role.LEARNER
    assert str(claims.user_id) == pair.user_id
    again = await world.refresh()(pair.refresh_token)
    assert again.refresh_token != pair.refresh_token


async def test_two_concurrent_refreshes_get_the_same_new_pair(world: World) -> None:
    await world.new_user("race@example.org")
    pair = await world.log_in()("race@example.org", PASSWORD, "10.0.0.1")

    first, second = await asyncio.gather(world.refresh()(pair.refresh_token), world.refresh()(pair.refresh_token))

    assert first == second
    assert first.refresh_token != pair.refresh_token
    assert (await world.refresh()(first.refresh_token)).refresh_token != first.refresh_token  # and it works


class _SteppedMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_replay_after_the_grace_period_ends_the_session(world: World) -> None:
    monotonic = _SteppedMonotonic()
    world.store = MemoryKeyValueStore(clock=monotonic)  # the grace period lives in the store
    await world.new_user("replay@example.org")
    pair = await world.log_in()("replay@example.org", PASSWORD, "10.0.0.1")
    rotated = await world.refresh()(pair.refresh_token)
    monotonic.now += world.policy.refresh_grace.total_seconds() - 1
    assert await world.refresh()(pair.refresh_token) == rotated  # still within the grace period

    monotonic.now += 2

    with pytest.raises(Unauthenticated):
        await world.refresh()(pair.refresh_token)
    with pytest.raises(Unauthenticated):  # the whole family went with it
        await world.refresh()(rotated.refresh_token)
    with pytest.raises(Unauthenticated):
        await world.authenticate()(rotated.access_token)


async def test_a_session_ends_at_its_absolute_lifetime_however_often_refreshed(world: World) -> None:
    await world.new_user("slide@example.org")
    pair = await world.log_in()("slide@example.org", PASSWORD, "10.0.0.1")
    for _ in range(4):  # a refresh each week keeps the sliding lifetime alive ...
        world.clock.advance(timedelta(days=7))
        pair = await world.refresh()(pair.refresh_token)
    assert pair.refresh_expires_at == world.clock.now() - timedelta(days=28) + world.policy.session_max_age

    world.clock.advance(timedelta(days=2))  # ... but not past 30 days from the login

    with pytest.raises(Unauthenticated):
        await world.refresh()(pair.refresh_token)


async def test_expired_refresh_token_is_refused(world: World) -> None:
    await world.new_user("old@example.org")
    pair = await world.log_in()("old@example.org", PASSWORD, "10.0.0.1")
    world.clock.advance(world.policy.refresh_ttl + timedelta(seconds=1))
    with pytest.raises(Unauthenticated):
        await world.refresh()(pair.refresh_token)


def _stepped_store(world: World) -> _SteppedMonotonic:
    monotonic = _SteppedMonotonic()
    world.store = MemoryKeyValueStore(clock=monotonic)
    return monotonic


async def _fails(world: World, email: str, address: str, password: str = "wrong-password-9") -> str:  # noqa: S107
    """How one login ends: "ok", "401" or "429 <retry after>"."""
    try:
        await world.log_in()(email, password, address)
    except Unauthenticated:
        return "401"
    except TooManyAttempts as refused:
        return f"429 {refused.retry_after}"
    return "ok"


async def test_a_pair_gets_free_attempts_then_delays_that_double(world: World) -> None:
    monotonic = _stepped_store(world)
    world.policy = AuthPolicy(max_failures_per_account=3, max_failures_per_address=100)
    await world.new_user("locked@example.org")
    outcomes = [await _fails(world, "locked@example.org", "10.0.0.2") for _ in range(5)]
    for wait in (2, 4, 8):
        monotonic.now += wait
        outcomes += [await _fails(world, "locked@example.org", "10.0.0.2") for _ in range(2)]

    assert outcomes == ["401"] * 4 + ["429 2", "401", "429 4", "401", "429 8", "401", "429 16"]
    assert await _fails(world, "locked@example.org", "10.0.0.2", PASSWORD) == "429 16"  # even the right one


async def test_failures_from_elsewhere_never_delay_the_owner(world: World) -> None:
    _stepped_store(world)
    await world.new_user("target@example.org")
    for _ in range(8):
        await _fails(world, "target@example.org", "203.0.113.9")
    assert (await _fails(world, "target@example.org", "203.0.113.9", PASSWORD)).startswith("429")

    assert await _fails(world, "target@example.org", "10.0.0.7", PASSWORD) == "ok"


async def test_a_success_forgets_the_pairs_failures(world: World) -> None:
    _stepped_store(world)
    await world.new_user("reset@example.org")
    assert [await _fails(world, "reset@example.org", "10.0.0.3") for _ in range(3)] == ["401"] * 3
    assert await _fails(world, "reset@example.org", "10.0.0.3", PASSWORD) == "ok"  # the 4th attempt, gated

    assert [await _fails(world, "reset@example.org", "10.0.0.3") for _ in range(4)] == ["401"] * 4


async def test_parallel_guesses_cannot_slip_past_the_count(world: World) -> None:
    _stepped_store(world)
    hasher = CountingHasher()
    world.hasher = hasher
    world.__post_init__()
    await world.new_user("burst@example.org")
    await world.decoy.get()
    verified_before = hasher.verifications

    outcomes = await asyncio.gather(*(_fails(world, "burst@example.org", "10.0.0.4") for _ in range(20)))

    assert sorted(outcomes).count("401") == 4  # three free attempts and the first delayed one
    assert hasher.verifications - verified_before == 4
    assert all(outcome.startswith("429") for outcome in outcomes if outcome != "401")


async def test_a_trusted_address_gets_past_the_address_ceiling(world: World) -> None:
    _stepped_store(world)  # world.policy: 10 failures per address across accounts
    await world.new_user("regular@example.org")
    assert await _fails(world, "regular@example.org", "10.9.9.9", PASSWORD) == "ok"  # now trusted
    for number in range(10):  # someone else at the same café sprays other accounts
        assert await _fails(world, f"other{number}@example.org", "10.9.9.9") == "401"

    assert (await _fails(world, "newcomer@example.org", "10.9.9.9")).startswith("429")
    assert await _fails(world, "regular@example.org", "10.9.9.9", PASSWORD) == "ok"


async def test_login_rehashes_outdated_parameters(world: World) -> None:
    await world.new_user("rehash@example.org")
    world.hasher = Argon2PasswordHasher(time_cost=2, memory_cost_kib=16, allow_weak_for_tests=True)
    await world.log_in()("rehash@example.org", PASSWORD, "10.0.0.4")
    async with world.uow() as uow:
        user = await uow.users.find_by_email("rehash@example.org")
    assert user is not None and user.password_hash is not None
    assert not world.hasher.needs_rehash(user.password_hash)


async def test_logout_revokes_access_and_family(world: World) -> None:
    await world.new_user("out@example.org")
    pair = await world.log_in()("out@example.org", PASSWORD, "10.0.0.5")
    _, claims = await world.authenticate()(pair.access_token)
    await LogOut(world.uow(), world.tokens, AccessRevocations(world.store), world.clock)(claims, pair.refresh_token)
    with pytest.raises(Unauthenticated):
        await world.authenticate()(pair.access_token)
    with pytest.raises(Unauthenticated):
        await world.refresh()(pair.refresh_token)


async def test_disabled_users_cannot_log_in_or_use_tokens(world: World) -> None:
    principal = await world.new_user("gone@example.org")
    pair = await world.log_in()("gone@example.org", PASSWORD, "10.0.0.6")
    async with world.uow() as uow:
        user = await uow.users.get(principal.user_id)
        user.is_active = False
        await uow.users.update(user)
        await uow.commit()
    with pytest.raises(Unauthenticated):
        await world.authenticate()(pair.access_token)
    with pytest.raises(Unauthenticated):
        await world.log_in()("gone@example.org", PASSWORD, "10.0.0.6")
    with pytest.raises(Unauthenticated):
        await world.refresh()(pair.refresh_token)


async def test_profile_update_rejects_unknown_fields_and_keeps_others(world: World) -> None:
    principal = await world.new_user("prof@example.org", Role.MENTOR)
    update = UpdateMyProfile(
        world.uow(), world.clock, Nh3HtmlSanitizer(), ResolvePlace(GeonamesPlaceDirectory()), world.revocations()
    )
    with pytest.raises(InvalidInput) as caught:
        await update(principal, {"role": "admin"})
    assert caught.value.field == "role"
    user = await update(principal, {"skills": ("Go",), "mentor_capacity": 4})
    assert user.profile.skills == ("go",)
    assert user.profile.mentor_capacity == 4
    user = await update(principal, {"mentor_capacity": None, "skills": None})
    assert user.profile.mentor_capacity == 1  # a mentor always has a capacity; clearing restores the default
    assert user.profile.skills == ()
    assert (await GetMyAccount(world.uow())(principal)).version == user.version


async def test_admin_rules(world: World) -> None:
    admin_user = await CreateAdmin(world.register())("root@example.org", PASSWORD, "Root")
    admin = Principal(admin_user.id, Role.ADMIN, email_verified=True)
    learner = await world.new_user("pupil@example.org")
    with pytest.raises(Forbidden):
        await ListUsers(world.uow())(learner, PageRequest())
    with pytest.raises(Forbidden):
        await world.change_access()(learner, learner.user_id, Role.ADMIN)
    with pytest.raises(Conflict):
        await world.change_access()(admin, admin.user_id, Role.LEARNER)
    promoted = await world.change_access()(admin, learner.user_id, Role.MENTOR)
    assert promoted.role is Role.MENTOR and promoted.profile.mentor_capacity == 1
    same = await world.change_access()(admin, learner.user_id, Role.MENTOR)
    assert same.version == promoted.version
    page = await ListUsers(world.uow())(admin, PageRequest(limit=10), Role.MENTOR)
    assert [u.email for u in page.items] == ["pupil@example.org"]
    async with world.uow() as uow:
        trail = await uow.audit.list_for_subject("user", str(learner.user_id))
    assert [e.action for e in trail][-1] == "user.role_changed"


async def test_passwords_are_compared_in_nfkc_form(world: World) -> None:
    composed, decomposed = "caf\u00e9-au-lait-2024", "cafe\u0301-au-lait-2024"
    await world.register()(Registration("unicode@example.org", composed, Role.LEARNER, ProfileInput(), TERMS_VERSION))
    pair = await world.log_in()("unicode@example.org", decomposed, "10.0.0.7")
    assert pair.access_token


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("198.51.100.77", "198.51.100.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("testclient", None),
        ("", None),
        (None, None),
    ],
)
def test_sessions_keep_only_a_coarse_network(address: str | None, network: str | None) -> None:
    assert coarse_network(address) == network


async def test_the_session_list_shows_the_coarse_network_and_a_cut_user_agent(world: World) -> None:
    await world.new_user("where@example.org")
    pair = await world.log_in()("where@example.org", PASSWORD, "198.51.100.77", "A" * 500)
    _, claims = await world.authenticate()(pair.access_token)

    [view] = await ListMySessions(world.uow(), world.clock)(claims)

    assert (view.network, view.user_agent, view.current) == ("198.51.100.0/24", "A" * 200, True)


class CountingHasher(Argon2PasswordHasher):
    """The real hasher, counting the work each login asks of it."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost_kib=8, allow_weak_for_tests=True)
        self.hashes = 0
        self.verifications = 0

    async def hash(self, password: str) -> str:
        self.hashes += 1
        return await super().hash(password)

    async def verify(self, password_hash: str, password: str) -> bool:
        self.verifications += 1
        return await super().verify(password_hash, password)


async def test_an_unknown_email_costs_the_same_hashing_as_a_wrong_password(world: World) -> None:
    world.hasher = CountingHasher()
    world.__post_init__()  # a decoy of this hasher
    world.policy = AuthPolicy(max_failures_per_account=1000, max_failures_per_address=1000)
    await world.new_user("known@example.org")
    await world.decoy.get()  # made once, before any login (the app makes it at startup)
    hasher = world.hasher
    work: dict[str, list[tuple[int, int]]] = {"unknown": [], "wrong": []}

    for attempt in range(40):  # interleaved, so neither kind runs on a warmer process
        kind = "unknown" if attempt % 2 else "wrong"
        email = f"nobody{attempt}@example.org" if kind == "unknown" else "known@example.org"
        before = (hasher.hashes, hasher.verifications)
        with pytest.raises(Unauthenticated):
            await world.log_in()(email, "wrong-password-9", f"10.1.0.{attempt}")
        work[kind].append((hasher.hashes - before[0], hasher.verifications - before[1]))

    # Every login of either kind: no hash made, exactly one verification.
    assert work == {"unknown": [(0, 1)] * 20, "wrong": [(0, 1)] * 20}
