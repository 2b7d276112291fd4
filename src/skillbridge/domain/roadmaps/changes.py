"""A learner's edits of a roadmap: completing modules, reordering, editing, adding and removing them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from skillbridge.domain.errors import ErrorCollector, InvalidInput
from skillbridge.domain.roadmaps.model import Module, Resource, Roadmap, SkillLevel
from skillbridge.domain.roadmaps.rules import check_modules, progress_percent, schedule
from skillbridge.domain.texts import N_


@dataclass(frozen=True, slots=True)
class ModuleEdit:
    """New values for some fields of one module; ``None`` keeps a field as it is."""

    id: str
    title: str | None = None
    summary: str | None = None
    level: SkillLevel | None = None
    estimated_hours: float | None = None
    resources: tuple[Resource, ...] | None = None


@dataclass(frozen=True, slots=True)
class NewModule:
    """A module the learner adds; it goes at ``position`` (0-based, clamped) or at the end."""

    title: str
    estimated_hours: float
    resources: tuple[Resource, ...]
    summary: str = ""
    level: SkillLevel = SkillLevel.BEGINNER
    position: int | None = None


@dataclass(frozen=True, slots=True)
class RoadmapChanges:
    """Everything one PATCH asks for. Applied in this order: edit, remove, reorder, add, completion.

    ``order`` lists the ids of the modules kept (after removal) in their new order; added modules are then
    inserted at their positions. ``completed`` maps module ids (new modules cannot be named yet) to done or not.
    """

    completed: Mapping[str, bool] = field(default_factory=dict)
    order: tuple[str, ...] | None = None
    edit: tuple[ModuleEdit, ...] = ()
    add: tuple[NewModule, ...] = ()
    remove: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.completed or self.order is not None or self.edit or self.add or self.remove)


def _next_ids(modules: Sequence[Module], count: int) -> list[str]:
    """Fresh module ids ``m<n>`` above every numbered id in use."""
    numbers = [int(module.id[1:]) for module in modules if module.id[:1] == "m" and module.id[1:].isdigit()]
    start = max(numbers, default=0) + 1
    return [f"m{start + offset}" for offset in range(count)]


def _check_known(ids: Sequence[str], known: set[str], field_path: str, errors: ErrorCollector) -> None:
    for index, module_id in enumerate(ids):
        if module_id not in known:
            errors.add(
                f"{field_path}[{index}]", N_("no module {module_id} in this roadmap"), {"module_id": repr(module_id)}
            )


def _edited(modules: list[Module], edits: Sequence[ModuleEdit], errors: ErrorCollector) -> list[Module]:
    by_id = {module.id: index for index, module in enumerate(modules)}
    seen: set[str] = set()
    for number, edit in enumerate(edits):
        if edit.id not in by_id:
            errors.add(f"edit[{number}].id", N_("no module {id} in this roadmap"), {"id": repr(edit.id)})
            continue
        if edit.id in seen:
            errors.add(f"edit[{number}].id", N_("a module is edited once per change"))
        seen.add(edit.id)
        index = by_id[edit.id]
        module = modules[index]
        modules[index] = replace(
            module,
            title=module.title if edit.title is None else edit.title.strip(),
            summary=module.summary if edit.summary is None else edit.summary.strip(),
            level=edit.level or module.level,
            estimated_hours=module.estimated_hours if edit.estimated_hours is None else edit.estimated_hours,
            resources=module.resources if edit.resources is None else edit.resources,
            # Resources the learner picked are their own choice, not a fallback of the generator.
            language_fallback=module.language_fallback and edit.resources is None,
        )
    return modules


def _reordered(modules: list[Module], order: Sequence[str], errors: ErrorCollector) -> list[Module]:
    ids = [module.id for module in modules]
    _check_known(order, set(ids), "order", errors)
    if len(order) != len(set(order)) or set(order) != set(ids):
        errors.add("order", N_("order lists every module of the roadmap exactly once"))
        return modules
    by_id = {module.id: module for module in modules}
    return [by_id[module_id] for module_id in order]


def _describe(changes: RoadmapChanges) -> str:
    parts: list[str] = []
    done = sum(1 for value in changes.completed.values() if value)
    undone = len(changes.completed) - done
    if done:
        parts.append(f"completed {done} module{'s' if done != 1 else ''}")
    if undone:
        parts.append(f"reopened {undone} module{'s' if undone != 1 else ''}")
    if changes.edit:
        parts.append(f"edited {len(changes.edit)}")
    if changes.remove:
        parts.append(f"removed {len(changes.remove)}")
    if changes.add:
        parts.append(f"added {len(changes.add)}")
    if changes.order is not None:
        parts.append("reordered")
    return ", ".join(parts)


def apply_changes(roadmap: Roadmap, changes: RoadmapChanges, at: datetime) -> tuple[Roadmap, str]:
    """The roadmap after ``changes`` (rescheduled, progress recomputed) and a short description of them.

    Raises:
        InvalidInput: nothing to change, an unknown module id, an order that is not a permutation of the
            kept modules, or a resulting module list that breaks :func:`check_modules` (all faults at once).
    """
    if changes.is_empty:
        raise InvalidInput(N_("the change names nothing to change"))
    errors = ErrorCollector()
    modules = _edited(list(roadmap.modules), changes.edit, errors)
    known = {module.id for module in modules}
    _check_known(changes.remove, known, "remove", errors)
    modules = [module for module in modules if module.id not in set(changes.remove)]
    if changes.order is not None:
        modules = _reordered(modules, changes.order, errors)
    for new_module, new_id in zip(changes.add, _next_ids(roadmap.modules, len(changes.add)), strict=True):
        module = Module(
            id=new_id,
            title=new_module.title.strip(),
            summary=new_module.summary.strip(),
            level=new_module.level,
            estimated_hours=new_module.estimated_hours,
            resources=new_module.resources,
        )
        position = len(modules) if new_module.position is None else max(0, min(new_module.position, len(modules)))
        modules.insert(position, module)
    kept = {module.id for module in modules}
    for module_id, done in changes.completed.items():
        if module_id not in kept:
            errors.add(
                f"completed.{module_id}", N_("no module {module_id} in this roadmap"), {"module_id": repr(module_id)}
            )
            continue
        index = next(i for i, module in enumerate(modules) if module.id == module_id)
        module = modules[index]
        if module.completed != done:
            modules[index] = replace(module, completed=done, completed_at=at if done else None)
    errors.raise_if_any()
    check_modules(modules)
    placed = schedule(modules, roadmap.hours_per_week)
    changed = replace(roadmap, modules=placed, progress=progress_percent(placed), updated_at=at)
    return changed, _describe(changes)
