"""Changing forum posts: authors edit their own, authors and admins delete (soft), admins' deletions audited."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.forum.content import clean_content, clean_title
from skillbridge.application.forum.search_cache import ThreadSearches
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.html_sanitizer import HtmlSanitizer
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.errors import Conflict, Forbidden, InvalidInput
from skillbridge.domain.forum.model import ForumPost
from skillbridge.domain.texts import N_


@dataclass(frozen=True, slots=True)
class PostEdit:
    """A new title and/or content (``None``: keep), and the version the edit is based on, if known."""

    title: str | None = None
    content: str | None = None
    expected_version: int | None = None


def _check_version(post: ForumPost, expected: int | None) -> None:
    if expected is not None and expected != post.version:
        raise Conflict(
            N_("the post is at version {version}, not {expected}; reload and try again"),
            field="version",
            params={"version": post.version, "expected": expected},
        )


class EditPost:
    """Change the title (threads only) or content of one's own post.

    Rules:
    - only the author edits (anyone else, admins included, gets Forbidden: moderators delete, they do
      not rewrite); a deleted post cannot be edited (Conflict);
    - at least one of title and content; both sanitised and checked as when posting;
    - ``expected_version``, when given (``If-Match`` or the body), must be the stored version, else
      Conflict; without it, of two simultaneous edits one fails with Conflict (optimistic locking).
    """

    def __init__(self, uow: UnitOfWork, sanitizer: HtmlSanitizer, clock: Clock, searches: ThreadSearches) -> None:
        self._uow = uow
        self._sanitizer = sanitizer
        self._clock = clock
        self._searches = searches

    async def __call__(self, principal: Principal, post_id: UUID, edit: PostEdit) -> ForumPost:
        if edit.title is None and edit.content is None:
            raise InvalidInput(N_("send a new title or content"), field="content")
        async with self._uow as uow:
            post = await uow.forum_posts.get(post_id)
            if post.author_id != principal.user_id:
                raise Forbidden(N_("only its author edits a post"))
            if post.is_deleted:
                raise Conflict(N_("a deleted post cannot be edited"))
            _check_version(post, edit.expected_version)
            title = None if edit.title is None else clean_title(self._sanitizer, edit.title, is_thread=post.is_thread)
            content = None if edit.content is None else clean_content(self._sanitizer, edit.content)
            stored = await uow.forum_posts.update(post.edited(title, content, self._clock.now()))
            await uow.commit()
        self._searches.forget_all()  # this process's searches find the new text at once
        return stored


class DeletePost:
    """Soft-delete a post.

    Rules:
    - its author or an admin deletes it; anyone else gets Forbidden;
    - the post keeps its place (replies stay under it) but loses title and content; deleting it again
      changes nothing;
    - an admin deleting someone else's post is audited (``forum.post_deleted``, with the author and thread).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, searches: ThreadSearches) -> None:
        self._uow = uow
        self._clock = clock
        self._searches = searches

    async def __call__(self, principal: Principal, post_id: UUID) -> None:
        async with self._uow as uow:
            post = await uow.forum_posts.get(post_id)
            is_author = post.author_id == principal.user_id
            if not is_author and not principal.is_admin:
                raise Forbidden(N_("only its author or an admin deletes a post"))
            if post.is_deleted:
                return
            now = self._clock.now()
            await uow.forum_posts.update(post.deleted(now))
            if not is_author:
                await uow.audit.record(
                    AuditEntry(
                        action="forum.post_deleted",
                        at=now,
                        actor_id=principal.user_id,
                        subject_type="forum_post",
                        subject_id=str(post.id),
                        details={"author_id": str(post.author_id), "thread_id": str(post.thread_id)},
                    )
                )
            await uow.commit()
        self._searches.forget_all()  # this process's searches stop showing the post at once
