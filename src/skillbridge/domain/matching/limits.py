"""The bounds on what one learner may hold: open requests, one match per mentor, and the domains a request may name.

A pending request holds one of its mentor's places until the mentor answers or it expires, and a rejected
or expired one is followed by a new one at once; without bounds one account could keep every mentor busy.
So a learner holds at most ``max_open`` requests (waiting or pending) at once, at most one open match
(pending or active) with any one mentor, at most one open request per domain, and the domain must be one
the platform knows (a catalog domain, one of its aliases, or a skill some active mentor offers), so "one
per domain" cannot be dodged with made-up domains.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from uuid import UUID

from skillbridge.domain.errors import Conflict, InvalidInput
from skillbridge.domain.matching.mentorship import LEARNER_OPEN_STATUSES, OPEN_STATUSES, REQUEST_STATUSES, Mentorship
from skillbridge.domain.matching.needs import DEFAULT_DOMAIN
from skillbridge.domain.texts import N_

#: The most open requests a learner may be allowed at once, whatever the setting says.
MAX_OPEN_REQUESTS_CEILING = 20


@dataclass(frozen=True, slots=True)
class DomainNames:
    """The domains a request may name: each catalog name (slug or alias) to its canonical slug."""

    canonical: Mapping[str, str]

    def resolve(self, slug: str) -> str | None:
        """The canonical domain ``slug`` names in the catalog (``"py"`` -> ``"python"``), or None."""
        if slug == DEFAULT_DOMAIN:
            return DEFAULT_DOMAIN
        return self.canonical.get(slug)

    def catalog_slugs(self) -> list[str]:
        """The canonical slugs, sorted: the hint sent with a refused domain."""
        return sorted({DEFAULT_DOMAIN, *self.canonical.values()})


@dataclass(frozen=True, slots=True)
class Exclusions:
    """Mentors never offered to some learners: ``declined`` by (learner, domain), the mentors who rejected
    or let expire a request; ``barred`` by learner, the mentors who blocked them or hold an open match
    with them. Build with :meth:`of`."""

    declined: Mapping[tuple[UUID, str], frozenset[UUID]]
    barred: Mapping[UUID, frozenset[UUID]]

    @classmethod
    def of(
        cls, declined: Iterable[tuple[UUID, str, UUID]] = (), barred: Iterable[tuple[UUID, UUID]] = ()
    ) -> Exclusions:
        """From (learner, domain, mentor) and (learner, mentor) rows."""
        by_domain: dict[tuple[UUID, str], set[UUID]] = {}
        for learner, domain, mentor in declined:
            by_domain.setdefault((learner, domain), set()).add(mentor)
        by_learner: dict[UUID, set[UUID]] = {}
        for learner, mentor in barred:
            by_learner.setdefault(learner, set()).add(mentor)
        return cls(
            {key: frozenset(value) for key, value in by_domain.items()},
            {key: frozenset(value) for key, value in by_learner.items()},
        )

    def mentors_for(self, learner_id: UUID, domain: str) -> frozenset[UUID]:
        """The mentors ``learner_id`` may not be offered for a request in ``domain``."""
        return self.declined.get((learner_id, domain), frozenset()) | self.barred.get(learner_id, frozenset())


def unknown_domain(slug: str, names: DomainNames) -> InvalidInput:
    """The error for a domain that is neither a catalog domain nor a skill any mentor offers."""
    return InvalidInput(
        N_("{slug} is not a domain we mentor in: name a catalog domain, or a skill some mentor offers"),
        field="learner_needs.domain",
        allowed=names.catalog_slugs(),
        params={"slug": repr(slug)},
    )


def refuse_beyond_limits(
    held: Collection[Mentorship], domain: str, max_open: int, mentor_id: UUID | None = None
) -> None:
    """Refuse a new request of a learner who holds ``held`` (their open mentorships: waiting, pending or
    active), for ``domain``, naming ``mentor_id`` when they chose one.

    Raises:
        Conflict: an open request in ``domain`` exists already (field ``domain``); ``max_open`` requests are
            waiting or pending already (field ``learner_needs``); the chosen mentor already has an open
            match with this learner (field ``mentor_id``).
    """
    same_domain = next((m for m in held if m.domain == domain and m.status in LEARNER_OPEN_STATUSES), None)
    if same_domain is not None:
        raise Conflict(
            N_("you already have a {value} match request for {domain} ({id})"),
            field="domain",
            params={"value": same_domain.status.value, "domain": domain, "id": str(same_domain.id)},
        )
    requests = sum(1 for m in held if m.status in REQUEST_STATUSES)
    if requests >= max_open:
        raise Conflict(
            N_(
                "you already have {requests} open match requests, the most one learner may hold; "
                "cancel one or wait for an answer"
            ),
            field="learner_needs",
            params={"requests": requests},
        )
    if mentor_id is not None and mentor_id in open_mentors(held):
        raise Conflict(N_("you already have an open match with this mentor"), field="mentor_id")


def open_mentors(held: Collection[Mentorship]) -> frozenset[UUID]:
    """The mentors with whom ``held`` holds a pending or active match: no second one with them."""
    return frozenset(m.mentor_id for m in held if m.status in OPEN_STATUSES and m.mentor_id is not None)
