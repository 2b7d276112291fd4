"""Admitting a request: the budget key, the cached principal and what makes it stale, on memory adapters
and an injected clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from skillbridge.adapters.keyvalue.memory import MemoryKeyValueStore
from skillbridge.adapters.persistence.memory import MemoryDatabase, MemoryUnitOfWork
from skillbridge.adapters.security.jwt_tokens import JwtTokenService
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.accounts.authentication import AdmitRequest, PrincipalCache, RequestBudget
from skillbridge.application.accounts.revocations import PRINCIPAL_CACHE_MAX_AGE, AccessRevocations
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import TooManyAttempts
from tests.support.entities import make_user

BUDGET = RequestBudget("api", limit=3)


class CountingUnitOfWork(MemoryUnitOfWork):
    """A memory unit of work that counts the blocks entered (each would be a database visit)."""

    entered = 0

    async def __aenter__(self) -> CountingUnitOfWork:
        CountingUnitOfWork.entered += 1
        await super().__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await super().__aexit__(*exc)


class World:
    def __init__(self) -> None:
        self.clock = MutableClock()
        self.db = MemoryDatabase()
        self.store = MemoryKeyValueStore()
        self.tokens = JwtTokenService("k" * 40, access_ttl=timedelta(minutes=15))
        self.revocations = AccessRevocations(self.store)
        self.cache = PrincipalCache(self.clock)
        CountingUnitOfWork.entered = 0

    def admit(self) -> AdmitRequest:
        uow = CountingUnitOfWork(self.db)
        return AdmitRequest(uow, self.tokens, self.store, self.revocations, self.cache, self.clock)

    async def user(self, role: Role = Role.LEARNER) -> tuple[Any, str]:
        user = make_user(role=role)
        async with MemoryUnitOfWork(self.db) as uow:
            await uow.users.add(user)
            await uow.commit()
        return user, self.tokens.issue_access(user.id, self.clock.now(), uuid4()).token


@pytest.fixture
def world() -> World:
    return World()


async def test_a_cached_principal_costs_no_database_visit_until_its_stamp_changes(world: World) -> None:
    user, token = await world.user()
    first = await world.admit()(token, "41.58.1.1", BUDGET)
    assert first.principal is not None and first.principal.role is Role.LEARNER
    assert CountingUnitOfWork.entered == 1
    for _ in range(2):
        assert (await world.admit()(token, "41.58.1.1", None)).principal == first.principal
    assert CountingUnitOfWork.entered == 1  # served from the cache

    await world.revocations.principal_changed(user.id)
    assert (await world.admit()(token, "41.58.1.1", None)).principal == first.principal
    assert CountingUnitOfWork.entered == 2  # a new stamp: read again, once


async def test_a_cached_principal_is_read_again_after_its_maximum_age(world: World) -> None:
    _, token = await world.user()
    await world.admit()(token, "a", None)
    world.clock.advance(PRINCIPAL_CACHE_MAX_AGE - timedelta(seconds=1))
    await world.admit()(token, "a", None)
    assert CountingUnitOfWork.entered == 1
    world.clock.advance(timedelta(seconds=1))
    await world.admit()(token, "a", None)
    assert CountingUnitOfWork.entered == 2


async def test_an_invalid_token_is_counted_against_the_address_and_a_valid_one_against_its_user(
    world: World,
) -> None:
    _, token = await world.user()
    for _ in range(3):
        refused = await world.admit()(f"{token}x", "41.58.1.1", BUDGET)  # a forged signature
        assert refused.principal is None and refused.refusal == "invalid or expired access token"
    with pytest.raises(TooManyAttempts):
        await world.admit()("anything", "41.58.1.1", BUDGET)
    # The same address with a valid token is the user's own budget, untouched by the forgeries.
    admitted = await world.admit()(token, "41.58.1.1", BUDGET)
    assert admitted.principal is not None
    assert admitted.quota is not None and admitted.quota.remaining == 2


async def test_revoked_sessions_and_disabled_accounts_leave_no_caller(world: World) -> None:
    _, token = await world.user()
    claims = world.tokens.verify_access(token, world.clock.now())
    assert (await world.admit()(token, "a", None)).principal is not None
    assert claims.session_id is not None
    await world.revocations.revoke_session(claims.session_id)
    assert (await world.admit()(token, "a", None)).refusal == "the token was revoked"

    other, other_token = await world.user()
    async with MemoryUnitOfWork(world.db) as uow:
        await uow.users.update(replace(other, is_active=False))
        await uow.commit()
    await world.revocations.principal_changed(other.id)
    assert (await world.admit()(other_token, "a", None)).refusal == "the account is disabled or no longer exists"


async def test_the_cache_keeps_its_newest_entries_when_full() -> None:
    clock = MutableClock()
    cache = PrincipalCache(clock, max_entries=2)
    ids = [uuid4() for _ in range(3)]
    for user_id in ids:
        cache.put(user_id, None, "stamp")
    assert len(cache) == 2
    assert cache.get(ids[0], "stamp") is None  # the oldest went
    assert cache.get(ids[2], "stamp") is not None
    assert cache.get(ids[2], "another stamp") is None  # and a stale stamp is never served
