"""Posting to the forum: a new thread or a reply, and the notification of the post replied to."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.forum.content import clean_content, clean_title
from skillbridge.application.forum.search_cache import ThreadSearches
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.html_sanitizer import HtmlSanitizer
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.errors import Conflict, InvalidInput, NotFound
from skillbridge.domain.forum.model import ForumPost
from skillbridge.domain.forum.rules import MAX_REPLY_DEPTH, category_slug, title_from_text
from skillbridge.domain.notifications.model import NotificationType
from skillbridge.domain.texts import N_, Text


@dataclass(frozen=True, slots=True)
class NewPost:
    """What a member sends to post: ``parent_id`` set for a reply (whose category may be left out)."""

    content: str
    category: str | None = None
    title: str | None = None
    parent_id: UUID | None = None


class CreatePost:
    """Post a new thread or a reply.

    Rules:
    - any signed-in member whose email address is verified posts (Forbidden, field ``email``, before);
      content is sanitised and titles stripped of tags before the limits of
      :mod:`skillbridge.domain.forum.rules` apply (a thread needs a category and a title, a reply has no
      title and takes its thread's category: another one is refused); a thread sent without a title takes
      the start of its content's text as its title (:func:`title_from_text`);
    - a reply names an existing post (else InvalidInput on ``parent_id``) that is not deleted (Conflict)
      and not nested :data:`MAX_REPLY_DEPTH` levels deep already (InvalidInput, judged on the parent's
      stored ``depth``; the reply stores its own as the parent's + 1);
    - the author of the post replied to gets a ``forum_reply`` notification in the same transaction,
      unless they reply to themselves;
    - this process's kept search answers are forgotten once the post is stored (a reply changes its thread's
      count and activity), so the author finds it on their next search.
    """

    def __init__(
        self, uow: UnitOfWork, sanitizer: HtmlSanitizer, notifier: Notifier, clock: Clock, searches: ThreadSearches
    ) -> None:
        self._uow = uow
        self._sanitizer = sanitizer
        self._notifier = notifier
        self._clock = clock
        self._searches = searches

    async def __call__(self, principal: Principal, new: NewPost) -> ForumPost:
        principal.require_verified()
        is_thread = new.parent_id is None
        content = clean_content(self._sanitizer, new.content)
        raw_title = new.title
        if is_thread and raw_title is None:
            raw_title = title_from_text(self._sanitizer.plain(content))
        title = clean_title(self._sanitizer, raw_title, is_thread=is_thread)
        category = None if new.category is None else category_slug(new.category)
        now = self._clock.now()
        async with self._uow as uow:
            if new.parent_id is None:
                if category is None:
                    raise InvalidInput(N_("a thread needs a category"), field="category")
                post = ForumPost(principal.user_id, category, content, now, now, title=title)
                await uow.forum_posts.add(post)
            else:
                parent = await self._parent(uow, new.parent_id)
                if category is not None and category != parent.category:
                    raise InvalidInput(
                        N_("a reply is in its thread's category ({category})"),
                        field="category",
                        params={"category": parent.category},
                    )
                post = ForumPost(
                    principal.user_id,
                    parent.category,
                    content,
                    now,
                    now,
                    parent_id=parent.id,
                    root_id=parent.thread_id,
                    depth=parent.depth + 1,
                )
                await uow.forum_posts.add(post)
                if parent.author_id != principal.user_id:
                    await self._notify(uow, principal, parent, post)
            await uow.commit()
        self._searches.forget_all()
        return post

    @staticmethod
    async def _parent(uow: UnitOfWork, parent_id: UUID) -> ForumPost:
        try:
            parent = await uow.forum_posts.get(parent_id)
        except NotFound:
            raise InvalidInput(N_("the post replied to does not exist"), field="parent_id") from None
        if parent.is_deleted:
            raise Conflict(N_("the post replied to was deleted"), field="parent_id")
        if parent.depth >= MAX_REPLY_DEPTH:  # the stored depth: the thread is never loaded to measure it
            raise InvalidInput(
                N_("replies nest at most {max_reply_depth} levels deep"),
                field="parent_id",
                params={"max_reply_depth": MAX_REPLY_DEPTH},
            )
        return parent

    async def _notify(self, uow: UnitOfWork, principal: Principal, parent: ForumPost, reply: ForumPost) -> None:
        names = await uow.forum_posts.author_names([principal.user_id])
        who = names.get(principal.user_id)
        if who:
            message = N_("{who} replied to your thread") if parent.is_thread else N_("{who} replied to your post")
        else:
            message = N_("Someone replied to your thread") if parent.is_thread else N_("Someone replied to your post")
        await self._notifier.notify(
            uow,
            parent.author_id,
            NotificationType.FORUM_REPLY,
            Text(message, {"who": who} if who else {}),
            {
                "post_id": str(reply.id),
                "parent_id": str(parent.id),
                "thread_id": str(reply.thread_id),
                "author_id": str(principal.user_id),
            },
        )
