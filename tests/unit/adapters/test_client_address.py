"""The client address behind proxies: the rightmost X-Forwarded-For hop that is not one of ours."""

from __future__ import annotations

from typing import Any

import pytest

from skillbridge.adapters.http.client_address import TrustedProxies, client_address

PROXIES = TrustedProxies.parse(["10.0.0.0/8", "127.0.0.1", "::1"])


def scope(peer: str, *forwarded: str) -> dict[str, Any]:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return {"type": "http", "client": (peer, 40000), "headers": headers}


# (peer, X-Forwarded-For headers, trusted proxies, the address the rule gives)
CASES = [
    ("41.58.1.1", (), PROXIES, "41.58.1.1"),  # no proxy in between
    ("41.58.1.1", ("1.2.3.4",), PROXIES, "41.58.1.1"),  # the header of an untrusted peer is the client's own words
    ("10.0.0.5", ("41.58.1.1",), PROXIES, "41.58.1.1"),  # one proxy of ours
    ("10.0.0.5", ("6.6.6.6, 41.58.1.1",), PROXIES, "41.58.1.1"),  # the client wrote 6.6.6.6 itself
    ("10.0.0.5", ("6.6.6.6, 41.58.1.1, 10.0.0.9",), PROXIES, "41.58.1.1"),  # two proxies of ours
    ("10.0.0.5", ("6.6.6.6", "41.58.1.1"), PROXIES, "41.58.1.1"),  # the header sent twice: one list
    ("127.0.0.1", ("10.1.1.1, 10.2.2.2",), PROXIES, "10.1.1.1"),  # only our hops: the leftmost is the closest
    ("10.0.0.5", (), PROXIES, "10.0.0.5"),  # a proxy of ours that sent no header
    ("10.0.0.5", ("41.58.1.1",), TrustedProxies(), "10.0.0.5"),  # no proxies configured: header ignored
    ("::1", ("2001:db8::7",), PROXIES, "2001:db8::7"),
]


@pytest.mark.parametrize(("peer", "forwarded", "proxies", "expected"), CASES)
def test_the_client_is_the_rightmost_hop_not_among_our_proxies(
    peer: str, forwarded: tuple[str, ...], proxies: TrustedProxies, expected: str
) -> None:
    assert client_address(scope(peer, *forwarded), proxies) == expected


def test_a_scope_without_a_client_is_unknown() -> None:
    assert client_address({"type": "http", "headers": []}, PROXIES) == "unknown"


def test_proxies_must_be_addresses_or_networks() -> None:
    with pytest.raises(ValueError, match=r"proxy\.internal"):
        TrustedProxies.parse(["10.0.0.0/8", "proxy.internal"])
