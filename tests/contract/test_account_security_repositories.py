"""Two-factor credentials and notification settings on memory, SQLite and PostgreSQL: stored as given, and
each change a compare-and-set on the version, so of two racing writers one wins (a code is accepted once,
a digest period is claimed once)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID

import pytest

from skillbridge.domain.accounts.two_factor import TwoFactorCredential
from skillbridge.domain.errors import Conflict
from skillbridge.domain.notifications.model import NotificationType
from skillbridge.domain.notifications.preferences import Channel, DigestFrequency, NotificationSettings
from tests.contract.conftest import Store
from tests.support.entities import T0, make_user


async def _user(store: Store) -> UUID:
    user = make_user()
    async with store.new_uow() as uow:
        await uow.users.add(user)
        await uow.commit()
    return user.id


async def test_a_credential_is_stored_as_given_and_replaced_only_over_its_previous_version(store: Store) -> None:
    user_id = await _user(store)
    pending = TwoFactorCredential(user_id, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", created_at=T0)
    async with store.new_uow() as uow:
        await uow.two_factor.add(pending)
        await uow.commit()
    enabled = pending.enabled(T0 + timedelta(minutes=1), 57_000_000, ("a" * 64, "b" * 64))

    async with store.new_uow() as uow:
        assert await uow.two_factor.replace(enabled) is True
        await uow.commit()
    async with store.new_uow() as uow:
        stale = await uow.two_factor.replace(pending.step_used(57_000_001))  # built on version 1, not 2
        stored = await uow.two_factor.find(user_id)

    assert stale is False
    assert stored == enabled
    assert stored is not None
    assert stored.version == 2


async def test_a_second_credential_for_one_user_is_a_conflict_and_removal_is_idempotent(store: Store) -> None:
    user_id = await _user(store)
    credential = TwoFactorCredential(user_id, "JBSWY3DPEHPK3PXP", created_at=T0)
    async with store.new_uow() as uow:
        await uow.two_factor.add(credential)
        await uow.commit()

    async with store.new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.two_factor.add(replace(credential, secret="OTHER"))
    async with store.new_uow() as uow:
        await uow.two_factor.remove(user_id)
        await uow.two_factor.remove(user_id)
        await uow.commit()
    async with store.new_uow() as uow:
        assert await uow.two_factor.find(user_id) is None


async def test_settings_are_stored_as_given_and_a_stale_claim_is_refused(store: Store) -> None:
    user_id = await _user(store)
    first = NotificationSettings(user_id).changed({"match": "email", "chat_message": "off"}, "weekly")
    async with store.new_uow() as uow:
        assert await uow.notification_settings.save(first) is True
        await uow.commit()
    claimed = first.digest_sent("2026-W49", T0)

    async with store.new_uow() as uow:
        assert await uow.notification_settings.save(claimed) is True
        await uow.commit()
    async with store.new_uow() as uow:
        again = await uow.notification_settings.save(first.digest_sent("2026-W49", T0))  # on version 1 again
        stored = await uow.notification_settings.find_many([user_id, make_user().id])

    assert again is False
    assert list(stored) == [user_id]
    assert stored[user_id] == claimed
    assert stored[user_id].channel_for(NotificationType.MATCH) is Channel.EMAIL
    assert stored[user_id].digest is DigestFrequency.WEEKLY
