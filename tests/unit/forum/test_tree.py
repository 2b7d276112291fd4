"""The reply tree: built without recursion, every post once, children under their parent in order."""

from __future__ import annotations

import sys
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillbridge.domain.errors import NotFound
from skillbridge.domain.forum.model import ForumPost
from skillbridge.domain.forum.tree import build_tree, depth_of
from tests.support.entities import T0
from tests.support.forum import make_reply, make_thread

AUTHOR = uuid4()


@st.composite
def threads(draw: st.DrawFn) -> list[ForumPost]:
    """A thread of any shape: each reply answers an earlier post; times may tie (ids then decide)."""
    root = make_thread(AUTHOR)
    posts = [root]
    for _ in range(draw(st.integers(0, 40))):
        parent = posts[draw(st.integers(0, len(posts) - 1))]
        minutes = draw(st.integers(0, 5))
        at = parent.created_at + timedelta(minutes=minutes)
        posts.append(make_reply(AUTHOR, parent, minutes=0, created_at=at, updated_at=at))
    return draw(st.permutations(posts))


@settings(max_examples=200, deadline=None)
@given(threads())
def test_every_post_appears_once_under_its_parent_in_order(posts: list[ForumPost]) -> None:
    root_id = next(post.id for post in posts if post.parent_id is None)
    tree = build_tree(root_id, posts)
    seen: list[UUID] = []
    for node, depth in tree.walk():
        seen.append(node.post.id)
        assert (depth == 0) == (node.post.id == root_id)
        assert all(reply.post.parent_id == node.post.id for reply in node.replies)
        keys = [(reply.post.created_at, reply.post.id) for reply in node.replies]
        assert keys == sorted(keys)
        assert depth == depth_of(node.post.id, posts)
    assert sorted(seen) == sorted(post.id for post in posts)
    assert len(seen) == len(set(seen))


def test_a_very_deep_thread_needs_no_recursion() -> None:
    root = make_thread(AUTHOR)
    posts = [root]
    for _ in range(sys.getrecursionlimit() * 2):
        posts.append(make_reply(AUTHOR, posts[-1]))
    tree = build_tree(root.id, reversed(posts))
    deepest, depth = list(tree.walk())[-1]
    assert deepest.post.id == posts[-1].id
    assert depth == len(posts) - 1
    assert tree.find(posts[-1].id).replies == []


def test_a_reply_without_its_parent_hangs_under_the_root_and_a_missing_root_is_not_found() -> None:
    root = make_thread(AUTHOR)
    stray = make_reply(AUTHOR, root, parent_id=uuid4())
    tree = build_tree(root.id, [stray, root])
    assert [node.post.id for node in tree.replies] == [stray.id]
    with pytest.raises(NotFound):
        build_tree(uuid4(), [root])
    with pytest.raises(NotFound):
        tree.find(uuid4())


def test_depth_stops_at_a_cycle() -> None:
    a, b = uuid4(), uuid4()
    first = make_thread(AUTHOR, id=a, parent_id=b, title=None)
    second = make_thread(AUTHOR, id=b, parent_id=a, title=None)
    assert depth_of(a, [first, second]) == 1


def test_edits_and_deletion_keep_the_place_in_the_thread() -> None:
    root = make_thread(AUTHOR)
    reply = make_reply(AUTHOR, root)
    assert root.is_thread and root.thread_id == root.id
    assert not reply.is_thread and reply.thread_id == root.id
    later = T0 + timedelta(days=1)
    edited = root.edited(None, "<p>new</p>", later)
    assert (edited.title, edited.content, edited.updated_at) == (root.title, "<p>new</p>", later)
    gone = reply.deleted(later)
    assert (gone.title, gone.content, gone.is_deleted, gone.parent_id) == (None, "", True, root.id)
