"""The free liveness check of a pooled PostgreSQL connection reads its socket whatever the descriptor's number:
a server holding thousands of streams gives its database sockets numbers above 1,023, which ``select``
refuses (every checkout failed with a 500 at 5,000 held streams)."""

from __future__ import annotations

import os
import resource
import socket
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from skillbridge.adapters.persistence.sqlalchemy.engine import _has_unread_input

HIGH_DESCRIPTOR = 1500


def _driver(sock: socket.socket) -> SimpleNamespace:
    """What the check reads of an asyncpg connection: its transport's socket."""
    return SimpleNamespace(_transport=SimpleNamespace(get_extra_info=lambda name: sock if name == "socket" else None))


@pytest.fixture
def high_socket_pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard <= HIGH_DESCRIPTOR:
        pytest.fail(f"the hard limit of open files ({hard}) leaves no room for descriptor {HIGH_DESCRIPTOR}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, HIGH_DESCRIPTOR + 1), hard))
    ours, theirs = socket.socketpair()
    os.dup2(ours.fileno(), HIGH_DESCRIPTOR)
    high = socket.socket(fileno=HIGH_DESCRIPTOR)
    ours.close()
    try:
        yield high, theirs
    finally:
        high.close()
        theirs.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_socket_numbered_above_select_s_limit_is_checked(
    high_socket_pair: tuple[socket.socket, socket.socket],
) -> None:
    high, peer = high_socket_pair
    assert high.fileno() > 1023
    assert _has_unread_input(_driver(high)) is False  # idle: nothing to read
    peer.sendall(b"E")  # the server's goodbye (an error message, or the end of the stream)
    assert _has_unread_input(_driver(high)) is True


def test_a_closed_peer_reads_as_unread_input(high_socket_pair: tuple[socket.socket, socket.socket]) -> None:
    high, peer = high_socket_pair
    assert _has_unread_input(_driver(high)) is False  # control
    peer.close()
    assert _has_unread_input(_driver(high)) is True
