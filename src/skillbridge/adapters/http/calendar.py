"""A mentorship's planned sessions as an iCalendar (RFC 5545) document, for any calendar application.

Each session is one VEVENT whose UID is built from the session's id, so re-importing the file after a
change updates the events instead of duplicating them; a removed session simply no longer appears.
DTSTAMP is the moment the match last changed, so an unchanged schedule exports byte-identical.
"""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event

from skillbridge.domain.matching.mentorship import Mentorship

PRODID = "-//SkillBridge//Mentoring sessions//EN"
UID_DOMAIN = "sessions.skillbridge.africa"
CALENDAR_MEDIA_TYPE = "text/calendar; charset=utf-8"


def schedule_calendar(mentorship: Mentorship, title: str) -> bytes:
    """The sessions of ``mentorship`` as an ``.ics`` body; ``title`` names the calendar and prefixes each
    event's summary (e.g. "SkillBridge mentoring: python")."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", title)
    for session in mentorship.session_schedule:
        event = Event()
        event.add("uid", f"{session.id}@{UID_DOMAIN}")
        event.add("dtstamp", mentorship.updated_at)
        event.add("dtstart", session.time)
        event.add("dtend", session.time + timedelta(minutes=session.duration_minutes))
        event.add("summary", f"{title}: {session.topic}")
        event.add("description", f"Mentoring session ({session.duration_minutes} min) on SkillBridge.")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
