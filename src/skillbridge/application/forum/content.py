"""Turning what a member typed into what the forum stores: sanitised, then checked against the rules."""

from __future__ import annotations

from skillbridge.application.ports.html_sanitizer import HtmlSanitizer
from skillbridge.domain.forum.rules import check_content, check_title


def clean_title(sanitizer: HtmlSanitizer, raw: str | None, *, is_thread: bool) -> str | None:
    """The title to store: tags removed, then checked (required for a thread, refused for a reply)."""
    return check_title(None if raw is None else sanitizer.text(raw), is_thread=is_thread)


def clean_content(sanitizer: HtmlSanitizer, raw: str) -> str:
    """The content to store: sanitised, then checked (not too long, not empty once sanitised)."""
    content = sanitizer.clean(raw)
    return check_content(content, sanitizer.text(content))
