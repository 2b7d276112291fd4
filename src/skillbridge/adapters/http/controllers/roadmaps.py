"""/api/v1/roadmaps and /api/v1/domains: generate, read, change and trace learning roadmaps.

POST answers 201 with the roadmap, synchronously: the catalog planner takes milliseconds, and the OpenAI
generator is bounded by ``SKILLBRIDGE_ROADMAP_GENERATION_BUDGET_SECONDS`` (20 s by default, retries
included) after which the catalog answers instead, so the request always completes within the budget.
202 with a job to poll will come with the background job queue; it is not used here.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from skillbridge.adapters.http.access import PUBLIC
from skillbridge.adapters.http.auth import SECURITY
from skillbridge.adapters.http.conditional import (
    conditional_response,
    expected_version,
    fields_query,
    parse_fields,
    project,
)
from skillbridge.adapters.http.controllers.users import MAX_OFFSET
from skillbridge.adapters.http.schemas.roadmaps import (
    DOMAIN_FIELDS,
    ROADMAP_FIELDS,
    VERSION_FIELDS,
    DomainList,
    DomainOut,
    RoadmapCreateIn,
    RoadmapOut,
    RoadmapPage,
    RoadmapPatchIn,
    RoadmapVersionOut,
    RoadmapVersionPage,
)
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.roadmaps.creation import CreateRoadmap
from skillbridge.application.roadmaps.deletion import DeleteRoadmap, RestoreRoadmap
from skillbridge.application.roadmaps.domains import ListDomains
from skillbridge.application.roadmaps.editing import UpdateRoadmap
from skillbridge.application.roadmaps.reading import GetRoadmap, ListMyRoadmaps, ListRoadmapVersions
from skillbridge.domain.pagination import MAX_LIMIT, PageRequest
from skillbridge.domain.roadmaps.request import RoadmapRequest

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="page size")]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="items to skip")]
RoadmapFields = Annotated[str | None, fields_query(ROADMAP_FIELDS)]
VersionFields = Annotated[str | None, fields_query(VERSION_FIELDS)]
DomainFields = Annotated[str | None, fields_query(DOMAIN_FIELDS)]
IfMatch = Annotated[
    str | None, HeaderParameter(name="If-Match", required=False, description="the roadmap's ETag: 409 if it changed")
]
API_PREFIX = "/api/v1"


class RoadmapsController(Controller):
    path = "/roadmaps"
    tags = ["roadmaps"]
    security = SECURITY

    @post("/", status_code=HTTP_201_CREATED, summary="Generate a roadmap for the signed-in learner")
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[RoadmapCreateIn],
        principal: FromDishka[Principal],
        create: FromDishka[CreateRoadmap],
    ) -> Response[RoadmapOut]:
        roadmap_request = RoadmapRequest.create(
            data.domain,
            data.skill_level,
            data.time_availability,
            low_bandwidth=data.low_bandwidth,
            language=data.language,
        )
        roadmap = await create(principal, roadmap_request)
        return conditional_response(
            request,
            RoadmapOut.of(roadmap),
            version=roadmap.version,
            status_code=HTTP_201_CREATED,
            headers={"Location": f"{API_PREFIX}/roadmaps/{roadmap.id}"},
        )

    @get("/my", summary="The signed-in learner's roadmaps, newest first")
    async def mine(
        self,
        request: Request[Any, Any, Any],
        principal: FromDishka[Principal],
        list_mine: FromDishka[ListMyRoadmaps],
        fields: RoadmapFields = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> Response[RoadmapPage]:
        wanted = parse_fields(fields, ROADMAP_FIELDS)
        page = await list_mine(principal, PageRequest(limit=limit, offset=offset))
        items = [project(RoadmapOut.of(roadmap), wanted, always=("id",)) for roadmap in page.items]
        return conditional_response(
            request, RoadmapPage(items=items, total=page.total, limit=page.limit, offset=page.offset)
        )

    @get("/{roadmap_id:uuid}", summary="One roadmap (its owner, or the owner's active mentor)")
    async def get_one(
        self,
        request: Request[Any, Any, Any],
        roadmap_id: FromPath[UUID],
        principal: FromDishka[Principal],
        get_roadmap: FromDishka[GetRoadmap],
        fields: RoadmapFields = None,
    ) -> Response[RoadmapOut]:
        wanted = parse_fields(fields, ROADMAP_FIELDS)
        roadmap = await get_roadmap(principal, roadmap_id)
        return conditional_response(
            request, project(RoadmapOut.of(roadmap), wanted, always=("id",)), version=roadmap.version
        )

    @patch(
        "/{roadmap_id:uuid}",
        summary="Complete or reopen modules, reorder, edit, add or remove modules (owner only)",
        description="Progress is recomputed and the change kept as a new version. Send the ETag in If-Match "
        "(or `version` in the body) to get 409 instead of overwriting someone else's change.",
    )
    async def change(
        self,
        request: Request[Any, Any, Any],
        roadmap_id: FromPath[UUID],
        data: JSONBody[RoadmapPatchIn],
        principal: FromDishka[Principal],
        update: FromDishka[UpdateRoadmap],
        if_match: IfMatch = None,
    ) -> Response[RoadmapOut]:
        expected = expected_version(if_match, data.version)
        roadmap = await update(principal, roadmap_id, data.to_changes(), expected)
        return conditional_response(request, RoadmapOut.of(roadmap), version=roadmap.version)

    @delete(
        "/{roadmap_id:uuid}",
        summary="Delete one's roadmap; restorable for 30 days (SKILLBRIDGE_ROADMAP_UNDO_DAYS)",
        description="Shown nowhere meanwhile (lists, reads, its repository's pushes); it stays in the owner's "
        "export until the retention job removes it after the undo window. Owner only.",
    )
    async def delete_one(
        self, roadmap_id: FromPath[UUID], principal: FromDishka[Principal], delete_roadmap: FromDishka[DeleteRoadmap]
    ) -> None:
        await delete_roadmap(principal, roadmap_id)

    @post(
        "/{roadmap_id:uuid}/restore",
        status_code=HTTP_200_OK,
        summary="Restore one's deleted roadmap within its undo window (404 after it, or for anyone else)",
    )
    async def restore(
        self, roadmap_id: FromPath[UUID], principal: FromDishka[Principal], restore: FromDishka[RestoreRoadmap]
    ) -> RoadmapOut:
        return RoadmapOut.of(await restore(principal, roadmap_id))

    @get("/{roadmap_id:uuid}/versions", summary="A roadmap's history, newest version first")
    async def versions(
        self,
        request: Request[Any, Any, Any],
        roadmap_id: FromPath[UUID],
        principal: FromDishka[Principal],
        list_versions: FromDishka[ListRoadmapVersions],
        fields: VersionFields = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> Response[RoadmapVersionPage]:
        wanted = parse_fields(fields, VERSION_FIELDS)
        page = await list_versions(principal, roadmap_id, PageRequest(limit=limit, offset=offset))
        items = [project(RoadmapVersionOut.of(snapshot), wanted, always=("version",)) for snapshot in page.items]
        return conditional_response(
            request, RoadmapVersionPage(items=items, total=page.total, limit=page.limit, offset=page.offset)
        )


class DomainsController(Controller):
    path = "/domains"
    tags = ["roadmaps"]

    @get("/", opt=PUBLIC, summary="The domains the offline roadmap catalog covers (public)")
    async def list_domains(
        self, request: Request[Any, Any, Any], list_domains: FromDishka[ListDomains], fields: DomainFields = None
    ) -> Response[DomainList]:
        wanted = parse_fields(fields, DOMAIN_FIELDS)
        domains = await list_domains()
        items = [project(DomainOut.of(domain), wanted, always=("slug",)) for domain in domains]
        return conditional_response(request, DomainList(items=items, total=len(items)))
