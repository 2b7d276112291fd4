"""The forum's HTML sanitiser on nh3 (the Rust ``ammonia`` library): an allow-list, not a deny-list.

Whatever is not on the list goes: other tags (their text stays, except ``script``, ``style`` and the
like, which go with their content), every attribute but ``a href``, comments, and every link whose
scheme is not ``http``, ``https`` or ``mailto``. Relative links go too: a post links to full addresses,
so a reader sees where a link leads. ammonia parses like a browser (html5ever), so encoded, mixed-case or
malformed tricks are judged on what a browser would see.
"""

from __future__ import annotations

import html

import nh3

from skillbridge.application.ports.html_sanitizer import HtmlSanitizer

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "a"})
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}, "*": set()}  # "*": no generic ones (title, lang)
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"
#: Rounds of stripping and decoding before giving up on text that keeps changing (entities nested deeper
#: than this lose their angle brackets instead).
MAX_PLAIN_ROUNDS = 8
# Elements dropped with their content: their text is code or styling, never prose.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "iframe", "object", "embed", "textarea"})


class Nh3HtmlSanitizer(HtmlSanitizer):
    """:class:`HtmlSanitizer` on nh3."""

    def clean(self, html: str) -> str:
        return nh3.clean(
            html,
            tags=set(ALLOWED_TAGS),
            clean_content_tags=set(DROPPED_WITH_CONTENT),
            attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
            url_schemes=set(URL_SCHEMES),
            link_rel=LINK_REL,
            url_relative="deny",
            strip_comments=True,
        )

    def text(self, html: str) -> str:
        return nh3.clean(html, tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT), strip_comments=True)

    def plain(self, text: str) -> str:
        for _ in range(MAX_PLAIN_ROUNDS):
            stripped = html.unescape(self.text(text))
            if stripped == text:
                return text
            text = stripped
        return text.replace("<", "").replace(">", "")
