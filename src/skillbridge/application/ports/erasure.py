"""PersonalDataEraser port: the stores' half of the right to erasure."""

from __future__ import annotations

from typing import Protocol

from skillbridge.domain.accounts.erasure import ErasedCounts, Erasure


class PersonalDataEraser(Protocol):
    """Removes or empties everything one person left in the stores, in the unit of work's transaction.

    The use case has already stored the account's placeholder (:func:`~skillbridge.domain.accounts.erasure.
    erased`) and ended the person's open mentorships; :meth:`erase` does the rest, for ``erasure.user_id``:

    - deletes their roadmaps (with versions and progress events), badges, notifications, refresh sessions,
      consents, two-factor credentials, notification settings and the blocks they made or were under;
    - keeps their chat messages and forum posts in place with the content removed (a forum post also loses
      its title and counts as deleted), and their finished mentorships without their testimonial;
    - empties the payload of every webhook delivery of a repository linked to one of their roadmaps (it
      names the commits' authors), keeping the delivery id for deduplication;
    - replaces the text of other people's notifications that quoted their chat messages
      (:data:`~skillbridge.domain.accounts.erasure.ERASED_NOTE`);
    - deletes failed jobs whose arguments name them (their id or one of ``erasure.traces``).

    Returns the counts. Idempotent: erasing again finds nothing more to do. Rows of other people are reached,
    so an adapter enforcing row-level security needs the unit elevated first.
    """

    async def erase(self, erasure: Erasure) -> ErasedCounts: ...
