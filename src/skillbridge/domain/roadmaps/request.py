"""What a learner asks for: a domain, their level, the hours a week they have, and how they connect."""

from __future__ import annotations

from dataclasses import dataclass

from skillbridge.domain.accounts.profile import normalise_languages, skill_slug
from skillbridge.domain.errors import ErrorCollector, InvalidInput
from skillbridge.domain.roadmaps.model import SkillLevel
from skillbridge.domain.roadmaps.rules import MAX_HOURS_PER_WEEK, MIN_HOURS_PER_WEEK
from skillbridge.domain.texts import N_

MAX_DOMAIN_LENGTH = 100


def domain_slug(raw: str) -> str:
    """The normalised name of a domain: ``" Machine Learning "`` -> ``"machine-learning"`` (as skills)."""
    return skill_slug(raw)


@dataclass(frozen=True, slots=True)
class RoadmapRequest:
    """A validated roadmap request. Build it with :meth:`create`.

    ``domain`` is a slug; ``language`` an ISO 639 code (resources in it are preferred, English fills gaps);
    ``low_bandwidth`` asks for text or downloadable resources over streaming video.
    """

    domain: str
    skill_level: SkillLevel
    hours_per_week: int
    low_bandwidth: bool = False
    language: str = "en"

    @classmethod
    def create(
        cls, domain: str, skill_level: str, hours_per_week: int, *, low_bandwidth: bool = False, language: str = "en"
    ) -> RoadmapRequest:
        """Normalise and check every field, reporting all faults at once (InvalidInput)."""
        errors = ErrorCollector()
        slug = domain_slug(domain)
        if not slug or len(slug) > MAX_DOMAIN_LENGTH:
            errors.add(
                "domain",
                N_("a domain has 1 to {max_domain_length} letters or digits"),
                {"max_domain_length": MAX_DOMAIN_LENGTH},
            )
        try:
            level = SkillLevel(skill_level.strip().lower())
        except ValueError:
            errors.add("skill_level", N_("skill_level is one of beginner, intermediate, advanced"))
            level = SkillLevel.BEGINNER
        if not MIN_HOURS_PER_WEEK <= hours_per_week <= MAX_HOURS_PER_WEEK:
            errors.add(
                "time_availability",
                N_("hours a week are {min_hours_per_week} to {max_hours_per_week}"),
                {"min_hours_per_week": MIN_HOURS_PER_WEEK, "max_hours_per_week": MAX_HOURS_PER_WEEK},
            )
        code = "en"
        try:
            code = normalise_languages([language], "language")[0]
        except InvalidInput as error:
            errors.add("language", error.text.message, error.text.params)
        errors.raise_if_any()
        return cls(slug, level, hours_per_week, low_bandwidth, code)

    @property
    def cache_key(self) -> str:
        """A stable text naming this request: identical requests share it."""
        return "|".join(
            (self.domain, self.skill_level.value, str(self.hours_per_week), str(int(self.low_bandwidth)), self.language)
        )
