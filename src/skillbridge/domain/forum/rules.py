"""What a forum post may hold.

- Categories are free slugs, normalised like skills (``"Machine Learning"`` -> ``"machine-learning"``,
  ``"C++"`` -> ``"cpp"``), 1 to 60 characters, so a category lines up with the skill of the same name.
  A reply takes its thread's category.
- A thread has a title (taken from the start of its content when none is sent), a reply has none.
  Titles are plain text without tags; content is HTML from a
  small set of formatting tags. Both are sanitised first; the limits apply to the result: a title of 1 to
  :data:`MAX_TITLE_LENGTH` characters, content of at most :data:`MAX_CONTENT_LENGTH` characters holding
  some text (content that sanitising empties, say a lone ``<script>``, is refused).
- Replies nest at most :data:`MAX_REPLY_DEPTH` levels below the thread, so a thread's tree stays a size
  a client can show (and a serializer can walk); each post stores its depth, so the rule is checked
  without loading the thread. A post is read with at most :data:`MAX_REPLIES_PAGE` replies at a time.
"""

from __future__ import annotations

from skillbridge.domain.accounts.profile import skill_slug
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.texts import N_

MAX_TITLE_LENGTH = 200
MAX_CONTENT_LENGTH = 20_000
MAX_CATEGORY_LENGTH = 60
MAX_SEARCH_LENGTH = 200
MAX_REPLY_DEPTH = 50
#: Most replies one read of a post returns (and its default page size); the rest come page by page.
MAX_REPLIES_PAGE = 100
#: What a client may send before sanitising (escaping can lengthen text; more is refused unread).
MAX_RAW_TITLE_LENGTH = 2 * MAX_TITLE_LENGTH
MAX_RAW_CONTENT_LENGTH = 2 * MAX_CONTENT_LENGTH


def category_slug(raw: str, field_path: str = "category") -> str:
    """The category slug of ``raw``. Raises InvalidInput if nothing or too much is left."""
    slug = skill_slug(raw)
    if not slug:
        raise InvalidInput(N_("a category needs at least one letter or digit"), field=field_path)
    if len(slug) > MAX_CATEGORY_LENGTH:
        raise InvalidInput(
            N_("a category has at most {max_category_length} characters"),
            field=field_path,
            params={"max_category_length": MAX_CATEGORY_LENGTH},
        )
    return slug


def check_title(title: str | None, *, is_thread: bool) -> str | None:
    """The (sanitised) title stripped, or None for a reply. Raises InvalidInput when a thread has none, a
    reply has one, or it is too long."""
    if not is_thread:
        if title is not None:
            raise InvalidInput(N_("a reply has no title"), field="title")
        return None
    cleaned = (title or "").strip()
    if not cleaned:
        raise InvalidInput(N_("a thread needs a title"), field="title")
    if len(cleaned) > MAX_TITLE_LENGTH:
        raise InvalidInput(
            N_("a title has at most {max_title_length} characters"),
            field="title",
            params={"max_title_length": MAX_TITLE_LENGTH},
        )
    return cleaned


#: How long a title taken from a thread's content is at most (the start of its text, cut at a word).
DERIVED_TITLE_LENGTH = 80


def title_from_text(text: str) -> str:
    """A thread's title taken from the start of its content's plain ``text`` (for a thread sent without a
    title, as the spec sends ``{category, content}``): spacing collapsed, at most
    :data:`DERIVED_TITLE_LENGTH` characters, cut after a whole word with an ellipsis when longer."""
    words = " ".join(text.split())
    if len(words) <= DERIVED_TITLE_LENGTH:
        return words
    cut = words[: DERIVED_TITLE_LENGTH - 1]
    if words[DERIVED_TITLE_LENGTH - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def check_content(content: str, text: str) -> str:
    """The sanitised ``content`` stripped; ``text`` is its text without tags. Raises InvalidInput when it
    is too long or holds no text."""
    cleaned = content.strip()
    if len(cleaned) > MAX_CONTENT_LENGTH:
        raise InvalidInput(
            N_("content has at most {max_content_length} characters"),
            field="content",
            params={"max_content_length": MAX_CONTENT_LENGTH},
        )
    if not text.strip():
        raise InvalidInput(N_("content is empty once what is not allowed is removed"), field="content")
    return cleaned


def search_text(raw: str | None) -> str | None:
    """The search text of a thread query: stripped, None when blank. Raises InvalidInput when too long."""
    if raw is None or not raw.strip():
        return None
    if len(raw) > MAX_SEARCH_LENGTH:
        raise InvalidInput(
            N_("a search has at most {max_search_length} characters"),
            field="q",
            params={"max_search_length": MAX_SEARCH_LENGTH},
        )
    return raw.strip()
