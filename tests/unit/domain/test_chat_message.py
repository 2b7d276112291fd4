"""Chat text cleaning and the conversation cursor."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillbridge.domain.chat.message import MAX_MESSAGE_LENGTH, ChatCursor, ChatMessage, clean_message, older_than
from skillbridge.domain.errors import InvalidInput


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Habari!  ", "Habari!"),
        ("line one\nline two\tend", "line one\nline two\tend"),
        ("bell\x07 and null\x00 gone", "bell and null gone"),
        ("right-to-left \u202eoverride\u202c removed", "right-to-left override removed"),
        ("family 👨\u200d👩\u200d👧 kept", "family 👨\u200d👩\u200d👧 kept"),
        ("e\u0301", "\u00e9"),  # NFC
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),  # plain text: shown, never run
    ],
)
def test_messages_are_plain_text_without_control_characters(raw: str, clean: str) -> None:
    assert clean_message(raw) == clean


@pytest.mark.parametrize("raw", ["", "   ", "\x00\x01", "x" * (MAX_MESSAGE_LENGTH + 1)])
def test_empty_or_too_long_messages_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        clean_message(raw)
    assert caught.value.field == "content"


@given(st.text(min_size=1, max_size=200))
def test_cleaning_is_idempotent_and_never_keeps_a_control_character(raw: str) -> None:
    try:
        once = clean_message(raw)
    except InvalidInput:
        return
    assert clean_message(once) == once
    assert all(ch in "\n\t\u200d" or ord(ch) >= 32 for ch in once)


def test_a_cursor_round_trips_and_orders_by_time_then_id() -> None:
    at = datetime(2026, 12, 3, 9, tzinfo=UTC)
    first, second = (ChatMessage(uuid4(), uuid4(), "hi", at) for _ in range(2))
    cursor = ChatCursor.after(second)
    assert ChatCursor.decode(cursor.encode()) == cursor
    assert older_than(first, cursor) is (first.id < second.id)
    assert older_than(second, cursor) is False
    assert older_than(second, None) is True


@pytest.mark.parametrize("token", ["not-base64!", "bm9waXBl", "MjAyNnxub3QtYS11dWlk"])
def test_a_foreign_cursor_is_refused(token: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        ChatCursor.decode(token)
    assert caught.value.field == "before"
