"""The retention job on memory, SQLite and PostgreSQL (as the application role): each kind of data goes
when its period is up and not a second earlier, and a second run removes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.jobs.retention import ApplyRetention, RetentionPolicy, RetentionSweep
from skillbridge.domain.accounts.audit import AuditEntry, AuditQuery
from skillbridge.domain.accounts.sessions import RefreshSession
from skillbridge.domain.jobs.failure import FailedJob
from skillbridge.domain.notifications.model import Notification, NotificationType
from skillbridge.domain.pagination import PageRequest
from skillbridge.domain.vcs.webhooks import WebhookDelivery
from tests.contract.conftest import Store
from tests.support.entities import make_user
from tests.support.roadmaps import make_roadmap

# Near the real time: PostgreSQL's audit purge measures its 30-day floor on the server's clock.
NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)
PAGE = PageRequest(limit=100)


def _session(user_id: object, expires_at: datetime) -> RefreshSession:
    return RefreshSession(
        user_id=user_id,  # type: ignore[arg-type]
        family_id=uuid4(),
        token_hash=uuid4().hex + uuid4().hex,
        issued_at=expires_at - 14 * DAY,
        expires_at=expires_at,
    )


async def test_each_kind_goes_when_its_period_is_up_and_a_second_run_removes_nothing(store: Store) -> None:
    user = make_user()
    sessions = [_session(user.id, NOW - 31 * DAY), _session(user.id, NOW - 29 * DAY), _session(user.id, NOW + DAY)]
    commits = {"commits": [{"author": {"name": "Amara Okafor"}}]}
    old_delivery = WebhookDelivery("d-old", "push", commits, NOW - 31 * DAY)
    new_delivery = WebhookDelivery("d-new", "push", commits, NOW - 29 * DAY)
    note = Notification(user.id, NotificationType.MATCH, "news", NOW - 400 * DAY)
    read_long_ago, read_lately = replace(note, read_at=NOW - 181 * DAY), replace(note, read_at=NOW - 179 * DAY)
    unread, deleted = replace(note, id=uuid4()), replace(note, id=uuid4(), deleted_at=NOW - timedelta(seconds=1))
    past_undo = replace(make_roadmap(user.id), deleted_at=NOW - 31 * DAY)
    within_undo = replace(make_roadmap(user.id), deleted_at=NOW - 29 * DAY)
    shown = make_roadmap(user.id)
    failed_old = FailedJob("job", {}, "boom", 1, NOW - 91 * DAY)
    failed_new = FailedJob("job", {}, "boom", 1, NOW - 89 * DAY)
    audit_old, audit_new = AuditEntry("test.old", NOW - 366 * DAY), AuditEntry("test.new", NOW - 364 * DAY)
    async with store.new_uow() as uow:
        await uow.users.add(user)
        for session in sessions:
            await uow.refresh_sessions.add(session)
        for delivery in (old_delivery, new_delivery):
            await uow.webhook_deliveries.add(delivery)
        await uow.notifications.add_many([read_long_ago, replace(read_lately, id=uuid4()), unread, deleted])
        for roadmap in (past_undo, within_undo, shown):
            await uow.roadmaps.add(roadmap)
            await uow.roadmaps.add_version(roadmap.snapshot("created", None))
        for job in (failed_old, failed_new):
            await uow.failed_jobs.add(job)
        for entry in (audit_old, audit_new):
            await uow.audit.record(entry)
        await uow.commit()
    clock = MutableClock(NOW)

    first = await ApplyRetention(store.new_uow(), clock, RetentionPolicy())()
    second = await ApplyRetention(store.new_uow(), clock, RetentionPolicy())()

    assert first == RetentionSweep(
        expired_sessions=1, webhook_payloads=1, notifications=2, deleted_roadmaps=1, failed_jobs=1, audit_entries=1
    )
    assert second == RetentionSweep(0, 0, 0, 0, 0, 0)
    async with store.new_uow() as uow:
        found = [await uow.refresh_sessions.find_by_hash(s.token_hash) for s in sessions]
        assert [None if s is None else s.id for s in found] == [None, sessions[1].id, sessions[2].id]
        assert (await uow.webhook_deliveries.get("d-old")).payload == {}  # the delivery id stays
        assert (await uow.webhook_deliveries.get("d-new")).payload == commits
        inbox = (await uow.notifications.list_for_user(user.id, PAGE)).items
        assert sorted(n.message for n in inbox) == ["news", "news"]  # read lately and unread
        assert len(inbox) == 2 and all(n.id != read_long_ago.id for n in inbox)
        assert await uow.roadmaps.find_deleted(past_undo.id) is None
        assert (await uow.roadmaps.list_versions(past_undo.id, PAGE)).total == 0
        assert await uow.roadmaps.find_deleted(within_undo.id) is not None
        assert (await uow.roadmaps.get(shown.id)).id == shown.id
        assert [j.id for j in (await uow.failed_jobs.list(PAGE, include_retried=True)).items] == [failed_new.id]
        actions = {e.action for e in (await uow.audit.search(AuditQuery(), PAGE)).items}
        assert "test.new" in actions and "test.old" not in actions
