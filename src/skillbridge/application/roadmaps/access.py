"""Who may see and change a roadmap.

- the owner reads and changes it;
- the mentor of an *active* mentorship with the owner reads it (not a pending, finished or rejected one),
  and only when the mentorship's domain is the roadmap's (both compared as slugs: "Machine Learning" is
  ``machine-learning``): mentoring someone in Python shows their Python roadmap, not their others;
- to everyone else (other learners, other mentors, admins) it does not exist: NotFound, never Forbidden,
  so roadmap ids cannot be probed;
- a mentor who may read it but tries to change it gets Forbidden (they already know it exists).
"""

from __future__ import annotations

from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.profile import skill_slug
from skillbridge.domain.errors import Forbidden, NotFound
from skillbridge.domain.roadmaps.model import Roadmap
from skillbridge.domain.texts import N_

_NOT_FOUND = N_("roadmap not found")


async def readable_roadmap(uow: UnitOfWork, principal: Principal, roadmap_id: UUID) -> Roadmap:
    """The roadmap if ``principal`` may read it; NotFound otherwise (also when it does not exist)."""
    roadmap = await uow.roadmaps.get(roadmap_id)
    if roadmap.user_id == principal.user_id:
        return roadmap
    domain = skill_slug(roadmap.domain)
    if await uow.mentorships.has_active(learner_id=roadmap.user_id, mentor_id=principal.user_id, domain=domain):
        return roadmap
    raise NotFound(_NOT_FOUND)


async def owned_roadmap(uow: UnitOfWork, principal: Principal, roadmap_id: UUID) -> Roadmap:
    """The roadmap if ``principal`` owns it; Forbidden for its active mentor; NotFound for everyone else."""
    roadmap = await readable_roadmap(uow, principal, roadmap_id)
    if roadmap.user_id != principal.user_id:
        raise Forbidden(N_("only the learner who owns a roadmap can change it"))
    return roadmap
