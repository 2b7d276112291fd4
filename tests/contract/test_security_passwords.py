"""Contract tests for the PasswordHasher port (Argon2PasswordHasher).

Most tests use small argon2 parameters for speed; one test checks the production defaults.
"""

from __future__ import annotations

import argon2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillbridge.adapters.security.argon2_hasher import Argon2PasswordHasher
from skillbridge.application.ports.password_hasher import PasswordHasher


def fast_hasher(time_cost: int = 1, memory_cost_kib: int = 256) -> Argon2PasswordHasher:
    return Argon2PasswordHasher(
        time_cost=time_cost, memory_cost_kib=memory_cost_kib, parallelism=1, allow_weak_for_tests=True
    )


FAST = fast_hasher()


@pytest.fixture
def hasher() -> PasswordHasher:
    return FAST


def other_last_char(password: str) -> str:
    last = password[-1]
    return password[:-1] + ("b" if last == "a" else "a")


async def test_round_trip(hasher: PasswordHasher) -> None:
    encoded = await hasher.hash("correct horse battery staple")

    assert await hasher.verify(encoded, "correct horse battery staple")
    assert not await hasher.verify(encoded, "correct horse battery stapler")
    assert not await hasher.verify(encoded, "")


async def test_hash_is_argon2id_salted_and_never_contains_the_password(hasher: PasswordHasher) -> None:
    first = await hasher.hash("same password")
    second = await hasher.hash("same password")

    assert first != second
    assert first.startswith("$argon2id$v=19$")
    assert "same password" not in first
    assert await hasher.verify(first, "same password")
    assert await hasher.verify(second, "same password")


@pytest.mark.parametrize("length", [64, 72, 73, 200, 1024])
async def test_long_passwords_are_not_truncated(hasher: PasswordHasher, length: int) -> None:
    password = ("correct-horse-" * 100)[: length - 1] + "x"
    encoded = await hasher.hash(password)

    assert await hasher.verify(encoded, password)
    assert not await hasher.verify(encoded, other_last_char(password))
    assert not await hasher.verify(encoded, password[:-1])
    assert not await hasher.verify(encoded, password + "x")


async def test_multibyte_1024_character_password(hasher: PasswordHasher) -> None:
    password = "🦁é" * 512  # 1024 characters, 3072 bytes
    encoded = await hasher.hash(password)

    assert await hasher.verify(encoded, password)
    assert not await hasher.verify(encoded, password[:-1] + "e")


async def test_lone_surrogate_hashes_and_verifies(hasher: PasswordHasher) -> None:
    # A JSON string may carry "\ud800"; it must neither crash the hasher nor collide with other input.
    encoded = await hasher.hash("pass\ud800word")

    assert await hasher.verify(encoded, "pass\ud800word")
    assert not await hasher.verify(encoded, "pass\ud801word")
    assert not await hasher.verify(encoded, "pass?word")


async def test_unicode_forms_are_distinct(hasher: PasswordHasher) -> None:
    encoded = await hasher.hash("caf\u00e9-password")  # composed é

    assert not await hasher.verify(encoded, "cafe\u0301-password")  # decomposed é


@pytest.mark.parametrize(
    "bad_hash",
    [
        "",
        "garbage",
        "$argon2id$",
        "$argon2id$v=19$m=256,t=1,p=1$",
        "$argon2id$v=19$m=256,t=1,p=1$c2FsdHNhbHRzYWx0$!!!notbase64!!!",
        "$argon2x$v=19$m=256,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",  # bcrypt
        "pbkdf2_sha256$600000$salt$hash=",  # Django
        "5f4dcc3b5aa765d61d8327deb882cf99",  # unsalted MD5
        "$argon2id$v=19$m=256,t=1,p=1$\udcff$x",
    ],
)
async def test_verify_returns_false_for_malformed_or_foreign_hashes(hasher: PasswordHasher, bad_hash: str) -> None:
    assert await hasher.verify(bad_hash, "password") is False


async def test_verify_returns_false_for_a_truncated_hash(hasher: PasswordHasher) -> None:
    encoded = await hasher.hash("password-123")

    assert await hasher.verify(encoded[:-5], "password-123") is False


async def test_verify_accepts_hashes_made_with_other_parameters(hasher: PasswordHasher) -> None:
    # Raising the parameters must not lock out users whose hash predates the change.
    old = await fast_hasher(time_cost=2, memory_cost_kib=512).hash("password-123")

    assert await hasher.verify(old, "password-123")
    assert hasher.needs_rehash(old)


async def test_needs_rehash_is_false_for_current_parameters(hasher: PasswordHasher) -> None:
    assert not hasher.needs_rehash(await hasher.hash("password-123"))


@pytest.mark.parametrize(
    ("time_cost", "memory_cost_kib"),
    [(2, 256), (1, 512)],
)
async def test_needs_rehash_when_parameters_change(time_cost: int, memory_cost_kib: int) -> None:
    encoded = await FAST.hash("password-123")

    assert fast_hasher(time_cost, memory_cost_kib).needs_rehash(encoded)


def test_needs_rehash_for_other_argon2_variants_and_garbage(hasher: PasswordHasher) -> None:
    argon2i = argon2.PasswordHasher(time_cost=1, memory_cost=256, parallelism=1, type=argon2.Type.I)

    assert hasher.needs_rehash(argon2i.hash("password-123"))
    assert hasher.needs_rehash("garbage")
    assert hasher.needs_rehash("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW")


async def test_production_defaults_are_argon2id_at_or_above_the_owasp_floor() -> None:
    hasher = Argon2PasswordHasher()
    encoded = await hasher.hash("correct horse battery staple")

    params = argon2.extract_parameters(encoded)
    assert params.type is argon2.Type.ID
    assert params.memory_cost >= 19456
    assert params.time_cost >= 2
    assert (params.memory_cost, params.time_cost, params.parallelism) == (65536, 3, 1)
    assert await hasher.verify(encoded, "correct horse battery staple")
    assert not await hasher.verify(encoded, "correct horse battery stapLe")
    assert not hasher.needs_rehash(encoded)


@pytest.mark.parametrize(
    ("time_cost", "memory_cost_kib"),
    [(2, 19455), (1, 19456), (1, 65536), (3, 4096)],
)
def test_weak_parameters_are_refused_without_the_test_flag(time_cost: int, memory_cost_kib: int) -> None:
    with pytest.raises(ValueError, match="too weak"):
        Argon2PasswordHasher(time_cost=time_cost, memory_cost_kib=memory_cost_kib)


def test_the_floor_itself_is_accepted() -> None:
    Argon2PasswordHasher(time_cost=2, memory_cost_kib=19456)


@pytest.mark.parametrize(
    ("time_cost", "memory_cost_kib", "parallelism"),
    [(0, 256, 1), (1, 256, 0), (1, 7, 1), (1, 15, 2)],
)
def test_invalid_parameters_are_refused_even_for_tests(time_cost: int, memory_cost_kib: int, parallelism: int) -> None:
    with pytest.raises(ValueError, match="invalid"):
        Argon2PasswordHasher(
            time_cost=time_cost,
            memory_cost_kib=memory_cost_kib,
            parallelism=parallelism,
            allow_weak_for_tests=True,
        )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(password=st.text(min_size=1, max_size=80), data=st.data())
async def test_any_unicode_password_round_trips_and_a_one_character_change_fails(
    password: str, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(password) - 1), label="index")
    replacement = data.draw(st.characters().filter(lambda c: c != password[index]), label="replacement")
    changed = password[:index] + replacement + password[index + 1 :]

    encoded = await FAST.hash(password)

    assert await FAST.verify(encoded, password)
    assert not await FAST.verify(encoded, changed)
