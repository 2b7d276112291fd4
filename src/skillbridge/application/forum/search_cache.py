"""Thread lists and full-text thread searches, kept a short while per process (:class:`ShortLivedAnswers`).

A ranked search reads every matching thread (``?q=python`` ranks most of the forum), and a page of the list
reads its threads' reply counts and last activity, so a popular read costs the database milliseconds each
time, while its answer changes only when someone posts.
"""

from __future__ import annotations

from skillbridge.application.short_lived_answers import ShortLivedAnswers
from skillbridge.domain.forum.model import ThreadQuery, ThreadSummary
from skillbridge.domain.pagination import Page


class ThreadSearches(ShortLivedAnswers[ThreadQuery, Page[ThreadSummary]]):
    """The answers of thread lists and full-text thread searches, each read from the database at most once
    per ``ttl`` in this process.

    - An answer is the same for every member (the forum has no per-reader visibility), so the query alone is
      the key: text, category and page.
    - A post made, edited or deleted through this process forgets every answer here at once
      (:meth:`forget_all`; so does any other write the process commits, through the composition root), so
      its author finds it on their next read; another process's answers show it within ``ttl`` (the
      staleness bound the setting ``SKILLBRIDGE_FORUM_SEARCH_CACHE_SECONDS`` states).
    """
