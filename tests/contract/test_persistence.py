"""The repository and unit-of-work contract (application/ports/repositories.py, unit_of_work.py), held
against every persistence adapter: memory, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, timezone
from uuid import uuid4

import pytest

from skillbridge.domain.accounts.mentor_search import MentorQuery
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.matching.mentorship import MatchStatus
from skillbridge.domain.matching.needs import LearnerNeeds
from skillbridge.domain.pagination import PageRequest
from tests.contract.conftest import Store
from tests.support.entities import T0, location, make_audit, make_mentor, make_mentorship, make_session, make_user

# ---------------------------------------------------------------------------------------------- users


async def test_added_user_reads_back_equal_by_id_email_and_github_id(store: Store) -> None:
    mentor = make_mentor("Amina", skills=("python", "data-science"), at=location(6.5244, 3.3792, "NG", "Lagos"))
    mentor = replace(mentor, github_id=4242)
    async with store.new_uow() as uow:
        await uow.users.add(mentor)
        await uow.commit()

    async with store.new_uow() as uow:
        assert await uow.users.get(mentor.id) == mentor
        assert await uow.users.find_by_email("AMINA@Mentors.example.org ") == mentor
        assert await uow.users.find_by_github_id(4242) == mentor
        assert await uow.users.find_by_email("nobody@example.org") is None
        assert await uow.users.find_by_github_id(1) is None
        with pytest.raises(NotFound):
            await uow.users.get(uuid4())


async def test_times_come_back_as_aware_utc(store: Store) -> None:
    lagos_time = timezone(timedelta(hours=1))
    user = make_user(created_at=T0.astimezone(lagos_time))
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.commit()
    async with store.new_uow() as uow:
        stored = await uow.users.get(user.id)
    assert stored.created_at == T0
    assert stored.created_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize("clash", ["email", "github_id"])
async def test_a_taken_email_or_github_id_is_a_conflict_and_the_unit_stays_usable(store: Store, clash: str) -> None:
    first = make_user("ada@example.org", github_id=7)
    async with store.new_uow() as uow:
        await uow.users.add(first)
        await uow.commit()

    second = make_user("ada@example.org" if clash == "email" else "grace@example.org", github_id=7)
    third = make_user("third@example.org")
    async with store.new_uow() as uow:
        with pytest.raises(Conflict) as caught:
            await uow.users.add(second)
        assert caught.value.field == clash
        await uow.users.add(third)
        await uow.commit()

    async with store.new_uow() as uow:
        assert await uow.users.find_by_email("third@example.org") == third
        assert (await uow.users.list(PageRequest())).total == 2


async def test_update_stores_changes_and_increments_the_version(store: Store) -> None:
    mentor = make_mentor("Kofi", skills=("python",), languages=("en",))
    async with store.new_uow() as uow:
        await uow.users.add(mentor)
        await uow.commit()

    changed_profile = replace(mentor.profile, skills=("rust", "go"), languages=("fr",), hours_per_week=9)
    later = T0 + timedelta(hours=1)
    async with store.new_uow() as uow:
        current = await uow.users.get(mentor.id)
        updated = await uow.users.update(current.with_profile(changed_profile, later))
        await uow.commit()
    assert updated.version == 2
    assert updated.profile == changed_profile

    async with store.new_uow() as uow:
        stored = await uow.users.get(mentor.id)
        assert stored == updated
        assert stored.updated_at == later
        # The search copies follow the profile.
        assert [c.mentor.id for c in (await uow.users.search_mentors(MentorQuery(skills=("go",)))).items] == [mentor.id]
        assert (await uow.users.search_mentors(MentorQuery(skills=("python",)))).total == 0
        assert (await uow.users.search_mentors(MentorQuery(language="fr"))).total == 1
        assert (await uow.users.search_mentors(MentorQuery(language="en"))).total == 0


async def test_a_stale_version_is_a_conflict(store: Store) -> None:
    user = make_user()
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.commit()

    async with store.new_uow() as slow, store.new_uow() as fast:
        read_by_slow = await slow.users.get(user.id)
        read_by_fast = await fast.users.get(user.id)
        await fast.users.update(replace(read_by_fast, is_active=False))
        await fast.commit()
        with pytest.raises(Conflict):
            await slow.users.update(replace(read_by_slow, email="changed@example.org"))

    async with store.new_uow() as uow:
        stored = await uow.users.get(user.id)
    assert (stored.version, stored.is_active, stored.email) == (2, False, user.email)


async def test_updating_an_unknown_user_is_not_found(store: Store) -> None:
    async with store.new_uow() as uow:
        with pytest.raises(NotFound):
            await uow.users.update(make_user())


async def test_update_to_a_taken_email_is_a_conflict(store: Store) -> None:
    ada, grace = make_user("ada@example.org"), make_user("grace@example.org")
    async with store.new_uow() as uow:
        await uow.users.add(ada)
        await uow.users.add(grace)
        await uow.commit()
    async with store.new_uow() as uow:
        with pytest.raises(Conflict) as caught:
            await uow.users.update(replace(grace, email="ada@example.org"))
    assert caught.value.field == "email"


async def test_list_is_oldest_first_with_id_breaking_ties_and_filters_by_role(store: Store) -> None:
    same_time = [make_user(created_at=T0 + timedelta(minutes=5)) for _ in range(3)]
    oldest = make_user(created_at=T0)
    mentor = make_mentor("Zawadi", created_at=T0 + timedelta(minutes=1))
    async with store.new_uow() as uow:
        for user in [*same_time, mentor, oldest]:
            await uow.users.add(user)
        await uow.commit()

    expected = [oldest.id, mentor.id, *sorted(user.id for user in same_time)]
    async with store.new_uow() as uow:
        first = await uow.users.list(PageRequest(limit=2))
        rest = await uow.users.list(PageRequest(limit=3, offset=2))
        mentors = await uow.users.list(PageRequest(), role=Role.MENTOR)
        beyond = await uow.users.list(PageRequest(offset=10))
    assert [u.id for u in [*first.items, *rest.items]] == expected
    assert (first.total, rest.total, first.limit, rest.limit, rest.offset) == (5, 5, 2, 3, 2)
    assert [u.id for u in mentors.items] == [mentor.id]
    assert mentors.total == 1
    assert (list(beyond.items), beyond.total) == ([], 5)


async def test_returned_and_given_entities_are_copies(store: Store) -> None:
    user = make_user("copy@example.org")
    learner, mentor = make_user(), make_mentor("Copy")
    mentorship = make_mentorship(learner.id, mentor.id)
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.users.add(learner)
        await uow.users.add(mentor)
        await uow.mentorships.add(mentorship)
        user.email = "mutated-after-add@example.org"
        mentorship.score_components["skill"] = -1.0
        await uow.commit()

    async with store.new_uow() as uow:
        read = await uow.users.find_by_email("copy@example.org")
        assert read is not None
        read.is_active = False
        stored_mentorship = await uow.mentorships.get(mentorship.id)
        stored_mentorship.score_components["skill"] = 99.0
        assert (await uow.users.get(read.id)).is_active
        again = await uow.mentorships.get(mentorship.id)
    assert again.learner_needs == LearnerNeeds(skills=("python",), hours_per_week=4, domain=mentorship.domain)
    assert again.score_components == {"skill": 0.5, "distance": 0.25}
    assert again.session_schedule == mentorship.session_schedule


# -------------------------------------------------------------------------------------- unit of work


async def test_leaving_without_commit_stores_nothing(store: Store) -> None:
    user = make_user()
    async with store.new_uow() as uow:
        await uow.users.add(user)
        assert await uow.users.get(user.id) == user  # a unit sees its own writes

    async def add_then_fail() -> None:
        async with store.new_uow() as uow:
            await uow.users.add(make_user())
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await add_then_fail()

    async with store.new_uow() as uow:
        assert (await uow.users.list(PageRequest())).total == 0


async def test_rollback_discards_writes_since_the_last_commit(store: Store) -> None:
    kept, dropped = make_user(), make_user()
    async with store.new_uow() as uow:
        await uow.users.add(kept)
        await uow.commit()
        await uow.users.add(dropped)
        await uow.rollback()
        await uow.commit()

    async with store.new_uow() as uow:
        assert [u.id for u in (await uow.users.list(PageRequest())).items] == [kept.id]


async def test_writes_are_invisible_to_other_units_until_commit(store: Store) -> None:
    user = make_user("isolated@example.org")
    async with store.new_uow() as writer, store.new_uow() as reader:
        await writer.users.add(user)
        assert await reader.users.find_by_email("isolated@example.org") is None
        with pytest.raises(NotFound):
            await reader.users.get(user.id)
        await writer.commit()
        assert await reader.users.get(user.id) == user


async def test_a_unit_of_work_can_be_used_again_after_leaving(store: Store) -> None:
    uow = store.new_uow()
    first, second = make_user(), make_user()
    async with uow:
        await uow.users.add(first)
        await uow.commit()
    async with uow:
        await uow.users.add(second)
        await uow.commit()
    async with store.new_uow() as reader:
        assert (await reader.users.list(PageRequest())).total == 2


async def test_after_commit_is_called_once_its_block_commits_and_never_for_writes_not_made(store: Store) -> None:
    calls: list[str] = []
    uow = store.new_uow()
    with pytest.raises(RuntimeError):
        uow.after_commit(lambda: calls.append("outside a block"))
    async with uow:
        await uow.users.add(make_user())
        uow.after_commit(lambda: calls.append("first"))
        assert calls == []  # not before the commit
        await uow.commit()
        assert calls == ["first"]
        await uow.users.add(make_user())
        uow.after_commit(lambda: calls.append("rolled back"))
        await uow.rollback()
        await uow.users.add(make_user())
        uow.after_commit(lambda: calls.append("second"))
        await uow.commit()
        await uow.users.add(make_user())
        uow.after_commit(lambda: calls.append("left without a commit"))
    async with uow:
        await uow.commit()  # the next block's commit calls nothing the last block left behind
    assert calls == ["first", "second"]
    async with store.new_uow() as reader:
        assert (await reader.users.list(PageRequest())).total == 2  # the writes those calls stood for


# ---------------------------------------------------------------------------------- refresh sessions


async def test_refresh_session_reads_back_by_hash(store: Store) -> None:
    user = make_user()
    session = make_session(user.id)
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.refresh_sessions.add(session)
        await uow.commit()
    async with store.new_uow() as uow:
        assert await uow.refresh_sessions.find_by_hash(session.token_hash) == session
        assert await uow.refresh_sessions.find_by_hash("0" * 64) is None


async def test_a_session_rotates_once(store: Store) -> None:
    user = make_user()
    session, revoked = make_session(user.id), make_session(user.id)
    rotated_at = T0 + timedelta(minutes=10)
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.refresh_sessions.add(session)
        await uow.refresh_sessions.add(revoked)
        await uow.refresh_sessions.revoke_family(revoked.family_id, T0)
        await uow.commit()

    async with store.new_uow() as uow:
        assert await uow.refresh_sessions.mark_rotated(session.id, rotated_at) is True
        assert await uow.refresh_sessions.mark_rotated(session.id, rotated_at) is False
        assert await uow.refresh_sessions.mark_rotated(revoked.id, rotated_at) is False
        assert await uow.refresh_sessions.mark_rotated(uuid4(), rotated_at) is False
        await uow.commit()

    async with store.new_uow() as uow:
        stored = await uow.refresh_sessions.find_by_hash(session.token_hash)
    assert stored is not None
    assert stored.rotated_at == rotated_at
    assert stored.revoked_at is None
    assert not stored.is_usable(T0)


async def test_revoke_family_revokes_only_the_family_members_not_yet_revoked(store: Store) -> None:
    user = make_user()
    family = uuid4()
    members = [make_session(user.id, family_id=family) for _ in range(3)]
    outsider = make_session(user.id)
    async with store.new_uow() as uow:
        await uow.users.add(user)
        for session in [*members, outsider]:
            await uow.refresh_sessions.add(session)
        await uow.commit()

    async with store.new_uow() as uow:
        assert await uow.refresh_sessions.revoke_family(family, T0 + timedelta(hours=1)) == 3
        assert await uow.refresh_sessions.revoke_family(family, T0 + timedelta(hours=2)) == 0
        await uow.commit()

    async with store.new_uow() as uow:
        for session in members:
            stored = await uow.refresh_sessions.find_by_hash(session.token_hash)
            assert stored is not None
            assert stored.revoked_at == T0 + timedelta(hours=1)
        untouched = await uow.refresh_sessions.find_by_hash(outsider.token_hash)
    assert untouched is not None
    assert untouched.revoked_at is None


async def test_revoke_all_for_user_revokes_every_open_session_of_that_user_only(store: Store) -> None:
    alice, bob = make_user(), make_user()
    alices = [make_session(alice.id) for _ in range(2)]
    already = make_session(alice.id)
    bobs = make_session(bob.id)
    async with store.new_uow() as uow:
        await uow.users.add(alice)
        await uow.users.add(bob)
        for session in [*alices, already, bobs]:
            await uow.refresh_sessions.add(session)
        await uow.refresh_sessions.revoke_family(already.family_id, T0)
        await uow.commit()

    async with store.new_uow() as uow:
        assert await uow.refresh_sessions.revoke_all_for_user(alice.id, T0 + timedelta(days=1)) == 2
        await uow.commit()

    async with store.new_uow() as uow:
        stored_already = await uow.refresh_sessions.find_by_hash(already.token_hash)
        stored_bob = await uow.refresh_sessions.find_by_hash(bobs.token_hash)
    assert stored_already is not None
    assert stored_already.revoked_at == T0  # kept its first revocation time
    assert stored_bob is not None
    assert stored_bob.revoked_at is None


async def test_revoke_families_of_user_spares_the_kept_family_and_names_the_others(store: Store) -> None:
    alice, bob = make_user(), make_user()
    kept, first, second = make_session(alice.id), make_session(alice.id), make_session(alice.id)
    already = make_session(alice.id)
    bobs = make_session(bob.id)
    async with store.new_uow() as uow:
        await uow.users.add(alice)
        await uow.users.add(bob)
        for session in [kept, first, second, already, bobs]:
            await uow.refresh_sessions.add(session)
        await uow.refresh_sessions.revoke_family(already.family_id, T0)
        await uow.commit()

    async with store.new_uow() as uow:
        families = await uow.refresh_sessions.revoke_families_of_user(alice.id, T0, keep=kept.family_id)
        await uow.commit()

    assert families == {first.family_id, second.family_id}
    revoked_at = {}
    async with store.new_uow() as uow:
        for session in [kept, first, bobs]:
            stored = await uow.refresh_sessions.find_by_hash(session.token_hash)
            assert stored is not None
            revoked_at[session.token_hash] = stored.revoked_at
    assert revoked_at == {kept.token_hash: None, first.token_hash: T0, bobs.token_hash: None}

    async with store.new_uow() as uow:
        assert await uow.refresh_sessions.revoke_families_of_user(alice.id, T0) == {kept.family_id}
        await uow.commit()


async def test_a_duplicate_token_hash_or_an_unknown_user_is_a_conflict(store: Store) -> None:
    user = make_user()
    session = make_session(user.id)
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.refresh_sessions.add(session)
        await uow.commit()
    async with store.new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.refresh_sessions.add(make_session(user.id, token_hash=session.token_hash))
    async with store.new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.refresh_sessions.add(make_session(uuid4()))


# ---------------------------------------------------------------------------------------- mentorships


async def test_mentorship_reads_back_equal(store: Store) -> None:
    learner, mentor = make_user(), make_mentor("Wanjiru")
    mentorship = make_mentorship(learner.id, mentor.id, domain="web-development", rating=5, testimonial="Great")
    async with store.new_uow() as uow:
        await uow.users.add(learner)
        await uow.users.add(mentor)
        await uow.mentorships.add(mentorship)
        await uow.commit()
    async with store.new_uow() as uow:
        assert await uow.mentorships.get(mentorship.id) == mentorship
        with pytest.raises(NotFound):
            await uow.mentorships.get(uuid4())


async def test_count_open_by_mentor_counts_pending_and_active_only(store: Store) -> None:
    learners = [make_user() for _ in range(6)]
    busy, idle, other = make_mentor("Busy"), make_mentor("Idle"), make_mentor("Other")
    statuses = [MatchStatus.PENDING, MatchStatus.ACTIVE, MatchStatus.COMPLETED, MatchStatus.REJECTED]
    async with store.new_uow() as uow:
        for user in [*learners, busy, idle, other]:
            await uow.users.add(user)
        for learner, status in zip(learners, statuses, strict=False):
            await uow.mentorships.add(make_mentorship(learner.id, busy.id, status=status))
        await uow.mentorships.add(make_mentorship(learners[5].id, other.id, status=MatchStatus.ACTIVE))
        await uow.commit()

    async with store.new_uow() as uow:
        assert await uow.mentorships.count_open_by_mentor([busy.id, idle.id]) == {busy.id: 2, idle.id: 0}
        assert await uow.mentorships.count_open_by_mentor([]) == {}


async def test_mentorship_constraints_are_conflicts(store: Store) -> None:
    learner, mentor = make_user(), make_mentor("Strict", capacity=3)
    async with store.new_uow() as uow:
        await uow.users.add(learner)
        await uow.users.add(mentor)
        await uow.mentorships.add(make_mentorship(learner.id, mentor.id, domain="data", status=MatchStatus.COMPLETED))
        await uow.mentorships.add(make_mentorship(learner.id, mentor.id, domain="data"))
        await uow.commit()

    cases = [
        make_mentorship(learner.id, mentor.id, domain="data", status=MatchStatus.ACTIVE),  # one open per domain
        make_mentorship(mentor.id, mentor.id),  # nobody mentors themselves
        make_mentorship(learner.id, uuid4()),  # unknown mentor
        make_mentorship(learner.id, None, domain="data", status=MatchStatus.WAITING),  # one open per domain
        make_mentorship(learner.id, mentor.id, domain="other", status=MatchStatus.WAITING),  # waiting has no mentor
        make_mentorship(learner.id, None, domain="other"),  # pending needs one
        make_mentorship(learner.id, mentor.id, domain="web"),  # one open match per learner and mentor
    ]
    for mentorship in cases:
        async with store.new_uow() as uow:
            with pytest.raises(Conflict):
                await uow.mentorships.add(mentorship)

    others = [make_user(), make_user()]
    async with store.new_uow() as uow:
        # Other learners do not clash; other domains neither; a waiting request holds no mentor's place.
        for other in others:
            await uow.users.add(other)
        await uow.mentorships.add(make_mentorship(others[0].id, mentor.id, domain="data"))
        await uow.mentorships.add(make_mentorship(others[1].id, mentor.id, domain="ml", status=MatchStatus.ACTIVE))
        await uow.mentorships.add(make_mentorship(learner.id, None, domain="ui", status=MatchStatus.WAITING))
        await uow.commit()
        assert await uow.mentorships.count_open_by_mentor([mentor.id]) == {mentor.id: 3}


# ------------------------------------------------------------------------------------------------ audit


async def test_audit_entries_list_per_subject_oldest_first(store: Store) -> None:
    admin = make_user(role=Role.ADMIN)
    subject = ("user", str(uuid4()))
    later = make_audit("user.role_changed", at=T0 + timedelta(minutes=2), subject=subject, actor_id=admin.id)
    earlier = make_audit("user.registered", at=T0, subject=subject)
    unrelated = make_audit("user.registered", at=T0, subject=("user", str(uuid4())))
    async with store.new_uow() as uow:
        await uow.users.add(admin)
        for entry in (later, earlier, unrelated):
            await uow.audit.record(entry)
        await uow.commit()

    async with store.new_uow() as uow:
        assert list(await uow.audit.list_for_subject(*subject)) == [earlier, later]
        assert list(await uow.audit.list_for_subject("user", "nobody")) == []


async def test_audit_entries_of_one_instant_come_in_id_order(store: Store) -> None:
    subject = ("session-family", "f1")
    entries = [make_audit(f"action-{n}", subject=subject) for n in range(4)]
    async with store.new_uow() as uow:
        for entry in entries:
            await uow.audit.record(entry)
        await uow.commit()
    async with store.new_uow() as uow:
        listed = await uow.audit.list_for_subject(*subject)
    assert [e.id for e in listed] == sorted(e.id for e in entries)


async def test_audit_entry_of_an_unknown_actor_is_a_conflict_and_is_not_kept(store: Store) -> None:
    async with store.new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.audit.record(make_audit("x", subject=("user", "1"), actor_id=uuid4()))
    async with store.new_uow() as uow:
        assert list(await uow.audit.list_for_subject("user", "1")) == []


async def test_list_live_gives_the_usable_head_of_each_session_newest_first(store: Store) -> None:
    alice, bob = make_user(), make_user()
    older = make_session(alice.id, issued_at=T0)
    newer = make_session(alice.id, issued_at=T0 + timedelta(hours=1))
    rotated, revoked = make_session(alice.id), make_session(alice.id)
    expired = replace(make_session(alice.id), expires_at=T0 + timedelta(minutes=5))
    bobs = make_session(bob.id)
    async with store.new_uow() as uow:
        await uow.users.add(alice)
        await uow.users.add(bob)
        for session in [older, newer, rotated, revoked, expired, bobs]:
            await uow.refresh_sessions.add(session)
        await uow.refresh_sessions.mark_rotated(rotated.id, T0)
        await uow.refresh_sessions.revoke_family(revoked.family_id, T0)
        await uow.commit()

    async with store.new_uow() as uow:
        live = await uow.refresh_sessions.list_live(alice.id, T0 + timedelta(minutes=10))

    assert [session.id for session in live] == [newer.id, older.id]
