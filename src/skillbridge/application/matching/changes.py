"""A participant changes a mentorship: answers, completes, cancels, rates, plans sessions."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.badges.awarding import award_earned
from skillbridge.application.matching.auditing import audit_transition
from skillbridge.application.matching.followups import offer_next_mentor
from skillbridge.application.matching.news import tell_of_change
from skillbridge.application.matching.policy import MatchingPolicy
from skillbridge.application.matching.pool import MentorPool
from skillbridge.application.matching.reading import participant_view
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.html_sanitizer import HtmlSanitizer
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.badges.rules import Audience, BadgeRules
from skillbridge.domain.errors import Conflict
from skillbridge.domain.matching.mentorship import MatchChange, MatchStatus, Mentorship, apply_change
from skillbridge.domain.texts import N_


def plain_change(sanitizer: HtmlSanitizer, change: MatchChange) -> MatchChange:
    """``change`` with its testimonial and session topics as plain text (both reach the other participant,
    a topic their reminders too)."""
    return replace(
        change,
        testimonial=None if change.testimonial is None else sanitizer.plain(change.testimonial),
        add_sessions=tuple(replace(item, topic=sanitizer.plain(item.topic)) for item in change.add_sessions),
        schedule=None
        if change.schedule is None
        else tuple(replace(item, topic=sanitizer.plain(item.topic)) for item in change.schedule),
    )


class ChangeMatch:
    """Apply one participant's change to a mentorship.

    Rules: the state machine and the feedback and session rules of
    :func:`~skillbridge.domain.matching.mentorship.apply_change`; a non-participant gets NotFound (admins
    included: matches are private to their two people); ``expected_version`` (from ``If-Match`` or the
    body), when given, must be the stored version, else Conflict, and of two concurrent changes one wins
    and the other gets Conflict. When the mentor rejects, the learner is offered the next mentor at once
    (a new request, pending or waiting). A completion or a rating awards the mentor the badges they now
    earn (same transaction).
    """

    def __init__(
        self,
        uow: UnitOfWork,
        engine: MatchingEngine,
        policy: MatchingPolicy,
        clock: Clock,
        badge_rules: BadgeRules,
        notifier: Notifier,
        pool: MentorPool,
        sanitizer: HtmlSanitizer,
    ) -> None:
        self._pool = pool
        self._sanitizer = sanitizer
        self._notifier = notifier
        self._uow = uow
        self._engine = engine
        self._policy = policy
        self._clock = clock
        self._badge_rules = badge_rules

    async def __call__(
        self, principal: Principal, match_id: UUID, change: MatchChange, expected_version: int | None = None
    ) -> Mentorship:
        change = plain_change(self._sanitizer, change)
        now = self._clock.now()
        async with self._uow as uow:
            mentorship, actor = await participant_view(uow, principal, match_id)
            if expected_version is not None and expected_version != mentorship.version:
                raise Conflict(
                    N_("the match is at version {version}, not {expected_version}; reload and try again"),
                    field="version",
                    params={"version": mentorship.version, "expected_version": expected_version},
                )
            stored = await uow.mentorships.update(apply_change(mentorship, actor, change, now))
            await audit_transition(uow, mentorship, stored, principal.user_id, now)
            await tell_of_change(self._notifier, uow, mentorship, stored, actor)
            if stored.status is MatchStatus.REJECTED and mentorship.status is MatchStatus.PENDING:
                await offer_next_mentor(uow, self._engine, self._pool, self._policy, self._notifier, stored, now)
            finished_or_rated = stored.status is not mentorship.status or stored.rating != mentorship.rating
            if stored.status is MatchStatus.COMPLETED and finished_or_rated and stored.mentor_id is not None:
                rules, mentor_id = self._badge_rules, stored.mentor_id
                await award_earned(uow, rules, mentor_id, Audience.MENTOR, now, self._notifier)
            await uow.commit()
        return stored
