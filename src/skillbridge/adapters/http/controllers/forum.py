"""/api/v1/forum/posts: the community forum, for signed-in members (401 without a token).

Threads and replies are posts: a thread has a category and a title; a reply names its ``parent_id`` and
joins that post's thread. The list shows threads only, searched with ``q`` (full-text and ranked on
PostgreSQL); one post comes with a page of its reply tree (``replies_limit``, ``replies_offset``).
Authors edit their own posts (``If-Match`` or
``version``: 409 when stale); authors and admins delete (soft: the thread keeps its shape).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from skillbridge.adapters.http.auth import SECURITY
from skillbridge.adapters.http.conditional import conditional_response, expected_version
from skillbridge.adapters.http.controllers.users import MAX_OFFSET
from skillbridge.adapters.http.schemas.forum import (
    PostCreateIn,
    PostOut,
    PostPatchIn,
    PostTreeOut,
    ThreadOut,
    ThreadPage,
)
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.forum.editing import DeletePost, EditPost, PostEdit
from skillbridge.application.forum.posting import CreatePost, NewPost
from skillbridge.application.forum.reading import GetPost, ListThreads
from skillbridge.domain.forum.model import ThreadQuery
from skillbridge.domain.forum.rules import MAX_REPLIES_PAGE, MAX_SEARCH_LENGTH, category_slug, search_text
from skillbridge.domain.pagination import MAX_LIMIT, PageRequest

API_PREFIX = "/api/v1"
IfMatch = Annotated[
    str | None, HeaderParameter(name="If-Match", required=False, description="the post's ETag: 409 if it changed")
]


class ForumController(Controller):
    path = "/forum/posts"
    tags = ["forum"]
    security = SECURITY

    @post("/", status_code=HTTP_201_CREATED, summary="Start a thread, or reply to a post (parent_id)")
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PostCreateIn],
        principal: FromDishka[Principal],
        create: FromDishka[CreatePost],
    ) -> Response[PostOut]:
        new = NewPost(content=data.content, category=data.category, title=data.title, parent_id=data.parent_id)
        created = await create(principal, new)
        return conditional_response(
            request,
            PostOut.of(created),
            version=created.version,
            status_code=HTTP_201_CREATED,
            headers={"Location": f"{API_PREFIX}/forum/posts/{created.id}"},
        )

    @get("/", summary="Threads, by last activity (best match first with q)")
    async def list_threads(
        self,
        request: Request[Any, Any, Any],
        principal: FromDishka[Principal],
        list_threads: FromDishka[ListThreads],
        category: Annotated[str | None, QueryParameter(max_length=100, description="one category only")] = None,
        q: Annotated[
            str | None,
            QueryParameter(
                max_length=MAX_SEARCH_LENGTH,
                description='search words; on PostgreSQL web search syntax ("a phrase", -without, or)',
            ),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="page size")] = 20,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="items to skip")] = 0,
    ) -> Response[ThreadPage]:
        query = ThreadQuery(
            page=PageRequest(limit=limit, offset=offset),
            category=None if category is None else category_slug(category),
            text=search_text(q),
        )
        page = await list_threads(principal, query)
        items = [ThreadOut.of(summary) for summary in page.items]
        return conditional_response(
            request, ThreadPage(items=items, total=page.total, limit=page.limit, offset=page.offset)
        )

    @get("/{post_id:uuid}", summary="A post with one page of its reply tree")
    async def get_one(
        self,
        request: Request[Any, Any, Any],
        post_id: FromPath[UUID],
        principal: FromDishka[Principal],
        get_post: FromDishka[GetPost],
        replies_limit: Annotated[
            int, QueryParameter(ge=1, le=MAX_REPLIES_PAGE, description="replies in this page (every depth)")
        ] = MAX_REPLIES_PAGE,
        replies_offset: Annotated[
            int, QueryParameter(ge=0, le=MAX_OFFSET, description="replies to skip, oldest first")
        ] = 0,
    ) -> Response[PostTreeOut]:
        tree = await get_post(principal, post_id, PageRequest(limit=replies_limit, offset=replies_offset))
        body = PostTreeOut.of(tree.node, tree.author_names, tree.replies)
        return conditional_response(request, body, version=tree.node.post.version)

    @patch("/{post_id:uuid}", summary="Edit one's own post (title of a thread, content)")
    async def change(
        self,
        request: Request[Any, Any, Any],
        post_id: FromPath[UUID],
        data: JSONBody[PostPatchIn],
        principal: FromDishka[Principal],
        edit: FromDishka[EditPost],
        if_match: IfMatch = None,
    ) -> Response[PostOut]:
        changes = PostEdit(
            title=data.title, content=data.content, expected_version=expected_version(if_match, data.version)
        )
        changed = await edit(principal, post_id, changes)
        return conditional_response(request, PostOut.of(changed), version=changed.version)

    @delete("/{post_id:uuid}", status_code=HTTP_204_NO_CONTENT, summary="Delete a post (its author or an admin)")
    async def remove(
        self, post_id: FromPath[UUID], principal: FromDishka[Principal], delete_post: FromDishka[DeletePost]
    ) -> None:
        await delete_post(principal, post_id)
