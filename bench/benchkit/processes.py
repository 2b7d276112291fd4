"""Child processes of a benchmark: started in their own process group (so a server and its workers stop
together), waited for over HTTP, and measured through /proc."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

STOP_GRACE_SECONDS = 10.0


def raise_open_files_limit() -> int:
    """Raise this process's soft RLIMIT_NOFILE to its hard limit; return the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65_536)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _child_setup(open_files: int | None) -> Callable[[], None] | None:
    if open_files is None:
        return None

    def setup() -> None:  # runs in the child between fork and exec
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        limit = open_files if hard == resource.RLIM_INFINITY else min(open_files, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))

    return setup


class Child:
    """A child process in its own session (process group), its output in a log file."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: dict[str, str],
        log: Path,
        cwd: Path | None = None,
        open_files: int | None = None,
    ) -> None:
        self.name = name
        self.log = log
        self._out = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - argv is built by the benchmark itself
            list(argv),
            env=env,
            cwd=cwd,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_child_setup(open_files),  # noqa: PLW1509 - only sets a resource limit
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines of the child's output."""
        if not self._out.closed:
            self._out.flush()
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def wait_http(self, url: str, timeout: float) -> None:
        """Wait until ``url`` answers 200; raise RuntimeError (with the log's tail) if the child died or
        ``timeout`` passed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.tail()}")
            with (
                contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
                urllib.request.urlopen(url, timeout=2) as response,  # noqa: S310 - loopback URL
            ):
                if response.status == 200:
                    return
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} did not answer {url} within {timeout:.0f}s:\n{self.tail()}")

    def stop(self) -> None:
        """SIGTERM the whole process group, SIGKILL it after a grace period."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)
            try:
                self.process.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.process.wait(STOP_GRACE_SECONDS)
        # Workers may outlive a master that exited on its own: the group goes in any case.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        self._out.close()


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, grandchildren ...), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    frontier = [pid]
    while frontier:
        children = parents.get(frontier.pop(), [])
        found.extend(children)
        frontier.extend(children)
    return found


def rss_kib(pid: int) -> int:
    """The resident set size of ``pid`` in KiB (0 if it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def open_files(pid: int) -> int:
    """How many file descriptors ``pid`` holds (0 if unreadable)."""
    with contextlib.suppress(OSError):
        return len(os.listdir(f"/proc/{pid}/fd"))
    return 0


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` so far (the gone ones count 0)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def wait_idle(pid: int, *, window: float = 1.0, busy_share: float = 0.05, timeout: float = 120.0) -> float:
    """Wait until ``pid`` and its descendants use under ``busy_share`` of one core over ``window`` seconds,
    so that requests a load generator left queued do not spill into the next measurement. Returns the
    seconds waited (``timeout`` at most)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        pids = [pid, *descendants(pid)]
        before = cpu_seconds(pids)
        time.sleep(window)
        if cpu_seconds(pids) - before < busy_share * window:
            break
    return time.monotonic() - started


def worker_pids(pid: int) -> list[int]:
    """The worker processes that a server started with multiprocessing's spawn (uvicorn ``--workers``)."""
    workers = []
    for child in descendants(pid):
        with contextlib.suppress(OSError):
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                workers.append(child)
    return sorted(workers)
