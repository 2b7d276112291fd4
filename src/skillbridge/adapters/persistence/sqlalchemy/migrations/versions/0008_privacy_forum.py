"""Forum post depth, and plain-text profiles.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

- ``forum_posts.depth``: how many levels below its thread's opening post a post sits (0 for a thread), set
  at insert from the parent's; filled here level by level from the parent links. The nesting limit reads
  it instead of loading the thread. ``ix_forum_posts_root_id_created_at_id`` serves the pages of a thread's
  replies.
- The free-text profile fields others read (``display_name``, ``bio``, ``location.city`` in
  ``users.profile``) become plain text, as new input now is: tags removed (``script``/``style`` and the like
  with their content), entities decoded, until nothing changes. The rule is written out here, frozen, so
  that a later change of the service's sanitiser does not change what this migration did.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

import nh3
import sqlalchemy as sa
from alembic import context, op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DROPPED_WITH_CONTENT = {"script", "style", "template", "noscript", "iframe", "object", "embed", "textarea"}
_MAX_DEPTH = 50  # the forum's nesting limit: no stored reply is deeper


def _plain(text: str) -> str:
    for _ in range(8):
        stripped = html.unescape(
            nh3.clean(text, tags=set(), clean_content_tags=set(_DROPPED_WITH_CONTENT), strip_comments=True)
        )
        if stripped == text:
            return text
        text = stripped
    return text.replace("<", "").replace(">", "")


def _plain_profile(profile: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(profile)
    for name in ("display_name", "bio"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = _plain(cleaned[name]).strip() or None
    location = cleaned.get("location")
    if isinstance(location, dict) and isinstance(location.get("city"), str):
        cleaned["location"] = {**location, "city": _plain(location["city"]).strip() or None}
    return cleaned


def _fill_depths() -> None:
    """Every post starts at 0; pass ``level`` moves each post whose parent sits at ``level - 1`` to ``level``.
    After pass L, posts at most L deep have their depth and deeper ones hold L, so 50 passes settle all."""
    posts = sa.table(
        "forum_posts", sa.column("id", sa.Uuid()), sa.column("parent_id", sa.Uuid()), sa.column("depth", sa.Integer())
    )
    parents = posts.alias("parents")
    for level in range(1, _MAX_DEPTH + 1):  # one statement per level, so ``--sql`` can print them too
        known = sa.select(parents.c.id).where(parents.c.depth == level - 1)
        op.execute(posts.update().where(posts.c.parent_id.in_(known)).values(depth=level))


def _clean_profiles() -> None:
    bind = op.get_bind()
    users = sa.table("users", sa.column("id"), sa.column("profile", sa.JSON()))  # ids as stored, untouched
    for user_id, profile in bind.execute(sa.select(users.c.id, users.c.profile)).all():
        document = json.loads(profile) if isinstance(profile, str) else profile
        if not isinstance(document, dict):
            continue
        cleaned = _plain_profile(document)
        if cleaned != document:
            bind.execute(users.update().where(users.c.id == user_id).values(profile=cleaned))


def upgrade() -> None:
    op.add_column("forum_posts", sa.Column("depth", sa.Integer(), nullable=False, server_default=sa.text("0")))
    _fill_depths()
    op.create_index("ix_forum_posts_root_id_created_at_id", "forum_posts", ["root_id", "created_at", "id"])
    if not context.is_offline_mode():  # rewriting documents needs to read them
        _clean_profiles()


def downgrade() -> None:
    # The profiles stay plain text: the markup removed is not kept anywhere to restore.
    op.drop_index("ix_forum_posts_root_id_created_at_id", table_name="forum_posts")
    with op.batch_alter_table("forum_posts") as batch:
        batch.drop_column("depth")
