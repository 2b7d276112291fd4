"""The stores' half of the right to erasure, held to one contract on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.erasure import ERASED_NOTE, ErasedCounts, Erasure
from skillbridge.domain.accounts.two_factor import TwoFactorCredential
from skillbridge.domain.badges.rules import Badge
from skillbridge.domain.chat.message import ChatMessage
from skillbridge.domain.jobs.failure import FailedJob
from skillbridge.domain.matching.blocks import MentorBlock
from skillbridge.domain.matching.mentorship import MatchStatus
from skillbridge.domain.notifications.model import Notification, NotificationType
from skillbridge.domain.notifications.preferences import NotificationSettings
from skillbridge.domain.pagination import PageRequest
from tests.contract.conftest import Store
from tests.support.entities import T0, make_mentor, make_mentorship, make_user
from tests.support.forum import make_thread
from tests.support.roadmaps import make_roadmap

PAGE = PageRequest(limit=100)


async def test_erase_removes_or_empties_everything_of_one_person_and_nothing_of_anyone_else(store: Store) -> None:
    ada, kwame = make_user("ada@example.org"), make_mentor("kwame")
    done = make_mentorship(ada.id, kwame.id, status=MatchStatus.COMPLETED, rating=5, testimonial="Ada says thanks")
    theirs = make_mentorship(make_user().id, kwame.id, status=MatchStatus.COMPLETED, rating=4, testimonial="kept")
    hers, his = ChatMessage(done.id, ada.id, "hello", T0), ChatMessage(done.id, kwame.id, "welcome", T0)
    preview = Notification(kwame.id, NotificationType.CHAT_MESSAGE, "hello", T0, {"message_id": str(hers.id)})
    other_news = Notification(kwame.id, NotificationType.MATCH, "news", T0, {"match_id": str(done.id)})
    roadmap, his_roadmap = make_roadmap(ada.id), make_roadmap(kwame.id)
    thread, his_thread = make_thread(ada.id, title="Ada's question"), make_thread(kwame.id, title="Kwame's")
    failed = [
        FailedJob("send_mail", {"to": "ada@example.org"}, "smtp down", 3, T0),
        FailedJob("send_mail", {"to": "kwame@example.org"}, "smtp down", 3, T0),
    ]
    async with store.new_uow() as uow:
        for user in (ada, kwame, make_user(id=theirs.learner_id)):
            await uow.users.add(user)
        for mentorship in (done, theirs):
            await uow.mentorships.add(mentorship)
        for message in (hers, his):
            await uow.chat.add(message)
        await uow.notifications.add_many(
            [preview, other_news, Notification(ada.id, NotificationType.BADGE, "a badge", T0)]
        )
        await uow.roadmaps.add(roadmap)
        await uow.roadmaps.add(his_roadmap)
        await uow.forum_posts.add(thread)
        await uow.forum_posts.add(his_thread)
        await uow.badges.add(Badge(ada.id, "first-steps", {"reason": "hers"}, T0))
        await uow.badges.add(Badge(kwame.id, "first-steps", {"reason": "his"}, T0))
        await uow.mentorships.add_block(MentorBlock(kwame.id, ada.id, T0))
        for job in failed:
            await uow.failed_jobs.add(job)
        await uow.commit()

    erasure = Erasure.of(ada, T0 + timedelta(days=1))
    async with store.new_uow() as uow:
        counts = await uow.erasure.erase(erasure)
        await uow.commit()

    assert counts == ErasedCounts(roadmaps=1, badges=1, notifications=1, chat_messages=1, forum_posts=1)
    async with store.new_uow() as uow:
        assert (await uow.roadmaps.list_for_user(ada.id, PAGE)).total == 0
        assert (await uow.roadmaps.list_for_user(kwame.id, PAGE)).total == 1
        assert [b.user_id for b in await uow.badges.list_for_user(kwame.id)] == [kwame.id]
        assert list(await uow.badges.list_for_user(ada.id)) == []
        chat = {m.id: m.content for m in await uow.chat.list_for_match(done.id, 10, None)}
        assert chat == {hers.id: "", his.id: "welcome"}
        inbox = {n.id: n.message for n in (await uow.notifications.list_for_user(kwame.id, PAGE)).items}
        assert inbox == {preview.id: ERASED_NOTE, other_news.id: "news"}
        assert (await uow.notifications.list_for_user(ada.id, PAGE)).total == 0
        post = await uow.forum_posts.get(thread.id)
        assert (post.is_deleted, post.title, post.content) == (True, None, "")
        assert (await uow.forum_posts.get(his_thread.id)).title == "Kwame's"
        assert (await uow.mentorships.get(done.id)).testimonial is None
        assert (await uow.mentorships.get(theirs.id)).testimonial == "kept"
        assert (await uow.mentorships.list_blocks(kwame.id, PAGE)).total == 0
        assert [job.id for job in (await uow.failed_jobs.list(PAGE)).items] == [failed[1].id]

    async with store.new_uow() as uow:  # idempotent: a second pass finds nothing more
        assert await uow.erasure.erase(replace(erasure, at=erasure.at + timedelta(1))) == ErasedCounts()
        await uow.commit()


async def test_erase_removes_the_second_factor_and_the_notification_settings_of_one_person_only(
    store: Store,
) -> None:
    ada, kwame = make_user("ada@example.org"), make_mentor("kwame")
    async with store.new_uow() as uow:
        for person in (ada, kwame):
            await uow.users.add(person)
            await uow.two_factor.add(
                TwoFactorCredential(
                    person.id, "JBSWY3DPEHPK3PXP", created_at=T0, enabled_at=T0, recovery_code_hashes=("a" * 64,)
                )
            )
            assert await uow.notification_settings.save(NotificationSettings(person.id).changed({"match": "off"}))
        await uow.commit()
    async with store.new_uow() as uow:  # control: both people's second factor and settings are stored
        assert await uow.two_factor.find(ada.id) is not None
        assert set(await uow.notification_settings.find_many([ada.id, kwame.id])) == {ada.id, kwame.id}

    async with store.new_uow() as uow:
        await uow.erasure.erase(Erasure.of(ada, T0 + timedelta(days=1)))
        await uow.commit()

    async with store.new_uow() as uow:
        assert await uow.two_factor.find(ada.id) is None
        kept = await uow.two_factor.find(kwame.id)
        assert kept is not None
        assert kept.recovery_code_hashes == ("a" * 64,)
        assert set(await uow.notification_settings.find_many([ada.id, kwame.id])) == {kwame.id}


async def test_pseudonymise_drops_the_values_naming_the_person_from_entries_about_them_only(store: Store) -> None:
    ada, kwame = make_user("ada@example.org"), make_mentor("kwame")
    about_ada = AuditEntry(
        "user.disabled",
        T0,
        actor_id=kwame.id,
        subject_type="user",
        subject_id=str(ada.id),
        details={"reason": "ADA LOVELACE asked", "sessions_revoked": 1},
    )
    by_ada = AuditEntry("user.logged_in", T0, actor_id=ada.id, details={"method": "password"})
    about_kwame = AuditEntry(
        "user.disabled", T0, subject_type="user", subject_id=str(kwame.id), details={"reason": "Ada Lovelace's mentor"}
    )
    async with store.new_uow() as uow:
        await uow.users.add(ada)
        await uow.users.add(kwame)
        for entry in (about_ada, by_ada, about_kwame):
            await uow.audit.record(entry)
        await uow.commit()

    async with store.new_uow() as uow:
        changed = await uow.audit.pseudonymise(ada.id, ("ada@example.org", "Ada Lovelace"))
        again = await uow.audit.pseudonymise(ada.id, ("ada@example.org", "Ada Lovelace"))
        await uow.commit()

    assert (changed, again) == (1, 0)
    async with store.new_uow() as uow:
        [entry] = await uow.audit.list_for_subject("user", str(ada.id))
        assert (entry.id, entry.details) == (about_ada.id, {"sessions_revoked": 1})
        [other] = await uow.audit.list_for_subject("user", str(kwame.id))
        assert other.details == {"reason": "Ada Lovelace's mentor"}  # not about her: kept as it was
