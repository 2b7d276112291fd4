"""The right to erasure in memory: the SQL adapter's twin, statement for statement."""

from __future__ import annotations

import json
from dataclasses import replace
from uuid import UUID

from skillbridge.adapters.persistence.memory.database import MemoryState, Staging
from skillbridge.application.ports.erasure import PersonalDataEraser
from skillbridge.domain.accounts.erasure import ERASED_NOTE, ErasedCounts, Erasure
from skillbridge.domain.notifications.model import NotificationType


def _empty_deliveries(state: MemoryState, roadmaps: set[UUID]) -> None:
    repositories = {state.roadmaps[roadmap_id].repository for roadmap_id in roadmaps} - {None}
    for pair, delivery in list(state.webhook_deliveries.items()):
        if delivery.repository in repositories:
            state.webhook_deliveries[pair] = replace(delivery, payload={}, repository=None)


def _delete_roadmaps(state: MemoryState, me: UUID, roadmaps: set[UUID]) -> None:
    for event_id, event in list(state.progress_logs.items()):
        if event.user_id == me or event.roadmap_id in roadmaps:
            del state.progress_logs[event_id]
    for version_id, version in list(state.roadmap_versions.items()):
        if version.roadmap_id in roadmaps:
            del state.roadmap_versions[version_id]
    for roadmap_id in roadmaps:
        del state.roadmaps[roadmap_id]


def _empty_messages(state: MemoryState, me: UUID) -> list[UUID]:
    sent = [message_id for message_id, message in state.chat.items() if message.sender_id == me]
    quoted = {str(message_id) for message_id in sent}
    messages = [message_id for message_id in sent if state.chat[message_id].content]
    for note_id, note in list(state.notifications.items()):
        if note.type is NotificationType.CHAT_MESSAGE and note.payload.get("message_id") in quoted:
            state.notifications[note_id] = replace(note, message=ERASED_NOTE)
    for message_id in messages:
        state.chat[message_id] = replace(state.chat[message_id], content="")
    return messages


def _empty_posts(state: MemoryState, erasure: Erasure) -> list[UUID]:
    posts = [
        post_id
        for post_id, post in state.forum_posts.items()
        if post.author_id == erasure.user_id and (not post.is_deleted or post.title is not None or post.content)
    ]
    for post_id in posts:
        post = state.forum_posts[post_id]
        state.forum_posts[post_id] = replace(
            post, title=None, content="", is_deleted=True, updated_at=erasure.at, version=post.version + 1
        )
    return posts


def _forget_testimonials(state: MemoryState, erasure: Erasure) -> None:
    for match_id, mentorship in list(state.mentorships.items()):
        if mentorship.learner_id == erasure.user_id and mentorship.testimonial is not None:
            state.mentorships[match_id] = replace(
                mentorship, testimonial=None, updated_at=erasure.at, version=mentorship.version + 1
            )


def _delete_failed_jobs(state: MemoryState, erasure: Erasure) -> None:
    needles = (str(erasure.user_id), erasure.user_id.hex, *erasure.traces)
    for failed_id, failed in list(state.failed_jobs.items()):
        text = json.dumps(failed.arguments, default=str)
        if any(needle in text for needle in needles):
            del state.failed_jobs[failed_id]


def _erase(state: MemoryState, erasure: Erasure) -> ErasedCounts:
    me = erasure.user_id
    roadmaps = {roadmap_id for roadmap_id, roadmap in state.roadmaps.items() if roadmap.user_id == me}
    _empty_deliveries(state, roadmaps)
    _delete_roadmaps(state, me, roadmaps)
    badges = [badge_id for badge_id, badge in state.badges.items() if badge.user_id == me]
    for badge_id in badges:
        del state.badges[badge_id]
    notifications = [note_id for note_id, note in state.notifications.items() if note.recipient_id == me]
    for note_id in notifications:
        del state.notifications[note_id]
    sessions = [session_id for session_id, session in state.refresh_sessions.items() if session.user_id == me]
    for session_id in sessions:
        del state.refresh_sessions[session_id]
    for held in [held for held in state.consents if held[0] == me]:
        del state.consents[held]
    state.two_factor.pop(me, None)
    state.notification_settings.pop(me, None)
    for pair in [pair for pair in state.mentor_blocks if me in pair]:
        del state.mentor_blocks[pair]
    messages = _empty_messages(state, me)
    posts = _empty_posts(state, erasure)
    _forget_testimonials(state, erasure)
    _delete_failed_jobs(state, erasure)
    return ErasedCounts(
        roadmaps=len(roadmaps),
        badges=len(badges),
        notifications=len(notifications),
        chat_messages=len(messages),
        forum_posts=len(posts),
        sessions=len(sessions),
    )


class MemoryPersonalDataEraser(PersonalDataEraser):
    """:class:`PersonalDataEraser` in memory."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def erase(self, erasure: Erasure) -> ErasedCounts:
        counts: list[ErasedCounts] = []

        def apply(state: MemoryState) -> None:
            counts[:] = [_erase(state, erasure)]

        self._staging.apply(apply)
        return counts[0]
