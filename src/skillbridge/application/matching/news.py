"""Telling the people of a mentorship what happened to it (stored notifications of type ``match``)."""

from __future__ import annotations

from skillbridge.application.notifications.notifier import News, Notifier
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.matching.mentorship import Actor, MatchStatus, Mentorship
from skillbridge.domain.notifications.model import NotificationType
from skillbridge.domain.texts import N_, Text

_STATUS_NEWS = {
    MatchStatus.ACTIVE: N_("Your {domain} mentorship was accepted"),
    MatchStatus.REJECTED: N_("Your {domain} mentorship was declined"),
    MatchStatus.CANCELLED: N_("Your {domain} mentorship was cancelled"),
    MatchStatus.COMPLETED: N_("Your {domain} mentorship was completed"),
    MatchStatus.EXPIRED: N_("Your {domain} mentorship expired"),
}


def _payload(mentorship: Mentorship) -> dict[str, str]:
    return {"match_id": str(mentorship.id), "status": mentorship.status.value, "domain": mentorship.domain}


def request_news(request: Mentorship) -> News | None:
    """What a mentor hears of a pending request: they have until ``expires_at`` to answer (None when the
    request is not pending)."""
    if request.status is not MatchStatus.PENDING or request.mentor_id is None:
        return None
    if request.expires_at is None:
        message = Text(
            N_("A learner asks you to mentor them in {domain}; please answer soon"), {"domain": request.domain}
        )
    else:
        message = Text(
            N_("A learner asks you to mentor them in {domain}; please answer by {deadline}"),
            {"domain": request.domain, "deadline": request.expires_at.date().isoformat()},
        )
    return News(request.mentor_id, NotificationType.MATCH, message, _payload(request))


async def tell_mentor_of_request(notifier: Notifier, uow: UnitOfWork, request: Mentorship) -> None:
    """A pending request reached its mentor."""
    if (news := request_news(request)) is not None:
        await notifier.notify(uow, news.recipient_id, news.type, news.message, news.payload)


async def tell_of_change(
    notifier: Notifier, uow: UnitOfWork, before: Mentorship, after: Mentorship, actor: Actor
) -> None:
    """Tell the other participant what ``actor`` changed: a new status, or the planned sessions."""
    other = after.mentor_id if actor is Actor.LEARNER else after.learner_id
    if other is None:
        return
    if after.status is not before.status and after.status in _STATUS_NEWS:
        message = Text(_STATUS_NEWS[after.status], {"domain": after.domain})
        await notifier.notify(uow, other, NotificationType.MATCH, message, _payload(after))
    elif after.session_schedule != before.session_schedule:
        message = Text(N_("The sessions of your {domain} mentorship changed"), {"domain": after.domain})
        await notifier.notify(uow, other, NotificationType.SESSION_REMINDER, message, _payload(after))


async def tell_learner_of_follow_up(
    notifier: Notifier, uow: UnitOfWork, declined: Mentorship, follow_up: Mentorship
) -> None:
    """The learner's mentor declined or let the request expire: say what happens next."""
    if follow_up.status is MatchStatus.PENDING:
        message = Text(N_("Your {domain} request went to another mentor"), {"domain": declined.domain})
    else:
        message = Text(N_("Your {domain} request waits for the next matching round"), {"domain": declined.domain})
    await notifier.notify(uow, declined.learner_id, NotificationType.MATCH, message, _payload(follow_up))
