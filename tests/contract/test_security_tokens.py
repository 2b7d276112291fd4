"""Contract tests for the TokenService port (JwtTokenService).

Every attack is a test that tries to get a forged, altered or misused token accepted. Tokens are crafted
with PyJWT directly (or by hand where PyJWT refuses to produce them) so the service has no say in how
they are made.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillbridge.adapters.security.jwt_tokens import IAT_CLOCK_SKEW_SECONDS, JwtTokenService
from skillbridge.application.ports.token_service import TokenService
from skillbridge.domain.errors import Unauthenticated

SECRET = "test-secret-0123456789abcdef-0123456789abcdef-0123456789abcdef!!"  # 64 bytes: enough for HS512
OTHER_SECRET = "another-secret-0123456789abcdef-0123456789abcdef-0123456789abcde"
TTL = timedelta(minutes=15)
# Deliberately in the past: if the service consulted the wall clock, every token here would be expired.
NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
USER = UUID("6f1c2b3a-0d4e-4f5a-8b6c-7d8e9f0a1b2c")
URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")


@pytest.fixture
def tokens() -> TokenService:
    return JwtTokenService(SECRET, access_ttl=TTL)


def claims(**overrides: Any) -> dict[str, Any]:
    """A valid access-token payload at NOW, with ``overrides`` applied (``None`` removes a claim)."""
    iat = int(NOW.timestamp())
    payload: dict[str, Any] = {
        "sub": str(USER),
        "exp": iat + int(TTL.total_seconds()),
        "iat": iat,
        "jti": "j-123",
        "typ": "access",
        "iss": "skillbridge",
        "aud": "skillbridge-api",
    }
    payload.update(overrides)
    return {name: value for name, value in payload.items() if value is not None}


def craft(payload: dict[str, Any], *, key: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=algorithm)


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def craft_by_hand(header: dict[str, Any], payload: dict[str, Any], signature: bytes | None) -> str:
    """Build a token PyJWT would refuse to sign; ``signature=None`` means HMAC-SHA256 with SECRET."""
    signing_input = f"{b64(header)}.{b64(payload)}"
    if signature is None:
        signature = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def assert_rejected(tokens: TokenService, token: str, now: datetime = NOW) -> None:
    with pytest.raises(Unauthenticated) as caught:
        tokens.verify_access(token, now)
    # One short message for every failure: nothing that tells an attacker which check tripped.
    assert caught.value.message == "invalid or expired access token"


# --- the happy path ------------------------------------------------------------------------------------


def test_round_trip(tokens: TokenService) -> None:
    issued = tokens.issue_access(USER, NOW)

    verified = tokens.verify_access(issued.token, NOW)

    assert verified.user_id == USER
    assert verified.jti == issued.jti
    assert verified.issued_at == NOW
    assert verified.expires_at == NOW + TTL == issued.expires_at


def test_access_token_carries_exactly_the_documented_claims(tokens: TokenService) -> None:
    issued = tokens.issue_access(USER, NOW)

    payload = jwt.decode(issued.token, options={"verify_signature": False})
    header = jwt.get_unverified_header(issued.token)

    assert set(payload) == {"sub", "exp", "iat", "jti", "typ", "iss", "aud"}
    assert payload["sub"] == str(USER)
    assert payload["typ"] == "access"
    assert payload["iss"] == "skillbridge"
    assert payload["aud"] == "skillbridge-api"
    assert payload["iat"] == int(NOW.timestamp())
    assert payload["exp"] == int((NOW + TTL).timestamp())
    assert payload["jti"] == issued.jti
    assert header["alg"] == "HS256"


def test_jti_is_random_and_url_safe(tokens: TokenService) -> None:
    jtis = {tokens.issue_access(USER, NOW).jti for _ in range(200)}

    assert len(jtis) == 200
    assert all(URLSAFE.match(jti) and len(jti) >= 22 for jti in jtis)


def test_sub_second_issue_time_is_truncated_consistently(tokens: TokenService) -> None:
    issued = tokens.issue_access(USER, NOW + timedelta(microseconds=999_999))

    verified = tokens.verify_access(issued.token, NOW + timedelta(microseconds=999_999))

    assert verified.issued_at == NOW
    assert issued.expires_at == verified.expires_at == NOW + TTL


def test_configured_issuer_audience_and_algorithm_round_trip() -> None:
    service = JwtTokenService(SECRET, access_ttl=TTL, issuer="me", audience="them", algorithm="HS512")

    issued = service.issue_access(USER, NOW)

    assert jwt.get_unverified_header(issued.token)["alg"] == "HS512"
    assert service.verify_access(issued.token, NOW).user_id == USER


# --- time: ``now`` is authoritative, zero leeway on expiry -------------------------------------------------


def test_valid_one_second_before_expiry(tokens: TokenService) -> None:
    issued = tokens.issue_access(USER, NOW)

    assert tokens.verify_access(issued.token, issued.expires_at - timedelta(seconds=1)).user_id == USER


def test_expired_at_the_exp_instant(tokens: TokenService) -> None:
    issued = tokens.issue_access(USER, NOW)

    assert_rejected(tokens, issued.token, issued.expires_at)


def test_expired_by_one_second(tokens: TokenService) -> None:
    issued = tokens.issue_access(USER, NOW)

    assert_rejected(tokens, issued.token, issued.expires_at + timedelta(seconds=1))


def test_expiry_is_judged_by_now_not_the_wall_clock(tokens: TokenService) -> None:
    # Valid by the wall clock (issued just now, 15 minutes to live) but expired at the ``now`` passed in.
    wall_now = datetime.now(UTC)
    issued = tokens.issue_access(USER, wall_now)

    assert_rejected(tokens, issued.token, wall_now + TTL + timedelta(seconds=1))


def test_iat_far_in_the_future_is_rejected(tokens: TokenService) -> None:
    future = int((NOW + timedelta(hours=1)).timestamp())

    assert_rejected(tokens, craft(claims(iat=future, exp=future + 900)))


def test_iat_within_clock_skew_is_accepted_beyond_it_rejected(tokens: TokenService) -> None:
    base = int(NOW.timestamp())
    within = craft(claims(iat=base + IAT_CLOCK_SKEW_SECONDS, exp=base + 900))
    beyond = craft(claims(iat=base + IAT_CLOCK_SKEW_SECONDS + 1, exp=base + 900))

    assert tokens.verify_access(within, NOW).user_id == USER
    assert_rejected(tokens, beyond)


def test_exp_not_after_iat_is_rejected(tokens: TokenService) -> None:
    base = int(NOW.timestamp())

    assert_rejected(tokens, craft(claims(iat=base, exp=base)), NOW - timedelta(seconds=10))


def test_nbf_in_the_future_is_rejected(tokens: TokenService) -> None:
    assert_rejected(tokens, craft(claims(nbf=int(NOW.timestamp()) + 60)))


# --- forged signatures and algorithms --------------------------------------------------------------------


def test_the_crafting_helpers_make_tokens_the_service_accepts(tokens: TokenService) -> None:
    # The positive control of the attacks below: the same claims, headers built the same way, HS256 with the
    # service's secret: accepted. So each rejection below is due to what that attack changes, not the crafting.
    by_hand = craft_by_hand({"alg": "HS256", "typ": "JWT"}, claims(), signature=None)
    by_pyjwt = craft(claims())
    for token in (by_hand, by_pyjwt):
        verified = tokens.verify_access(token, NOW)
        assert (verified.user_id, verified.jti) == (USER, "j-123")


def test_alg_none_unsigned_is_rejected(tokens: TokenService) -> None:
    assert_rejected(tokens, craft_by_hand({"alg": "none", "typ": "JWT"}, claims(), signature=b""))


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_with_a_valid_hmac_signature_is_rejected(tokens: TokenService, alg: str) -> None:
    assert_rejected(tokens, craft_by_hand({"alg": alg, "typ": "JWT"}, claims(), signature=None))


def test_alg_none_made_by_pyjwt_is_rejected(tokens: TokenService) -> None:
    assert_rejected(tokens, jwt.encode(claims(), None, algorithm="none"))


def test_another_key_is_rejected(tokens: TokenService) -> None:
    assert_rejected(tokens, craft(claims(), key=OTHER_SECRET))


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_another_hmac_algorithm_with_the_right_key_is_rejected(tokens: TokenService, alg: str) -> None:
    assert_rejected(tokens, craft(claims(), algorithm=alg))


def test_rs256_header_signed_with_the_secret_is_rejected(tokens: TokenService) -> None:
    # The key-confusion attack: an asymmetric alg in the header, HMAC'd with a key the verifier holds.
    assert_rejected(tokens, craft_by_hand({"alg": "RS256", "typ": "JWT"}, claims(), signature=None))


def test_token_of_a_service_configured_for_hs512_is_rejected(tokens: TokenService) -> None:
    other = JwtTokenService(SECRET, access_ttl=TTL, algorithm="HS512")

    assert_rejected(tokens, other.issue_access(USER, NOW).token)


def test_tampered_payload_is_rejected(tokens: TokenService) -> None:
    header, _, signature = tokens.issue_access(USER, NOW).token.split(".")
    forged_payload = b64(claims(sub=str(uuid4())))

    assert_rejected(tokens, f"{header}.{forged_payload}.{signature}")


def test_stripped_signature_is_rejected(tokens: TokenService) -> None:
    header, payload, _ = tokens.issue_access(USER, NOW).token.split(".")

    assert_rejected(tokens, f"{header}.{payload}.")


# --- claims -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typ", ["refresh", "ACCESS", "", "id"])
def test_non_access_typ_is_rejected(tokens: TokenService, typ: str) -> None:
    assert_rejected(tokens, craft(claims(typ=typ)))


@pytest.mark.parametrize("claim", ["sub", "exp", "iat", "jti", "typ", "iss", "aud"])
def test_missing_claim_is_rejected(tokens: TokenService, claim: str) -> None:
    assert_rejected(tokens, craft(claims(**{claim: None})))


def test_wrong_audience_is_rejected(tokens: TokenService) -> None:
    assert_rejected(tokens, craft(claims(aud="some-other-api")))


def test_wrong_issuer_is_rejected(tokens: TokenService) -> None:
    assert_rejected(tokens, craft(claims(iss="evil")))


def test_token_of_another_issuer_and_audience_with_the_same_key_is_rejected(tokens: TokenService) -> None:
    other = JwtTokenService(SECRET, access_ttl=TTL, issuer="other-app", audience="other-api")

    assert_rejected(tokens, other.issue_access(USER, NOW).token)


@pytest.mark.parametrize(
    "overrides",
    [
        {"sub": "not-a-uuid"},
        {"sub": 42},
        {"jti": ""},
        {"jti": 7},
        {"exp": "1709296200"},
        {"exp": float(int(NOW.timestamp()) + 900)},
        {"exp": True},
        {"iat": "now"},
        {"nbf": "later"},
    ],
    ids=repr,
)
def test_mistyped_claims_are_rejected(tokens: TokenService, overrides: dict[str, Any]) -> None:
    assert_rejected(tokens, craft(claims(**overrides)))


def test_a_refresh_token_presented_as_access_is_rejected(tokens: TokenService) -> None:
    refresh = tokens.new_refresh()

    assert_rejected(tokens, refresh.token)
    assert_rejected(tokens, refresh.token_hash)


# --- malformed input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "garbage",
    ["", "garbage", "a.b.c", "...", "a.b", "a.b.c.d", "eyJhbGciOiJIUzI1NiJ9..", "Bearer x.y.z", "\x00", "é.é.é"],
)
def test_garbage_is_rejected(tokens: TokenService, garbage: str) -> None:
    assert_rejected(tokens, garbage)


def test_json_header_that_is_not_an_object_is_rejected(tokens: TokenService) -> None:
    header = base64.urlsafe_b64encode(b"[1]").rstrip(b"=").decode()

    assert_rejected(tokens, f"{header}.{b64(claims())}.sig")


def test_payload_that_is_not_json_is_rejected(tokens: TokenService) -> None:
    signing_input = f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{base64.urlsafe_b64encode(b'not json').decode()}"
    signature = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()

    assert_rejected(tokens, f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}")


_ANY_SERVICE = JwtTokenService(SECRET, access_ttl=TTL)


@given(st.text(max_size=300))
def test_any_text_is_rejected_with_unauthenticated_only(garbage: str) -> None:
    assert_rejected(_ANY_SERVICE, garbage)


@given(
    st.lists(
        st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=", max_size=60),
        min_size=1,
        max_size=4,
    )
)
def test_any_dotted_base64ish_string_is_rejected_with_unauthenticated_only(parts: list[str]) -> None:
    assert_rejected(_ANY_SERVICE, ".".join(parts))


# --- refresh tokens ------------------------------------------------------------------------------------------


def test_new_refresh_is_256_random_bits_url_safe(tokens: TokenService) -> None:
    issued = [tokens.new_refresh() for _ in range(200)]

    assert len({r.token for r in issued}) == 200
    for refresh in issued:
        assert URLSAFE.match(refresh.token)
        assert len(base64.urlsafe_b64decode(refresh.token + "=")) == 32


def test_refresh_hash_is_sha256_hex_of_the_token(tokens: TokenService) -> None:
    refresh = tokens.new_refresh()

    assert refresh.token_hash == hashlib.sha256(refresh.token.encode()).hexdigest()
    assert tokens.hash_refresh(refresh.token) == refresh.token_hash
    assert re.fullmatch(r"[0-9a-f]{64}", refresh.token_hash)
    assert refresh.token not in refresh.token_hash


def test_refresh_hash_distinguishes_tokens(tokens: TokenService) -> None:
    assert tokens.hash_refresh("a") != tokens.hash_refresh("b")


# --- configuration -----------------------------------------------------------------------------------------


def test_secret_shorter_than_32_bytes_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        JwtTokenService("x" * 31, access_ttl=TTL)


def test_secret_length_is_counted_in_bytes() -> None:
    JwtTokenService("x" * 32, access_ttl=TTL)
    JwtTokenService("é" * 16, access_ttl=TTL)  # 16 characters, 32 bytes
    with pytest.raises(ValueError, match="32 bytes"):
        JwtTokenService("é" * 15 + "x", access_ttl=TTL)


@pytest.mark.parametrize(("algorithm", "min_bytes"), [("HS256", 32), ("HS384", 48), ("HS512", 64)])
def test_secret_must_be_as_long_as_the_hash(algorithm: str, min_bytes: int) -> None:
    JwtTokenService("k" * min_bytes, access_ttl=TTL, algorithm=algorithm)
    with pytest.raises(ValueError, match=f"{min_bytes} bytes"):
        JwtTokenService("k" * (min_bytes - 1), access_ttl=TTL, algorithm=algorithm)


@pytest.mark.parametrize("algorithm", ["none", "RS256", "ES256", "hs256"])
def test_non_hmac_algorithms_are_refused(algorithm: str) -> None:
    with pytest.raises(ValueError, match="unsupported token algorithm"):
        JwtTokenService(SECRET, access_ttl=TTL, algorithm=algorithm)


@pytest.mark.parametrize("ttl", [timedelta(0), timedelta(milliseconds=500), timedelta(seconds=-5)])
def test_access_ttl_below_one_second_is_refused(ttl: timedelta) -> None:
    with pytest.raises(ValueError, match="access_ttl"):
        JwtTokenService(SECRET, access_ttl=ttl)
