"""/api/v1/matches: recommendations, requests, the mentorship lifecycle and matching rounds.

POST answers 201 with a pending match when a mentor was found (the chosen one, or the best eligible one)
and 202 with a waiting request when nobody fits right now (the next matching round picks it up); both
carry a Location. GET of one match carries an ETag with its version for If-Match on PATCH.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from skillbridge.adapters.http.access import only
from skillbridge.adapters.http.auth import SECURITY
from skillbridge.adapters.http.calendar import CALENDAR_MEDIA_TYPE, schedule_calendar
from skillbridge.adapters.http.conditional import conditional_response, expected_version
from skillbridge.adapters.http.controllers.users import MAX_OFFSET
from skillbridge.adapters.http.schemas.chat import ChatMessageIn, ChatMessageOut, ChatPageOut
from skillbridge.adapters.http.schemas.matches import (
    BlockIn,
    BlockOut,
    BlockPage,
    MatchCreateIn,
    MatchingRoundOut,
    MatchOut,
    MatchPage,
    MatchPatchIn,
    RecommendationList,
    RecommendedMentorOut,
    RoundIn,
    RoundOut,
)
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.chat.messaging import MAX_PAGE, ReadChat, SendChatMessage
from skillbridge.application.matching.blocks import BlockLearner, ListMyBlocks, UnblockLearner
from skillbridge.application.matching.changes import ChangeMatch
from skillbridge.application.matching.policy import MAX_RECOMMENDATIONS
from skillbridge.application.matching.reading import GetMatch, ListMyMatches
from skillbridge.application.matching.recommendations import NeedsQuery, RecommendMentors
from skillbridge.application.matching.requests import RequestMentor
from skillbridge.application.matching.round_jobs import GetMatchingRound, StartMatchingRound
from skillbridge.application.ports.clock import Clock
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.chat.message import ChatCursor
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.matching.mentorship import MatchStatus
from skillbridge.domain.pagination import MAX_LIMIT, PageRequest
from skillbridge.domain.texts import N_

API_PREFIX = "/api/v1"
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="page size")]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="items to skip")]
_STATUS_NAMES = "|".join(status.value for status in MatchStatus)
STATUS_LIST_PATTERN = rf"^\s*({_STATUS_NAMES})\s*(,\s*({_STATUS_NAMES})\s*)*$"
IfMatch = Annotated[
    str | None, HeaderParameter(name="If-Match", required=False, description="the match's ETag: 409 if it changed")
]


def _statuses(raw: str | None) -> frozenset[MatchStatus] | None:
    """``?status=pending,active`` as statuses; None for every status."""
    if raw is None or not raw.strip():
        return None
    known = {status.value: status for status in MatchStatus}
    chosen = set()
    for name in (part.strip() for part in raw.split(",") if part.strip()):
        if name not in known:
            raise InvalidInput(
                N_("unknown status {name}"), field="status", allowed=sorted(known), params={"name": repr(name)}
            )
        chosen.add(known[name])
    return frozenset(chosen)


def _skills(raw: str | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    return tuple(part for part in (item.strip() for item in raw.split(",")) if part)


class MatchesController(Controller):
    path = "/matches"
    tags = ["matching"]
    security = SECURITY

    @get(
        "/recommendations",
        opt=only(Role.LEARNER),
        summary="The best mentors for the signed-in learner, each with its score components",
    )
    async def recommendations(
        self,
        principal: FromDishka[Principal],
        recommend: FromDishka[RecommendMentors],
        k: Annotated[int, QueryParameter(ge=1, le=MAX_RECOMMENDATIONS, description="how many mentors")] = 10,
        skills: Annotated[
            str | None, QueryParameter(max_length=2000, description="comma-separated skills (default: profile)")
        ] = None,
        hours_per_week: Annotated[
            int | None, QueryParameter(ge=1, le=168, description="hours a week wanted (default: profile)")
        ] = None,
        remote_ok: Annotated[bool, QueryParameter(description="remote mentoring suits the learner")] = True,
        domain: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> RecommendationList:
        query = NeedsQuery(skills=_skills(skills), hours_per_week=hours_per_week, remote_ok=remote_ok, domain=domain)
        found = await recommend(principal, query, k)
        return RecommendationList(items=[RecommendedMentorOut.of(item) for item in found], total=len(found))

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        opt=only(Role.LEARNER),
        summary="Ask for a mentor (learners)",
        description="201 with a pending match (the chosen mentor if eligible, else the best eligible one; the "
        "mentor is notified and has a limited time to answer); 202 with a waiting request when nobody fits "
        "now (the next matching round assigns it); 409 if an open request exists in the same domain, the "
        "learner already holds SKILLBRIDGE_MATCH_MAX_OPEN_REQUESTS waiting or pending requests, or has an open "
        "match with the chosen mentor; 422 with the reason when the chosen mentor is not eligible, and "
        "(field learner_needs.domain, with allowed) when the domain is neither a catalog domain nor a skill "
        "some mentor offers.",
        responses={
            HTTP_202_ACCEPTED: ResponseSpec(
                data_container=MatchOut, description="No mentor fits now: the request waits", generate_examples=False
            )
        },
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[MatchCreateIn],
        principal: FromDishka[Principal],
        request_mentor: FromDishka[RequestMentor],
    ) -> Response[MatchOut]:
        mentorship = await request_mentor(principal, data.learner_needs.to_needs(), data.mentor_id)
        status = HTTP_202_ACCEPTED if mentorship.status is MatchStatus.WAITING else HTTP_201_CREATED
        return conditional_response(
            request,
            MatchOut.of(mentorship, principal.user_id),
            version=mentorship.version,
            status_code=status,
            headers={"Location": f"{API_PREFIX}/matches/{mentorship.id}"},
        )

    @get("/my", summary="The signed-in user's matches (as learner or mentor), newest first")
    async def mine(
        self,
        request: Request[Any, Any, Any],
        principal: FromDishka[Principal],
        list_mine: FromDishka[ListMyMatches],
        status: Annotated[
            str | None,
            QueryParameter(
                max_length=200,
                pattern=STATUS_LIST_PATTERN,
                description="comma-separated statuses, e.g. pending,active (default: every status)",
            ),
        ] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> Response[MatchPage]:
        page = await list_mine(principal, PageRequest(limit=limit, offset=offset), _statuses(status))
        items = [MatchOut.of(mentorship, principal.user_id) for mentorship in page.items]
        return conditional_response(
            request, MatchPage(items=items, total=page.total, limit=page.limit, offset=page.offset)
        )

    @get("/{match_id:uuid}", summary="One match (its learner or mentor)")
    async def get_one(
        self,
        request: Request[Any, Any, Any],
        match_id: FromPath[UUID],
        principal: FromDishka[Principal],
        get_match: FromDishka[GetMatch],
    ) -> Response[MatchOut]:
        mentorship = await get_match(principal, match_id)
        return conditional_response(request, MatchOut.of(mentorship, principal.user_id), version=mentorship.version)

    @get(
        "/{match_id:uuid}/schedule.ics",
        summary="The match's sessions as an iCalendar file (its learner or mentor)",
        description="VERSION 2.0 with a stable UID per session across exports: re-importing updates events.",
        media_type=CALENDAR_MEDIA_TYPE,
    )
    async def schedule(
        self, match_id: FromPath[UUID], principal: FromDishka[Principal], get_match: FromDishka[GetMatch]
    ) -> Response[bytes]:
        mentorship = await get_match(principal, match_id)
        body = schedule_calendar(mentorship, f"SkillBridge mentoring: {mentorship.domain}")
        return Response(
            content=body,
            media_type=CALENDAR_MEDIA_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="skillbridge-{mentorship.id}.ics"',
                "Cache-Control": "private, no-cache",
            },
        )

    @patch(
        "/{match_id:uuid}",
        summary="Answer, complete, cancel, rate, or plan sessions (participants)",
        description="pending -> active | rejected (mentor) | cancelled (learner); active -> completed | "
        "cancelled (either). Rating and testimonial by the learner, once, after completion. Sessions added "
        "or removed by either participant while active. 409 names the allowed transitions; send the ETag in "
        "If-Match (or `version`) to get 409 instead of overwriting a concurrent change.",
    )
    async def change(
        self,
        request: Request[Any, Any, Any],
        match_id: FromPath[UUID],
        data: JSONBody[MatchPatchIn],
        principal: FromDishka[Principal],
        change_match: FromDishka[ChangeMatch],
        if_match: IfMatch = None,
    ) -> Response[MatchOut]:
        expected = expected_version(if_match, data.version)
        mentorship = await change_match(principal, match_id, data.to_change(), expected)
        return conditional_response(request, MatchOut.of(mentorship, principal.user_id), version=mentorship.version)

    @post(
        "/{match_id:uuid}/chat",
        status_code=HTTP_201_CREATED,
        summary="Send a chat message (the two participants of an active match)",
        description="Plain text, 1-4000 characters after cleaning; 409 when the match is not active.",
    )
    async def send_message(
        self,
        match_id: FromPath[UUID],
        data: JSONBody[ChatMessageIn],
        principal: FromDishka[Principal],
        send: FromDishka[SendChatMessage],
    ) -> ChatMessageOut:
        return ChatMessageOut.of(await send(principal, match_id, data.content))

    @get(
        "/{match_id:uuid}/chat",
        summary="The match's conversation, newest first (its learner or mentor)",
        description="Pass `next_cursor` back as `before` for the older page; it is null at the beginning.",
    )
    async def read_messages(
        self,
        match_id: FromPath[UUID],
        principal: FromDishka[Principal],
        read: FromDishka[ReadChat],
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="page size")] = 50,
        before: Annotated[str | None, QueryParameter(max_length=200, description="a next_cursor")] = None,
    ) -> ChatPageOut:
        cursor = ChatCursor.decode(before) if before else None
        page = await read(principal, match_id, limit, cursor)
        return ChatPageOut(
            items=[ChatMessageOut.of(message) for message in page.items],
            next_cursor=page.next_cursor.encode() if page.next_cursor else None,
        )

    @post(
        "/rounds",
        status_code=HTTP_200_OK,
        opt=only(Role.ADMIN),
        summary="Run a matching round over the waiting requests of one domain, or of every domain (admins)",
        description="One optimal (or greedy) assignment of the waiting requests to the mentors' free places; "
        "the assigned become pending. When the domain holds at most SKILLBRIDGE_MATCH_ROUND_INLINE_MAX_REQUESTS "
        "waiting requests (2,000 by default) the round runs within the request and answers 200 with its "
        "summary, as before, plus `round_id`: the unassigned are listed with a reason code: "
        "learner_profile_incomplete, no_mentor_available, no_eligible_mentor, places_taken_by_better_matches, "
        "only_declined_mentors_fit, mentor_excluded_for_learner, round_time_budget_spent, not_placed_by_solver. "
        "At most SKILLBRIDGE_MATCH_ROUND_MAX_REQUESTS requests are taken, oldest first; left_waiting counts the "
        "rest. A larger round runs as a job: 202 with the round (status queued) and a Location to poll. "
        "409 (with `round_id`) while a round of the same domain, or of every domain, is queued or running.",
        responses={
            HTTP_202_ACCEPTED: ResponseSpec(
                data_container=MatchingRoundOut,
                description="The round runs as a job: poll its Location",
                generate_examples=False,
            )
        },
    )
    async def run_round(
        self,
        data: JSONBody[RoundIn],
        principal: FromDishka[Principal],
        start: FromDishka[StartMatchingRound],
        clock: FromDishka[Clock],
    ) -> Response[RoundOut | MatchingRoundOut]:
        weights = data.weights.to_weights() if data.weights is not None else None
        started = await start(principal, weights, data.algorithm, data.domain_slug())
        location = {"Location": f"{API_PREFIX}/matches/rounds/{started.record.id}"}
        if started.summary is None:
            return Response(
                MatchingRoundOut.of(started.record, clock.now()), status_code=HTTP_202_ACCEPTED, headers=location
            )
        return Response(RoundOut.of(started.summary, started.record.id), status_code=HTTP_200_OK)

    @get(
        "/rounds/{round_id:uuid}",
        opt=only(Role.ADMIN),
        summary="A matching round: status, progress, timings and result (admins)",
        description="status queued | running | done | failed; progress counts the requests considered, the "
        "matches stored and the batches written so far (each batch commits with its matches); result is set "
        "once done; error once failed.",
    )
    async def get_round(
        self,
        round_id: FromPath[UUID],
        principal: FromDishka[Principal],
        get_round: FromDishka[GetMatchingRound],
        clock: FromDishka[Clock],
    ) -> MatchingRoundOut:
        return MatchingRoundOut.of(await get_round(principal, round_id), clock.now())

    @post(
        "/blocks",
        status_code=HTTP_201_CREATED,
        opt=only(Role.MENTOR),
        summary="Block a learner: no further request of theirs reaches you (mentors)",
        description="Only a learner who has had a request or a match with you (any status): 404 for any other "
        "id. Their pending request to you is rejected (they are offered the next mentor); an active "
        "mentorship stays. The learner is not told: a request naming you is answered as for an unavailable "
        "mentor. 201 for a new block, 200 when the learner was blocked already.",
        responses={
            HTTP_200_OK: ResponseSpec(data_container=BlockOut, description="Blocked already", generate_examples=False)
        },
    )
    async def block(
        self, data: JSONBody[BlockIn], principal: FromDishka[Principal], block_learner: FromDishka[BlockLearner]
    ) -> Response[BlockOut]:
        block, created = await block_learner(principal, data.learner_id)
        return Response(BlockOut.of(block), status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @get("/blocks", opt=only(Role.MENTOR), summary="The learners you blocked, newest first (mentors)")
    async def blocks(
        self,
        principal: FromDishka[Principal],
        list_blocks: FromDishka[ListMyBlocks],
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> BlockPage:
        page = await list_blocks(principal, PageRequest(limit=limit, offset=offset))
        items = [BlockOut.of(block) for block in page.items]
        return BlockPage(items=items, total=page.total, limit=page.limit, offset=page.offset)

    @delete(
        "/blocks/{learner_id:uuid}",
        status_code=HTTP_204_NO_CONTENT,
        opt=only(Role.MENTOR),
        summary="Lift a block (mentors); 404 when there is none",
    )
    async def unblock(
        self, learner_id: FromPath[UUID], principal: FromDishka[Principal], unblock: FromDishka[UnblockLearner]
    ) -> None:
        await unblock(principal, learner_id)
