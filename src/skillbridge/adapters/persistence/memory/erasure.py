"""The right to erasure in memory: the SQL adapter's twin, statement for statement."""

from __future__ import annotations

import json
from dataclasses import replace

from skillbridge.adapters.persistence.memory.database import MemoryState, Staging
from skillbridge.application.ports.erasure import PersonalDataEraser
from skillbridge.domain.accounts.erasure import ERASED_NOTE, ErasedCounts, Erasure
from skillbridge.domain.notifications.model import NotificationType


def _erase(state: MemoryState, erasure: Erasure) -> ErasedCounts:
    me = erasure.user_id
    roadmaps = {key for key, roadmap in state.roadmaps.items() if roadmap.user_id == me}
    repositories = {state.roadmaps[key].repository for key in roadmaps} - {None}
    for key, delivery in list(state.webhook_deliveries.items()):
        if delivery.repository in repositories:
            state.webhook_deliveries[key] = replace(delivery, payload={})
    for key, event in list(state.progress_logs.items()):
        if event.user_id == me or event.roadmap_id in roadmaps:
            del state.progress_logs[key]
    for key, version in list(state.roadmap_versions.items()):
        if version.roadmap_id in roadmaps:
            del state.roadmap_versions[key]
    for key in roadmaps:
        del state.roadmaps[key]
    badges = [key for key, badge in state.badges.items() if badge.user_id == me]
    for key in badges:
        del state.badges[key]
    notifications = [key for key, n in state.notifications.items() if n.recipient_id == me]
    for key in notifications:
        del state.notifications[key]
    sessions = [key for key, session in state.refresh_sessions.items() if session.user_id == me]
    for key in sessions:
        del state.refresh_sessions[key]
    for pair in [pair for pair in state.mentor_blocks if me in pair]:
        del state.mentor_blocks[pair]
    messages = [key for key, message in state.chat.items() if message.sender_id == me]
    quoted = {str(key) for key in messages}
    for key, note in list(state.notifications.items()):
        if note.type is NotificationType.CHAT_MESSAGE and note.payload.get("message_id") in quoted:
            state.notifications[key] = replace(note, message=ERASED_NOTE)
    for key in messages:
        state.chat[key] = replace(state.chat[key], content="")
    posts = [key for key, post in state.forum_posts.items() if post.author_id == me]
    for key in posts:
        post = state.forum_posts[key]
        state.forum_posts[key] = replace(
            post, title=None, content="", is_deleted=True, updated_at=erasure.at, version=post.version + 1
        )
    for key, mentorship in list(state.mentorships.items()):
        if mentorship.learner_id == me and mentorship.testimonial is not None:
            state.mentorships[key] = replace(
                mentorship, testimonial=None, updated_at=erasure.at, version=mentorship.version + 1
            )
    needles = (str(me), me.hex, *erasure.traces)
    for key, failed in list(state.failed_jobs.items()):
        text = json.dumps(failed.arguments, default=str)
        if any(needle in text for needle in needles):
            del state.failed_jobs[key]
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
