"""Done tags: how a commit message completes roadmap modules.

Write ``done: <module>`` anywhere in a commit message, once per module, as often as you like
(``done: m2 done: variables-and-types``). ``<module>`` is the module's id (``m3``) or the slug of its title
("Variables and Types" -> ``variables-and-types``; the same slugs as skills). Case does not matter; an
unknown name is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from skillbridge.domain.accounts.profile import skill_slug
from skillbridge.domain.roadmaps.model import Module

_DONE_TAG = re.compile(r"(?<![A-Za-z0-9_-])done:[ \t]*([A-Za-z0-9][A-Za-z0-9+#._-]*)", re.IGNORECASE)


def module_slug(module: Module) -> str:
    """The name a done tag can use for ``module`` besides its id."""
    return skill_slug(module.title)


def done_tags(message: str) -> tuple[str, ...]:
    """The module names tagged done in ``message``, lower-cased, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in _DONE_TAG.finditer(message):
        seen.setdefault(match.group(1).lower().rstrip("."), None)
    return tuple(seen)


def tagged_modules(message: str, modules: Sequence[Module]) -> tuple[str, ...]:
    """The ids of ``modules`` that ``message`` tags done, in the order of the message."""
    by_name: dict[str, str] = {}
    for module in modules:
        by_name.setdefault(module.id.lower(), module.id)
        by_name.setdefault(module_slug(module), module.id)
    found: dict[str, None] = {}
    for name in done_tags(message):
        module_id = by_name.get(name) or by_name.get(skill_slug(name))
        if module_id is not None:
            found.setdefault(module_id, None)
    return tuple(found)
