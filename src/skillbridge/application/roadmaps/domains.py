"""What the offline catalog covers."""

from __future__ import annotations

from collections.abc import Sequence

from skillbridge.application.ports.roadmap_generator import DomainCatalog, DomainSummary


class ListDomains:
    """Return every domain the offline catalog covers, by slug. Public: it helps a visitor choose."""

    def __init__(self, catalog: DomainCatalog) -> None:
        self._catalog = catalog

    async def __call__(self) -> Sequence[DomainSummary]:
        return sorted(self._catalog.domains(), key=lambda domain: domain.slug)
