"""Reading the stored modules document: today's shape (converted by msgspec) and older shapes (read field by
field) give the modules written out here."""

from __future__ import annotations

from datetime import UTC, datetime

from skillbridge.adapters.persistence.sqlalchemy.mappers import modules_from_document, modules_to_document
from skillbridge.domain.roadmaps.model import Module, Resource, ResourceRole, ResourceType, SkillLevel

DONE_AT = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
BASICS = Module(
    id="m1",
    title="Basics",
    summary="Variables and loops",
    level=SkillLevel.BEGINNER,
    estimated_hours=6.5,
    resources=(
        Resource("Tutoriel Python", "https://docs.python.org/fr/3/tutorial/", ResourceType.DOCS, 6.5, "fr", True),
        Resource("Vidéo", "https://example.org/v", ResourceType.VIDEO, 2.0, "fr", False, role=ResourceRole.OPTIONAL),
    ),
    completed=True,
    completed_at=DONE_AT,
    start_week=1,
    end_week=2,
    language_fallback=False,
)

TODAY = [
    {
        "id": "m1",
        "title": "Basics",
        "summary": "Variables and loops",
        "level": "beginner",
        "estimated_hours": 6.5,
        "completed": True,
        "completed_at": "2026-03-01T12:30:00+00:00",
        "start_week": 1,
        "end_week": 2,
        "language_fallback": False,
        "resources": [
            {
                "title": "Tutoriel Python",
                "url": "https://docs.python.org/fr/3/tutorial/",
                "type": "docs",
                "estimated_hours": 6.5,
                "language": "fr",
                "low_bandwidth": True,
                "role": "core",
            },
            {
                "title": "Vidéo",
                "url": "https://example.org/v",
                "type": "video",
                "estimated_hours": 2,
                "language": "fr",
                "low_bandwidth": False,
                "role": "optional",
            },
        ],
    }
]


def test_todays_document_reads_as_written_and_round_trips() -> None:
    assert modules_from_document(TODAY) == (BASICS,)
    assert modules_from_document(modules_to_document((BASICS,))) == (BASICS,)


def test_an_older_document_is_read_field_by_field_with_the_defaults() -> None:
    older = [
        {
            "id": "m1",
            "title": "Basics",
            "level": "beginner",
            "estimated_hours": "6.5",
            "completed_at": "",
            "resources": [
                {
                    "title": "Tutorial",
                    "url": "https://docs.python.org/3/tutorial/",
                    "type": "docs",
                    "estimated_hours": 6,
                }
            ],
        }
    ]
    expected = Module(
        id="m1",
        title="Basics",
        summary="",
        level=SkillLevel.BEGINNER,
        estimated_hours=6.5,
        resources=(Resource("Tutorial", "https://docs.python.org/3/tutorial/", ResourceType.DOCS, 6.0, "en", True),),
        completed=False,
        completed_at=None,
        start_week=1,
        end_week=1,
        language_fallback=False,
    )
    assert modules_from_document(older) == (expected,)
