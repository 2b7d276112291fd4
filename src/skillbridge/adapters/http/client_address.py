"""The client's address, as far as it can be trusted.

Behind proxies, ``X-Forwarded-For`` lists the hops a request went through, each proxy appending the
address it received the request from. Only the entries added by proxies we run are trustworthy: the
leftmost entries are whatever the client wrote. So the client is the rightmost address that is not one of
our proxies, reading from the socket's peer leftwards, and only while each hop so far is a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from litestar.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class TrustedProxies:
    """The proxies whose ``X-Forwarded-For`` entries are believed (none: the header is ignored)."""

    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> TrustedProxies:
        """From addresses or CIDR blocks (``10.0.0.0/8``, ``127.0.0.1``, ``::1``).

        Raises:
            ValueError: an entry is not an address or network.
        """
        return cls(tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()))

    def trusts(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)


def _forwarded_for(scope: Scope) -> list[str]:
    hops: list[str] = []
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-for":
            hops.extend(part.strip() for part in value.decode("latin-1").split(","))
    return [hop for hop in hops if hop]


def client_address(scope: Scope, proxies: TrustedProxies) -> str:
    """The address of the client that sent the request in ``scope``."""
    client = scope.get("client")
    peer = client[0] if client else "unknown"
    if not proxies.networks or not proxies.trusts(peer):
        return peer
    hops: Sequence[str] = _forwarded_for(scope)
    for hop in reversed(hops):
        if not proxies.trusts(hop):
            return hop
    # Every hop is one of ours (or there is none): the leftmost is the closest we know to the client.
    return hops[0] if hops else peer
