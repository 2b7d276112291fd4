"""The pieces of two-factor authentication that time governs: challenges expire, the account's wrong-code
window ends, and recovery codes are read however the user types them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from skillbridge.adapters.keyvalue.memory import MemoryKeyValueStore
from skillbridge.adapters.security.pyotp_totp import PyotpTotpAlgorithm
from skillbridge.application.accounts.two_factor_codes import CodeChecker, LoginChallenges, TwoFactorPolicy
from skillbridge.domain.accounts.two_factor import TwoFactorCredential, hash_recovery_code
from skillbridge.domain.errors import TooManyAttempts, Unauthenticated

pytestmark = pytest.mark.asyncio
AT = datetime(2026, 12, 7, 9, 0, 10, tzinfo=UTC)
SECRET = base64.b32encode(b"twenty-byte-secret!!").decode()


class Seconds:
    """A monotonic clock for the store that the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _code(at: datetime) -> str:
    counter = int(at.timestamp()) // 30
    digest = hmac.new(base64.b32decode(SECRET), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


async def test_a_challenge_lives_as_long_as_the_policy_says() -> None:
    seconds = Seconds()
    challenges = LoginChallenges(MemoryKeyValueStore(seconds), TwoFactorPolicy(challenge_ttl=timedelta(minutes=5)))
    user_id = uuid4()
    challenge = await challenges.issue(user_id, "amara@example.org", AT)

    seconds.now += 299
    alive = await challenges.find(challenge.token)
    seconds.now += 1
    expired = await challenges.find(challenge.token)

    assert challenge.expires_at == AT + timedelta(minutes=5)
    assert alive is not None
    assert (alive.user_id, alive.account) == (user_id, "amara@example.org")
    assert expired is None


async def test_the_accounts_wrong_code_window_ends_and_a_right_code_passes_again() -> None:
    seconds = Seconds()
    policy = TwoFactorPolicy(failures_per_account=3, failure_window=timedelta(minutes=15))
    checker = CodeChecker(PyotpTotpAlgorithm(), MemoryKeyValueStore(seconds), policy)
    credential = TwoFactorCredential(uuid4(), SECRET, created_at=AT, enabled_at=AT)
    right = _code(AT)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            await checker.check(credential, wrong, AT)

    with pytest.raises(TooManyAttempts) as blocked:
        await checker.check(credential, right, AT)
    seconds.now += 15 * 60
    accepted = await checker.check(credential, right, AT)

    assert 0 < blocked.value.retry_after <= 15 * 60
    assert accepted.method == "totp"
    assert accepted.credential.last_used_step == int(AT.timestamp()) // 30


async def test_a_recovery_code_is_read_whatever_its_case_dashes_and_spaces() -> None:
    checker = CodeChecker(PyotpTotpAlgorithm(), MemoryKeyValueStore(), TwoFactorPolicy())
    stored = hashlib.sha256(b"ABCDEFGHIJKLMNOP").hexdigest()
    credential = TwoFactorCredential(uuid4(), SECRET, created_at=AT, enabled_at=AT, recovery_code_hashes=(stored,))

    accepted = await checker.check(credential, " abcd efgh-ijkl-mnop ", AT)

    assert hash_recovery_code("ABCD-EFGH-IJKL-MNOP") == stored
    assert accepted.method == "recovery_code"
    assert accepted.credential.recovery_code_hashes == ()
    assert accepted.credential.version == credential.version + 1
