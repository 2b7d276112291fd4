"""The production topology's pieces as processes for end-to-end tests: a redis-server of the test's own, the
matcher-rs service, ``skillbridge worker`` started and stopped, and an SMTP relay that can hold mail
mid-delivery (its sender's job is then in flight, for a test to kill the sender)."""

from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session

from tests.e2e.test_server_process import SKILLBRIDGE, Server, _environment, _wait_until_healthy
from tests.support.matching import service_binary

WAIT_SECONDS = 20.0
#: A process's start, on a loaded machine (as test_server_process's).
START_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_for(predicate: Any, what: str, seconds: float = WAIT_SECONDS) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, f"waited {seconds} s for {what}"
        await asyncio.sleep(0.05)


@asynccontextmanager
async def redis_server(port: int) -> AsyncIterator[asyncio.subprocess.Process]:
    """A throwaway redis-server on ``port`` (no persistence): the shared one must not be stopped."""
    executable = shutil.which("redis-server")
    assert executable, "redis-server is not installed (Debian: apt-get install redis-server)"
    process = await asyncio.create_subprocess_exec(
        executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        await wait_for(lambda: _answers(port), f"redis-server on {port}")
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@asynccontextmanager
async def matcher_service() -> AsyncIterator[tuple[str, asyncio.subprocess.Process]]:
    """The matcher-rs service on a free port: its base URL and process."""
    process = await asyncio.create_subprocess_exec(
        str(service_binary()), env={"MATCHER_BIND": "127.0.0.1:0", "PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), WAIT_SECONDS)).decode()
        assert line.startswith("listening on 127.0.0.1:"), line
        yield f"http://{line.removeprefix('listening on ').strip()}", process
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


class HoldingRelay:
    """An SMTP relay that, while ``holding``, leaves every message's DATA unanswered (its sender is mid-job),
    and otherwise accepts them (``accepted``: their recipients; ``messages``: the accepted mail)."""

    def __init__(self, *, holding: bool = True) -> None:
        self.holding = holding
        self.held: list[list[str]] = []
        self.accepted: list[list[str]] = []
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's name
        if self.holding:
            with self._lock:
                self.held.append(list(envelope.rcpt_tos))
            await asyncio.sleep(3600)  # the sender dies meanwhile; cancelled when the relay stops
        mail = cast(EmailMessage, message_from_bytes(bytes(envelope.content or b""), policy=policy.default))
        with self._lock:
            self.accepted.append(list(envelope.rcpt_tos))
            self.messages.append(mail)
        return "250 Message accepted for delivery"

    def mail_to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [
                mail for recipients, mail in zip(self.accepted, self.messages, strict=True) if address in recipients
            ]


@contextmanager
def smtp_relay(*, holding: bool = True) -> Iterator[tuple[int, HoldingRelay]]:
    relay = HoldingRelay(holding=holding)
    controller = Controller(relay, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, relay
    finally:
        controller.stop()


def _made(directory: Path) -> Path:
    directory.mkdir(exist_ok=True)
    return directory


def log_text(log: Path) -> str:
    return log.read_text("utf-8")


async def start_worker(directory: Path, *args: str, **settings: str) -> tuple[asyncio.subprocess.Process, Path]:
    """``skillbridge worker ARGS`` (with the scheduler unless ``--no-scheduler``), once it has started; its log
    file (in ``directory``)."""
    log = _made(directory) / "worker.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            str(SKILLBRIDGE), "worker", *args, env=_environment(directory, **settings), stdout=out, stderr=out,
            stdin=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
    await wait_for(
        lambda: process.returncode is not None or '"worker_started"' in log_text(log), "the worker", START_SECONDS
    )
    assert process.returncode is None, log_text(log)
    return process, log


async def stop_worker(process: asyncio.subprocess.Process, log: Path) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), WAIT_SECONDS)
        assert code == 0, f"the worker exited with {code} on SIGTERM:\n{log_text(log)}"


async def start_server(directory: Path, **settings: str) -> Server:
    """``skillbridge serve`` on a free port, once healthy; the caller stops (or kills) it."""
    _made(directory)
    port = free_port()
    stdout, stderr = directory / "stdout.log", directory / "stderr.log"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = await asyncio.create_subprocess_exec(
            str(SKILLBRIDGE), "serve", "--host", "127.0.0.1", "--port", str(port),
            env=_environment(directory, **settings), stdout=out, stderr=err, stdin=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
    server = Server(base_url=f"http://127.0.0.1:{port}", process=process, stdout=stdout, stderr=stderr)
    try:
        await _wait_until_healthy(server)
    except BaseException:
        await kill(process)
        raise
    return server


async def kill(process: asyncio.subprocess.Process) -> int:
    """SIGKILL, as a crash or the OOM killer ends a process (no shutdown of any kind); its exit code."""
    if process.returncode is None:
        process.kill()
    return await process.wait()
