"""The rules of what a forum post may hold."""

from __future__ import annotations

import pytest

from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.forum.model import ThreadQuery
from skillbridge.domain.forum.rules import (
    DERIVED_TITLE_LENGTH,
    MAX_CONTENT_LENGTH,
    MAX_SEARCH_LENGTH,
    MAX_TITLE_LENGTH,
    category_slug,
    check_content,
    check_title,
    search_text,
    title_from_text,
)


def test_categories_are_slugs_like_skills() -> None:
    assert category_slug(" Machine Learning ") == "machine-learning"
    assert category_slug("C++") == "cpp"
    for bad in ("", "  ", "!!!", "x" * 61):
        with pytest.raises(InvalidInput) as caught:
            category_slug(bad)
        assert caught.value.field == "category"


def test_a_thread_needs_a_title_and_a_reply_has_none() -> None:
    assert check_title("  Hello  ", is_thread=True) == "Hello"
    assert check_title(None, is_thread=False) is None
    assert check_title("x" * MAX_TITLE_LENGTH, is_thread=True) == "x" * MAX_TITLE_LENGTH
    for title, is_thread in ((None, True), ("  ", True), ("x" * (MAX_TITLE_LENGTH + 1), True), ("hi", False)):
        with pytest.raises(InvalidInput) as caught:
            check_title(title, is_thread=is_thread)
        assert caught.value.field == "title"


def test_content_must_hold_text_within_the_limit() -> None:
    assert check_content(" <p>hi</p> ", "hi") == "<p>hi</p>"
    assert check_content("x" * MAX_CONTENT_LENGTH, "x") == "x" * MAX_CONTENT_LENGTH
    for content, text in (("<p></p>", ""), ("  ", " "), ("x" * (MAX_CONTENT_LENGTH + 1), "x")):
        with pytest.raises(InvalidInput) as caught:
            check_content(content, text)
        assert caught.value.field == "content"


def test_search_text_and_terms() -> None:
    assert search_text(None) is None
    assert search_text("   ") is None
    assert search_text(" csv  files ") == "csv  files"
    with pytest.raises(InvalidInput):
        search_text("x" * (MAX_SEARCH_LENGTH + 1))
    assert ThreadQuery(text='"CSV" Files \'x\' ""').terms == ("csv", "files", "x")
    assert ThreadQuery().terms == ()


def test_a_title_from_content_is_its_start_cut_after_a_whole_word() -> None:
    assert title_from_text("  How do I\n read   a CSV?  ") == "How do I read a CSV?"
    exact = "x" * DERIVED_TITLE_LENGTH
    assert title_from_text(exact) == exact  # at the limit: whole, no ellipsis
    words = "alpha " * 30
    title = title_from_text(words)
    assert title == ("alpha " * 13).strip() + "\u2026"  # 13 whole words (83 chars would be too many)
    assert len(title) <= DERIVED_TITLE_LENGTH
    one_long_word = "y" * 200
    assert title_from_text(one_long_word) == "y" * (DERIVED_TITLE_LENGTH - 1) + "\u2026"
    assert title_from_text("   ") == ""  # no text: check_title then refuses it
