"""The key that signs access tokens: set by the operator, or generated once per install.

``SKILLBRIDGE_SECRET_KEY`` wins when set (production requires it). Otherwise the embedded profile keeps a
random key in a file only its user may read (``SKILLBRIDGE_SECRET_KEY_FILE``, by default next to the SQLite
database under ``./var``), created at the first start and read on every later one, so tokens survive a
restart and no two installs share a key. A ``memory://`` database gets a key that lives as long as the
process, like the data.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import stat
from pathlib import Path

from skillbridge.main.settings import MIN_SECRET_BYTES, PUBLISHED_SECRET, Settings

#: Bytes of randomness in a generated key (the file holds them URL-safe base64 encoded).
GENERATED_KEY_BYTES = 48
_PRIVATE = 0o600


class SecretKeyError(RuntimeError):
    """The key file cannot be used (unreadable, empty, or readable by others)."""


def signing_secret(settings: Settings) -> str:
    """The token signing key ``settings`` call for (see the module docstring)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    if settings.uses_memory_database:
        return secrets.token_urlsafe(GENERATED_KEY_BYTES)
    return read_or_create_key_file(settings.secret_key_path)


def read_or_create_key_file(path: Path) -> str:
    """The key in ``path``, made first (mode 0600) if there is none. Several processes starting at once
    agree on one key: the file appears complete or not at all (written aside, then hard-linked in place)."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE)
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(GENERATED_KEY_BYTES) + "\n")
            with contextlib.suppress(FileExistsError):  # another process won: its key is the key
                os.link(draft, path)
        finally:
            draft.unlink(missing_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SecretKeyError(f"{path} may be read by other users (mode {mode:o}); chmod 600 it")
    key = path.read_text().strip()
    if len(key.encode()) < MIN_SECRET_BYTES:
        raise SecretKeyError(f"{path} holds no usable key (at least {MIN_SECRET_BYTES} bytes); delete it")
    return key


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only (``localhost`` or a loopback address)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def weak_secret_in_use(settings: Settings) -> bool:
    """Whether the configured key is the one published in the source, or too short to be safe."""
    if settings.secret_key is None:
        return False
    secret = settings.secret_key.get_secret_value()
    return secret == PUBLISHED_SECRET or len(secret.encode()) < MIN_SECRET_BYTES
