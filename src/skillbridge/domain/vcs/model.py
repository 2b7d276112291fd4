"""Repositories and commits, as the VCS gateway and the webhook report them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: At most this many characters of a commit message are kept (the first line is what a timeline shows).
MAX_STORED_MESSAGE = 1000
#: At most this many changed paths are kept per commit (GitHub itself caps a push payload's lists at 3000).
MAX_STORED_FILES = 300


@dataclass(frozen=True, slots=True)
class RepositoryInfo:
    """A repository: its canonical ``owner/name``, owner login (and GitHub's numeric id of the owner, when
    known), visibility and web address."""

    full_name: str
    owner_login: str
    private: bool
    html_url: str
    default_branch: str = "main"
    owner_id: int | None = None


@dataclass(frozen=True, slots=True)
class Commit:
    """One commit. ``author_login`` is the GitHub account of the author when GitHub knows it; ``author_id`` is
    that account's numeric id when GitHub vouches for it (see the sources); ``timestamp`` is what the author's
    tools wrote, so it proves nothing; ``files_changed`` is ``None`` when the source does not say (GitHub's
    commit list does not)."""

    sha: str
    message: str
    url: str
    timestamp: datetime
    author_name: str | None = None
    author_login: str | None = None
    files_changed: tuple[str, ...] | None = None
    author_id: int | None = None

    def details(self, repository: str) -> dict[str, Any]:
        """The progress-log details of this commit in ``repository``."""
        return {
            "repo": repository,
            "commit_hash": self.sha,
            "message": self.message[:MAX_STORED_MESSAGE],
            "url": self.url,
            "timestamp": self.timestamp.isoformat(),
            "author": {"name": self.author_name, "login": self.author_login, "id": self.author_id},
            "files_changed": None if self.files_changed is None else list(self.files_changed[:MAX_STORED_FILES]),
            "files_changed_count": None if self.files_changed is None else len(self.files_changed),
        }
