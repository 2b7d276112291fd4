"""Two-factor authentication through the HTTP stack: setup, enable, a login in two steps, recovery codes,
disable; and the attacks on each step (brute force, replay, a reused challenge or recovery code, a code of
another user).

The expected codes are computed here from RFC 6238 by hand (hmac + hashlib), at the app's injected clock.
"""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from skillbridge.application.accounts.administration import CreateAdmin
from skillbridge.main import Settings, build_container
from tests.integration.helpers import PASSWORD, Api, api_with
from tests.support.two_factor import rfc6238

pytestmark = pytest.mark.asyncio
SETUP, ENABLE, DISABLE, VERIFY = (f"/api/v1/auth/2fa/{step}" for step in ("setup", "enable", "disable", "verify"))
LOGIN, ME = "/api/v1/auth/login", "/api/v1/users/me"
STEP = timedelta(seconds=30)


async def test_the_hand_made_totp_meets_the_rfc_6238_test_vectors() -> None:
    # RFC 6238 appendix B, SHA-1 seed "12345678901234567890", last six digits of the eight-digit codes.
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert rfc6238(secret, datetime.fromtimestamp(59).astimezone()) == "287082"
    assert rfc6238(secret, datetime.fromtimestamp(1111111109).astimezone()) == "081804"
    assert rfc6238(secret, datetime.fromtimestamp(2000000000).astimezone()) == "279037"


def _bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def _signed_in(api: Api, email: str) -> dict[str, str]:
    await api.register(email)
    return _bearer(await api.login(email))


async def _enable(api: Api, headers: dict[str, str]) -> tuple[str, list[str]]:
    """Set up and enable two-factor for the caller; return the secret and the recovery codes. The clock
    then moves one step on, so the code used to enable is in the past."""
    setup = await api.client.post(SETUP, headers=headers)
    assert setup.status_code == 200, setup.text
    secret = setup.json()["secret"]
    enabled = await api.client.post(ENABLE, headers=headers, json={"code": rfc6238(secret, api.clock.now())})
    assert enabled.status_code == 200, enabled.text
    api.clock.advance(STEP)
    return secret, enabled.json()["recovery_codes"]


async def _challenge(api: Api, email: str) -> str:
    response = await api.client.post(LOGIN, json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["two_factor_required"] is True
    assert "access_token" not in body
    token: str = body["challenge_token"]
    return token


async def _verify(api: Api, challenge: str, code: str) -> Any:
    return await api.client.post(VERIFY, json={"challenge_token": challenge, "code": code})


async def test_setup_gives_a_secret_and_an_otpauth_uri_and_changes_nothing_until_enabled(api: Api) -> None:
    headers = await _signed_in(api, "amara@example.org")

    response = await api.client.post(SETUP, headers=headers)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert re.fullmatch(r"[A-Z2-7]{32}", body["secret"])
    uri = urlparse(body["otpauth_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == "/SkillBridge:amara@example.org"
    assert parse_qs(uri.query)["secret"] == [body["secret"]]
    assert parse_qs(uri.query)["issuer"] == ["SkillBridge"]
    assert "access_token" in await api.login("amara@example.org")  # still one step: not enabled yet


async def test_enable_needs_a_right_code_then_login_takes_two_steps(api: Api) -> None:
    headers = await _signed_in(api, "amara@example.org")
    secret = (await api.client.post(SETUP, headers=headers)).json()["secret"]
    right = rfc6238(secret, api.clock.now())
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    refused = await api.client.post(ENABLE, headers=headers, json={"code": wrong})
    enabled = await api.client.post(ENABLE, headers=headers, json={"code": right})

    assert refused.status_code == 401
    assert refused.json()["field"] == "code"
    assert enabled.status_code == 200
    codes = enabled.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code) for code in codes)
    api.clock.advance(STEP)
    challenge = await _challenge(api, "amara@example.org")
    tokens = await _verify(api, challenge, rfc6238(secret, api.clock.now()))
    assert tokens.status_code == 200, tokens.text
    assert tokens.headers["cache-control"] == "no-store"
    assert (await api.client.get(ME, headers=_bearer(tokens.json()))).status_code == 200


async def test_the_code_that_enabled_cannot_also_sign_in(api: Api) -> None:
    headers = await _signed_in(api, "amara@example.org")
    secret = (await api.client.post(SETUP, headers=headers)).json()["secret"]
    code = rfc6238(secret, api.clock.now())
    assert (await api.client.post(ENABLE, headers=headers, json={"code": code})).status_code == 200

    replayed = await _verify(api, await _challenge(api, "amara@example.org"), code)

    assert replayed.status_code == 401
    assert replayed.json()["field"] == "code"


async def test_a_code_is_good_once_even_within_its_time_step(api: Api) -> None:
    headers = await _signed_in(api, "amara@example.org")
    secret, _ = await _enable(api, headers)
    code = rfc6238(secret, api.clock.now())
    assert (await _verify(api, await _challenge(api, "amara@example.org"), code)).status_code == 200

    replayed = await _verify(api, await _challenge(api, "amara@example.org"), code)

    assert replayed.status_code == 401
    assert replayed.json()["field"] == "code"
    api.clock.advance(STEP)  # positive control: the next step's code passes
    fresh = await _verify(api, await _challenge(api, "amara@example.org"), rfc6238(secret, api.clock.now()))
    assert fresh.status_code == 200


async def test_one_step_of_drift_is_accepted_two_are_not(api: Api) -> None:
    headers = await _signed_in(api, "amara@example.org")
    secret, _ = await _enable(api, headers)
    api.clock.advance(3 * STEP)
    challenge = await _challenge(api, "amara@example.org")

    too_old = await _verify(api, challenge, rfc6238(secret, api.clock.now(), steps_off=-2))
    slow_phone = await _verify(api, challenge, rfc6238(secret, api.clock.now(), steps_off=-1))

    assert too_old.status_code == 401
    assert slow_phone.status_code == 200


async def test_of_two_requests_racing_with_one_code_one_signs_in(api: Api) -> None:
    headers = await _signed_in(api, "amara@example.org")
    secret, _ = await _enable(api, headers)
    first, second = await _challenge(api, "amara@example.org"), await _challenge(api, "amara@example.org")
    code = rfc6238(secret, api.clock.now())

    answers = await asyncio.gather(_verify(api, first, code), _verify(api, second, code))

    assert sorted(answer.status_code for answer in answers) == [200, 401]


async def test_a_challenge_is_spent_by_its_first_right_code(api: Api) -> None:
    headers = await _signed_in(api, "amara@example.org")
    secret, _ = await _enable(api, headers)
    challenge = await _challenge(api, "amara@example.org")
    assert (await _verify(api, challenge, rfc6238(secret, api.clock.now()))).status_code == 200
    api.clock.advance(STEP)

    again = await _verify(api, challenge, rfc6238(secret, api.clock.now()))

    assert again.status_code == 401
    assert again.json()["field"] == "challenge_token"


async def test_an_invented_challenge_is_refused(api: Api) -> None:
    headers = await _signed_in(api, "amara@example.org")
    secret, _ = await _enable(api, headers)

    response = await _verify(api, "made-up-challenge", rfc6238(secret, api.clock.now()))

    assert response.status_code == 401
    assert response.json()["field"] == "challenge_token"


async def test_a_challenge_takes_five_wrong_codes_then_is_spent(api: Api) -> None:
    headers = await _signed_in(api, "amara@example.org")
    secret, _ = await _enable(api, headers)
    challenge = await _challenge(api, "amara@example.org")
    right = rfc6238(secret, api.clock.now())
    wrongs = [f"{(int(right) + n) % 1_000_000:06d}" for n in range(1, 6)]

    statuses = [(await _verify(api, challenge, wrong)).status_code for wrong in wrongs]
    sixth = await _verify(api, challenge, right)

    assert statuses == [401] * 5
    assert sixth.status_code == 401
    assert sixth.json()["field"] == "challenge_token"  # the right code comes too late for this challenge
    assert (await _verify(api, await _challenge(api, "amara@example.org"), right)).status_code == 200


async def test_brute_force_across_challenges_is_stopped_per_account(api: Api) -> None:
    headers = await _signed_in(api, "amara@example.org")
    secret, _ = await _enable(api, headers)
    right = rfc6238(secret, api.clock.now())
    wrong = iter(f"{(int(right) + n) % 1_000_000:06d}" for n in range(1, 100))
    statuses = []
    for _ in range(2):  # two challenges, five wrong codes each: the account's ten
        challenge = await _challenge(api, "amara@example.org")
        statuses += [(await _verify(api, challenge, next(wrong))).status_code for _ in range(5)]

    fresh = await _challenge(api, "amara@example.org")
    blocked = await _verify(api, fresh, right)

    assert statuses == [401] * 10
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0


async def test_a_code_of_another_user_does_not_open_ones_challenge(api: Api) -> None:
    amara = await _signed_in(api, "amara@example.org")
    bayo = await _signed_in(api, "bayo@example.org")
    amara_secret, _ = await _enable(api, amara)
    bayo_secret, _ = await _enable(api, bayo)
    challenge = await _challenge(api, "amara@example.org")

    with_bayos_code = await _verify(api, challenge, rfc6238(bayo_secret, api.clock.now()))
    with_amaras_code = await _verify(api, challenge, rfc6238(amara_secret, api.clock.now()))

    assert with_bayos_code.status_code == 401
    assert with_bayos_code.json()["field"] == "code"
    assert with_amaras_code.status_code == 200
    me = await api.client.get(ME, headers=_bearer(with_amaras_code.json()))
    assert me.json()["email"] == "amara@example.org"


async def test_a_recovery_code_signs_in_once(api: Api) -> None:
    headers = await _signed_in(api, "amara@example.org")
    _, codes = await _enable(api, headers)

    first = await _verify(api, await _challenge(api, "amara@example.org"), codes[0].lower().replace("-", " "))
    again = await _verify(api, await _challenge(api, "amara@example.org"), codes[0])

    assert first.status_code == 200
    assert again.status_code == 401
    assert again.json()["field"] == "code"
    other = await _verify(api, await _challenge(api, "amara@example.org"), codes[1])
    assert other.status_code == 200  # positive control: the other nine still work


async def test_disable_needs_the_password_and_a_code(api: Api) -> None:
    headers = await _signed_in(api, "amara@example.org")
    secret, _ = await _enable(api, headers)
    code = rfc6238(secret, api.clock.now())

    no_password = await api.client.post(DISABLE, headers=headers, json={"code": code})
    wrong_password = await api.client.post(DISABLE, headers=headers, json={"code": code, "password": "not-it-at-all"})
    no_code = await api.client.post(DISABLE, headers=headers, json={"password": PASSWORD})
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    wrong_code = await api.client.post(DISABLE, headers=headers, json={"code": wrong, "password": PASSWORD})

    assert (no_password.status_code, no_password.json()["field"]) == (422, "password")
    assert (wrong_password.status_code, wrong_password.json()["field"]) == (422, "password")
    assert no_code.status_code == 422
    assert "code" in no_code.text
    assert (wrong_code.status_code, wrong_code.json()["field"]) == (401, "code")
    assert (
        "two_factor_required"
        in (await api.client.post(LOGIN, json={"email": "amara@example.org", "password": PASSWORD})).json()
    )
    disabled = await api.client.post(DISABLE, headers=headers, json={"code": code, "password": PASSWORD})
    assert disabled.status_code == 204
    assert "access_token" in await api.login("amara@example.org")


async def test_setup_and_enable_refuse_out_of_order_calls(api: Api) -> None:
    headers = await _signed_in(api, "amara@example.org")

    enable_first = await api.client.post(ENABLE, headers=headers, json={"code": "123456"})
    disable_first = await api.client.post(DISABLE, headers=headers, json={"code": "123456", "password": PASSWORD})
    await _enable(api, headers)
    setup_again = await api.client.post(SETUP, headers=headers)

    assert enable_first.status_code == 409
    assert disable_first.status_code == 409
    assert setup_again.status_code == 409


@pytest.mark.parametrize("path", [SETUP, ENABLE, DISABLE])
async def test_the_setup_routes_need_a_signed_in_caller(api: Api, path: str) -> None:
    response = await api.client.post(path, json={"code": "123456", "password": PASSWORD})

    assert response.status_code == 401


async def _bare_admin(api: Api) -> dict[str, str]:
    """An admin signed in with a password only (two-factor not set up yet)."""
    container = build_container(api.settings)
    try:
        async with container() as request:
            await (await request.get(CreateAdmin))("root@example.org", PASSWORD, "Root")
    finally:
        await container.close()
    return _bearer(await api.login("root@example.org"))


async def test_an_admin_has_no_admin_powers_until_two_factor_is_on(api: Api) -> None:
    headers = await _bare_admin(api)

    before = await api.client.get("/api/v1/admin/users", headers=headers)
    own_account = await api.client.get(ME, headers=headers)
    secret, _ = await _enable(api, headers)
    after = await api.client.get("/api/v1/admin/users", headers=headers)  # the same session, at once
    code = rfc6238(secret, api.clock.now())
    off = await api.client.post(DISABLE, headers=headers, json={"code": code, "password": PASSWORD})
    after_off = await api.client.get("/api/v1/admin/users", headers=headers)

    assert before.status_code == 403
    assert "two-factor" in before.json()["detail"]
    assert own_account.status_code == 200  # signed in, and able to turn it on
    assert after.status_code == 200
    assert off.status_code == 204
    assert after_off.status_code == 403


async def test_the_admin_requirement_can_be_turned_off(make_settings: Callable[..., Settings]) -> None:
    async with api_with(make_settings, admin_two_factor_required=False) as api:
        headers = await _bare_admin(api)

        response = await api.client.get("/api/v1/admin/users", headers=headers)

        assert response.status_code == 200


async def test_the_export_says_two_factor_is_on_and_never_holds_the_secret(api: Api) -> None:
    headers = await _signed_in(api, "amara@example.org")
    secret, codes = await _enable(api, headers)
    assert (await _verify(api, await _challenge(api, "amara@example.org"), codes[0])).status_code == 200

    export = await api.client.get("/api/v1/users/me/export", headers=headers)

    assert export.status_code == 200
    assert export.json()["two_factor"]["enabled"] is True
    assert export.json()["two_factor"]["recovery_codes_left"] == 9
    assert secret not in export.text
    assert export.json()["notification_settings"]["digest"] == "daily"
