"""The roadmap rules: progress, the weekly schedule, and what a valid list of modules is.

All pure functions, shared by every generator (an AI answer is checked with :func:`check_modules` before it
is accepted) and by the edits a learner makes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from skillbridge.domain.errors import ErrorCollector
from skillbridge.domain.roadmaps.model import Module, Resource, ResourceRole
from skillbridge.domain.texts import N_

MIN_HOURS_PER_WEEK = 1
MAX_HOURS_PER_WEEK = 168
MAX_MODULES = 40
MAX_RESOURCES_PER_MODULE = 12
MAX_MODULE_HOURS = 500.0
MAX_RESOURCE_HOURS = 500.0
MAX_TITLE_LENGTH = 200
MAX_SUMMARY_LENGTH = 1000
MAX_URL_LENGTH = 500
# A float module length carries rounding noise; a module that ends this close to a week boundary ends in it.
_WEEK_EPSILON = 1e-9


def progress_percent(modules: Iterable[Module]) -> float:
    """Completed estimated hours / total estimated hours x 100, rounded to 2 decimals; 0 with no hours.

    Always within 0-100: ``math.fsum`` is exactly rounded, so the completed sum never exceeds the total.
    """
    items = list(modules)
    total = math.fsum(module.estimated_hours for module in items)
    if total <= 0:
        return 0.0
    done = math.fsum(module.estimated_hours for module in items if module.completed)
    return min(100.0, max(0.0, round(100.0 * done / total, 2)))


def required_hours(resources: Iterable[Resource]) -> float:
    """The hours a module asks of the learner: every core resource, plus the longest of its "pick one of"
    alternatives (the schedule then never runs short, whichever one the learner picks); optional resources
    do not count."""
    items = list(resources)
    core = math.fsum(item.estimated_hours for item in items if item.role is ResourceRole.CORE)
    choices = [item.estimated_hours for item in items if item.role is ResourceRole.CHOICE]
    return core + max(choices, default=0.0)


def schedule(modules: Sequence[Module], hours_per_week: int) -> tuple[Module, ...]:
    """The modules in order, each placed in the weeks it takes at ``hours_per_week`` (weeks count from 1).

    Modules follow each other without gaps: one starts in the week the previous one ends in when that week
    has hours left.
    """
    placed: list[Module] = []
    elapsed = 0.0
    for module in modules:
        start = math.floor(elapsed / hours_per_week + _WEEK_EPSILON) + 1
        elapsed += module.estimated_hours
        end = max(start, math.ceil(elapsed / hours_per_week - _WEEK_EPSILON))
        placed.append(replace(module, start_week=start, end_week=end))
    return tuple(placed)


def is_https_url(url: str) -> bool:
    """Whether ``url`` is a well-formed absolute https URL with a dotted host and no credentials or spaces."""
    if not url or len(url) > MAX_URL_LENGTH or any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a malformed port
    except ValueError:
        return False
    host = parts.hostname or ""
    return (
        parts.scheme == "https"
        and "@" not in parts.netloc
        and "." in host
        and not host.startswith(".")
        and not host.endswith(".")
        and (port is None or 0 < port < 65536)
    )


def _check_resource(resource: Resource, path: str, errors: ErrorCollector) -> None:
    if not resource.title.strip() or len(resource.title) > MAX_TITLE_LENGTH:
        errors.add(
            f"{path}.title",
            N_("a resource title has 1 to {max_title_length} characters"),
            {"max_title_length": MAX_TITLE_LENGTH},
        )
    if not is_https_url(resource.url):
        errors.add(f"{path}.url", N_("a resource URL must be a well-formed https URL"))
    if not (0 < resource.estimated_hours <= MAX_RESOURCE_HOURS) or not math.isfinite(resource.estimated_hours):
        errors.add(f"{path}.estimated_hours", f"estimated hours must be above 0 and at most {MAX_RESOURCE_HOURS:g}")


def check_modules(modules: Sequence[Module], *, field_path: str = "modules", min_modules: int = 1) -> None:
    """Raise :class:`~skillbridge.domain.errors.InvalidInput` listing every fault of ``modules``.

    A valid list has ``min_modules`` to :data:`MAX_MODULES` modules with distinct ids and titles; each
    module has a title, hours above 0, 1 to :data:`MAX_RESOURCES_PER_MODULE` resources; each resource
    has a title, https URL and hours above 0; no URL appears twice in the whole roadmap.
    """
    errors = ErrorCollector()
    if not min_modules <= len(modules) <= MAX_MODULES:
        errors.add(
            field_path,
            N_("a roadmap has {min_modules} to {max_modules} modules"),
            {"min_modules": min_modules, "max_modules": MAX_MODULES},
        )
    seen_ids: set[str] = set()
    seen_titles: set[str] = set()
    seen_urls: set[str] = set()
    for index, module in enumerate(modules):
        path = f"{field_path}[{index}]"
        if module.id in seen_ids:
            errors.add(f"{path}.id", N_("module ids must be distinct"))
        seen_ids.add(module.id)
        title = module.title.strip().casefold()
        if not title or len(module.title) > MAX_TITLE_LENGTH:
            errors.add(
                f"{path}.title",
                N_("a module title has 1 to {max_title_length} characters"),
                {"max_title_length": MAX_TITLE_LENGTH},
            )
        elif title in seen_titles:
            errors.add(f"{path}.title", N_("two modules have the same title"))
        seen_titles.add(title)
        if len(module.summary) > MAX_SUMMARY_LENGTH:
            errors.add(
                f"{path}.summary",
                N_("a summary has at most {max_summary_length} characters"),
                {"max_summary_length": MAX_SUMMARY_LENGTH},
            )
        if not (0 < module.estimated_hours <= MAX_MODULE_HOURS) or not math.isfinite(module.estimated_hours):
            errors.add(f"{path}.estimated_hours", f"estimated hours must be above 0 and at most {MAX_MODULE_HOURS:g}")
        if not 1 <= len(module.resources) <= MAX_RESOURCES_PER_MODULE:
            errors.add(
                f"{path}.resources",
                N_("a module has 1 to {max_resources_per_module} resources"),
                {"max_resources_per_module": MAX_RESOURCES_PER_MODULE},
            )
        for number, resource in enumerate(module.resources):
            resource_path = f"{path}.resources[{number}]"
            _check_resource(resource, resource_path, errors)
            key = resource.url.strip().rstrip("/").lower()
            if key in seen_urls:
                errors.add(f"{resource_path}.url", N_("this resource is already in the roadmap"))
            seen_urls.add(key)
    errors.raise_if_any()
