"""HtmlSanitizer port: making user-written HTML safe to show to other users."""

from __future__ import annotations

from typing import Protocol


class HtmlSanitizer(Protocol):
    """Removes from HTML everything that could run, load or restyle anything in a reader's browser."""

    def clean(self, html: str) -> str:
        """Return ``html`` keeping only the formatting tags the forum allows (``p br strong em code pre ul
        ol li blockquote`` and ``a`` with an ``http``, ``https`` or ``mailto`` ``href``, given
        ``rel="nofollow noopener noreferrer"``); every other tag goes (``script``, ``style`` and the
        like with their content), as does every other attribute. Never raises on malformed input."""
        ...

    def text(self, html: str) -> str:
        """Return ``html`` with every tag removed (the content of ``script``/``style`` too); what is left
        is text with ``<``, ``>`` and ``&`` escaped, safe to put in HTML as is."""
        ...

    def plain(self, text: str) -> str:
        """Return ``text`` as plain text to store: every tag removed (the content of ``script``/``style``
        too), entities decoded (``Tom &amp; Jerry`` -> ``Tom & Jerry``), repeated until nothing changes, so
        no tag is left even after decoding (``&lt;img src=x onerror=...&gt;`` goes too). A ``<`` or ``&``
        that starts no tag or entity stays (``a < b``). Clients still show the result as text."""
        ...
