"""A thread's reply tree, built from its posts without recursion.

The posts of a thread are fetched in one query (by ``root_id``) and arranged here: each post under its
parent, siblings ordered by ``(created_at, id)``. Building, searching and measuring walk the tree with
explicit stacks, so a deep thread cannot exhaust Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from uuid import UUID

from skillbridge.domain.errors import NotFound
from skillbridge.domain.forum.model import ForumPost
from skillbridge.domain.texts import N_


@dataclass(slots=True)
class PostNode:
    """A post and its replies (oldest first)."""

    post: ForumPost
    replies: list[PostNode] = field(default_factory=list)

    def walk(self) -> Iterator[tuple[PostNode, int]]:
        """Every node of this subtree with its depth below this node (0 for this one), depth first in order."""
        stack: list[tuple[PostNode, int]] = [(self, 0)]
        while stack:
            node, depth = stack.pop()
            yield node, depth
            stack.extend((reply, depth + 1) for reply in reversed(node.replies))

    def find(self, post_id: UUID) -> PostNode:
        """The node of ``post_id`` in this subtree. Raises NotFound."""
        found = next((node for node, _ in self.walk() if node.post.id == post_id), None)
        if found is None:
            raise NotFound(N_("post not found"))
        return found


def build_tree(root_id: UUID, posts: Iterable[ForumPost]) -> PostNode:
    """The tree of the thread ``root_id`` from its posts (the root among them), in any order.

    A reply whose parent is not among ``posts`` (which valid data never has) hangs under the root, so
    every post appears exactly once. Raises NotFound if the root is missing.
    """
    ordered = sorted(posts, key=lambda post: (post.created_at, post.id))
    nodes = {post.id: PostNode(post) for post in ordered}
    root = nodes.get(root_id)
    if root is None:
        raise NotFound(N_("post not found"))
    for post in ordered:
        if post.id == root_id:
            continue
        parent = nodes.get(post.parent_id) if post.parent_id is not None else None
        (parent or root).replies.append(nodes[post.id])
    return root


def depth_of(post_id: UUID, posts: Iterable[ForumPost]) -> int:
    """How many levels ``post_id`` sits below its thread's root (0 for the root), following parent links
    among ``posts`` (a cycle or a missing link ends the walk)."""
    parents = {post.id: post.parent_id for post in posts}
    depth, seen, current = 0, {post_id}, parents.get(post_id)
    while current is not None and current not in seen:
        seen.add(current)
        depth += 1
        current = parents.get(current)
    return depth
