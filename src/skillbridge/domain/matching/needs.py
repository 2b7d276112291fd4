"""What a learner asks a mentor for: skills, weekly hours, whether remote mentoring suits them, a domain.

The domain groups requests: a learner holds at most one open request (waiting, pending or active) per
domain, so asking twice for "python" is refused while "python" and "ui-ux" may run side by side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from skillbridge.domain.accounts.profile import HOURS_PER_WEEK, normalise_skills, skill_slug
from skillbridge.domain.errors import ErrorCollector, InvalidInput
from skillbridge.domain.texts import N_

DEFAULT_DOMAIN = "general"
MAX_DOMAIN_LENGTH = 100


@dataclass(frozen=True, slots=True)
class LearnerNeeds:
    """A validated request. Build with :meth:`create`."""

    skills: tuple[str, ...]
    hours_per_week: int
    remote_ok: bool = False
    domain: str = DEFAULT_DOMAIN

    @classmethod
    def create(
        cls, skills: Iterable[str], hours_per_week: int, *, remote_ok: bool = False, domain: str | None = None
    ) -> LearnerNeeds:
        """Validate and normalise: skills become slugs (1-50 of them), hours 1-168, the domain a slug
        (``"general"`` when left out). Every field at fault is reported at once, under ``learner_needs.*``.
        """
        errors = ErrorCollector()
        slugs: tuple[str, ...] = ()
        try:
            slugs = normalise_skills(skills, "learner_needs.skills")
        except InvalidInput as exc:
            errors.errors.extend(exc.errors)
        if not slugs and not errors.errors:
            errors.add("learner_needs.skills", N_("name at least one skill you want to learn"))
        if not 1 <= hours_per_week <= HOURS_PER_WEEK:
            errors.add(
                "learner_needs.hours_per_week",
                N_("hours per week must be between 1 and {hours_per_week}"),
                {"hours_per_week": HOURS_PER_WEEK},
            )
        slug = skill_slug(domain) if domain is not None else DEFAULT_DOMAIN
        if not slug or len(slug) > MAX_DOMAIN_LENGTH:
            errors.add(
                "learner_needs.domain",
                N_("a domain has 1 to {max_domain_length} letters or digits"),
                {"max_domain_length": MAX_DOMAIN_LENGTH},
            )
        errors.raise_if_any()
        return cls(skills=slugs, hours_per_week=hours_per_week, remote_ok=remote_ok, domain=slug)
