"""Password recovery on the in-memory adapters: the token's lifetime and single use, and a request that
does the same work whether or not the account exists."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from skillbridge.adapters.email.outbox import OutboxEmailSender
from skillbridge.adapters.keyvalue.memory import MemoryKeyValueStore
from skillbridge.adapters.persistence.memory import MemoryDatabase, MemoryUnitOfWork
from skillbridge.adapters.places.geonames import GeonamesPlaceDirectory
from skillbridge.adapters.sanitizing.nh3_sanitizer import Nh3HtmlSanitizer
from skillbridge.adapters.security.argon2_hasher import Argon2PasswordHasher
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.accounts.consents import TermsPolicy
from skillbridge.application.accounts.password_reset import MailPasswordReset, RequestPasswordReset, ResetPassword
from skillbridge.application.accounts.policy import RecoveryPolicy
from skillbridge.application.accounts.registration import RegisterUser, Registration
from skillbridge.application.accounts.revocations import AccessRevocations
from skillbridge.application.jobs.recording import RecordFailedJob
from skillbridge.application.jobs.submitting import SubmitJob
from skillbridge.application.mail.links import MailLinks
from skillbridge.application.places import ResolvePlace
from skillbridge.application.ports.job_queue import JobArgument, JobQueue
from skillbridge.domain.accounts.profile import ProfileInput
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import BadRequest
from tests.support.mail import mails_to, token_in
from tests.support.terms import TERMS_VERSION

NEW_PASSWORD = "baobab-at-dawn-1987"


class SteppedMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class RecordingQueue(JobQueue):
    queued: list[tuple[str, dict[str, JobArgument]]] = field(default_factory=list)

    async def enqueue(self, name: str, arguments: Mapping[str, JobArgument]) -> None:
        self.queued.append((name, dict(arguments)))


@dataclass
class Recovery:
    db: MemoryDatabase
    store: MemoryKeyValueStore
    monotonic: SteppedMonotonic
    outbox: Path
    clock: MutableClock = field(default_factory=MutableClock)
    hasher: Argon2PasswordHasher = field(
        default_factory=lambda: Argon2PasswordHasher(time_cost=1, memory_cost_kib=8, allow_weak_for_tests=True)
    )
    policy: RecoveryPolicy = field(default_factory=RecoveryPolicy)

    def mail(self) -> MailPasswordReset:
        sender = OutboxEmailSender(self.outbox, "SkillBridge <no-reply@skillbridge.test>")
        return MailPasswordReset(MemoryUnitOfWork(self.db), self.store, sender, MailLinks(), self.policy)

    def reset(self) -> ResetPassword:
        return ResetPassword(
            MemoryUnitOfWork(self.db), self.store, self.hasher, AccessRevocations(self.store), self.clock
        )

    async def token(self, email: str) -> str:
        await self.mail()(email)
        return token_in(mails_to(self.outbox, email)[-1])


@pytest.fixture
async def recovery(tmp_path: Path) -> Recovery:
    monotonic = SteppedMonotonic()
    world = Recovery(MemoryDatabase(), MemoryKeyValueStore(clock=monotonic), monotonic, tmp_path / "outbox")
    register = RegisterUser(
        MemoryUnitOfWork(world.db),
        world.hasher,
        world.clock,
        Nh3HtmlSanitizer(),
        ResolvePlace(GeonamesPlaceDirectory()),
        TermsPolicy(TERMS_VERSION),
    )
    await register(
        Registration("amara@example.org", "kilimanjaro-sunrise-42", Role.LEARNER, ProfileInput(), TERMS_VERSION)
    )
    return world


async def test_a_token_lives_thirty_minutes(recovery: Recovery) -> None:
    lifetime = timedelta(minutes=30).total_seconds()
    early = await recovery.token("amara@example.org")
    recovery.monotonic.now += 10
    late = await recovery.token("amara@example.org")
    recovery.monotonic.now += lifetime - 5  # the early token is 5 s past its lifetime, the late one 5 s short

    with pytest.raises(BadRequest) as caught:
        await recovery.reset()(early, NEW_PASSWORD)
    assert caught.value.field == "token"
    await recovery.reset()(late, NEW_PASSWORD)  # positive control


async def test_two_resets_racing_with_one_token_let_one_through(recovery: Recovery) -> None:
    token = await recovery.token("amara@example.org")

    results = await asyncio.gather(
        recovery.reset()(token, NEW_PASSWORD), recovery.reset()(token, "another-long-phrase-77"), return_exceptions=True
    )

    assert sum(result is None for result in results) == 1
    assert sum(isinstance(result, BadRequest) for result in results) == 1


async def test_no_mail_for_an_unknown_or_disabled_account(recovery: Recovery) -> None:
    await recovery.mail()("nobody@example.org")

    assert mails_to(recovery.outbox, "nobody@example.org") == []
    await recovery.mail()("amara@example.org")  # positive control
    assert len(mails_to(recovery.outbox, "amara@example.org")) == 1


async def test_asking_does_the_same_work_for_a_known_and_an_unknown_address(recovery: Recovery) -> None:
    queue = RecordingQueue()
    ask = RequestPasswordReset(
        recovery.store,
        SubmitJob(queue, RecordFailedJob(MemoryUnitOfWork(recovery.db), recovery.clock)),
        recovery.policy,
    )

    await ask("amara@example.org", "198.51.100.7", ("fr",))
    await ask("nobody@example.org", "198.51.100.8", ("fr",))

    assert queue.queued == [
        ("mail_password_reset", {"email": "amara@example.org", "languages": "fr"}),
        ("mail_password_reset", {"email": "nobody@example.org", "languages": "fr"}),
    ]
