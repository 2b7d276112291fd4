"""The languages a browser asks for, from its ``Accept-Language`` header (RFC 9110 12.5.4)."""

from __future__ import annotations

MAX_LANGUAGES = 10


def accepted_languages(header: str | None) -> tuple[str, ...]:
    """Language tags of ``header`` by falling quality (ties keep their order); ``q=0`` and ``*`` dropped."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")[: MAX_LANGUAGES * 2]):
        tag, *parameters = (part.strip() for part in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag.lower()))
    return tuple(tag for _, _, tag in sorted(ranked))[:MAX_LANGUAGES]
