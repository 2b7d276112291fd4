"""Creating a roadmap: generate it, then store it with its first version."""

from __future__ import annotations

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.roadmap_generator import RoadmapGenerator
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.roadmaps.building import build_roadmap
from skillbridge.domain.roadmaps.model import Roadmap
from skillbridge.domain.roadmaps.request import RoadmapRequest


class CreateRoadmap:
    """Generate a roadmap for the caller and store it.

    Rules:
    - any signed-in user may ask for a roadmap for themselves (mentors learn too);
    - generation runs before the transaction opens, so a slow AI never holds a database connection;
      the generator bounds its own time and falls back to the offline catalog;
    - the roadmap starts at version 1 with nothing completed (progress 0), modules numbered m1..mn and
      laid out over weeks at the requested hours; version 1 is written to the history ("created");
    - the generator, model, prompt version and token usage are stored with it.
    """

    def __init__(self, uow: UnitOfWork, generator: RoadmapGenerator, clock: Clock) -> None:
        self._uow = uow
        self._generator = generator
        self._clock = clock

    async def __call__(self, principal: Principal, request: RoadmapRequest) -> Roadmap:
        draft = await self._generator.generate(request)
        roadmap = build_roadmap(
            principal.user_id, request, draft.modules, draft.generation, self._clock.now(), domain=draft.domain
        )
        async with self._uow as uow:
            await uow.roadmaps.add(roadmap)
            await uow.roadmaps.add_version(roadmap.snapshot("created", principal.user_id))
            await uow.commit()
        return roadmap
