"""GitHub webhook deliveries: accept (verify, deduplicate, store) now, process after the response."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.github_events import GithubEventDecoder
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.application.progress.commits import record_commits
from skillbridge.application.progress.webhook_guard import WebhookConfig, WebhookGuard
from skillbridge.domain.errors import BadRequest, Conflict, DependencyUnavailable, Unauthenticated
from skillbridge.domain.texts import N_
from skillbridge.domain.vcs.webhooks import (
    MAX_DELIVERY_ID_LENGTH,
    DeliveryStatus,
    Ignored,
    Ping,
    Push,
    WebhookDelivery,
    push_document,
    push_from_document,
    signature_matches,
)

#: A delivery whose roadmap another writer changed meanwhile is retried this often (optimistic locking).
PROCESSING_ATTEMPTS = 3


__all__ = ["Outcome", "ProcessGithubDelivery", "Receipt", "ReceiveGithubDelivery", "WebhookConfig"]


class Outcome(StrEnum):
    """What became of a delivery: answered (ping), queued for processing, already seen, or not of interest."""

    PONG = "pong"
    QUEUED = "queued"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class Receipt:
    delivery_id: str
    event: str
    outcome: Outcome


class ReceiveGithubDelivery:
    """Take one webhook delivery, fast.

    Rules:
    - the caller has let :class:`WebhookGuard` look at the headers before reading the body;
    - the body must carry a valid ``X-Hub-Signature-256`` under the configured secret (checked before the
      body is read as JSON); otherwise Unauthenticated, nothing is stored, and the refusal counts against
      the client address;
    - ``X-GitHub-Delivery`` and ``X-GitHub-Event`` are required (BadRequest);
    - ``ping`` is answered at once; events and actions other than ``push`` are acknowledged and ignored,
      and so is a push without commits (a branch deleted, a tag pushed) or to a repository no roadmap links;
    - a push is stored as a queued delivery, unique per delivery id: a redelivery, or a copy arriving at the
      same moment, is acknowledged as a duplicate and not processed again;
    - nothing heavy happens here: :class:`ProcessGithubDelivery` does the work later.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        decoder: GithubEventDecoder,
        config: WebhookConfig,
        guard: WebhookGuard,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._decoder = decoder
        self._config = config
        self._guard = guard
        self._clock = clock

    async def __call__(
        self, delivery_id: str | None, event: str | None, signature: str | None, body: bytes, address: str
    ) -> Receipt:
        self._uow.act_for_system("github_webhook:receive")
        if not self._config.secret or not signature_matches(self._config.secret, body, signature):
            await self._guard.record_failure(address)
            raise Unauthenticated(N_("the webhook signature is missing or does not match"))
        if not delivery_id or len(delivery_id) > MAX_DELIVERY_ID_LENGTH:
            raise BadRequest(N_("X-GitHub-Delivery is required (at most 64 characters)"), field="X-GitHub-Delivery")
        if not event:
            raise BadRequest(N_("X-GitHub-Event is required"), field="X-GitHub-Event")
        decoded = self._decoder.decode(event, body)
        if isinstance(decoded, Ping):
            return Receipt(delivery_id, event, Outcome.PONG)
        if isinstance(decoded, Ignored) or not decoded.commits:
            return Receipt(delivery_id, event, Outcome.IGNORED)
        return await self._store(delivery_id, event, decoded)

    async def _store(self, delivery_id: str, event: str, push: Push) -> Receipt:
        delivery = WebhookDelivery(
            delivery_id=delivery_id,
            event=event,
            payload=push_document(push),
            received_at=self._clock.now(),
            repository=push.repository,
        )
        try:
            async with self._uow as uow:
                if not await uow.roadmaps.list_by_repository(push.repository):
                    return Receipt(delivery_id, event, Outcome.IGNORED)
                await uow.webhook_deliveries.add(delivery)
                await uow.commit()
        except Conflict:
            return Receipt(delivery_id, event, Outcome.DUPLICATE)
        return Receipt(delivery_id, event, Outcome.QUEUED)


class ProcessGithubDelivery:
    """Turn a stored push into progress on every roadmap linked to its repository.

    Rules:
    - only a queued delivery is processed, and it is marked processed in the same transaction as its
      effects, so it is processed once even when called twice;
    - each linked roadmap records the push's commits (see :func:`record_commits`): events, done tags,
      progress and a new version;
    - when another writer changed a roadmap meanwhile (Conflict) the whole delivery is tried again, up to
      :data:`PROCESSING_ATTEMPTS` times; if it still fails, or fails otherwise, the delivery is marked failed
      and the error raised; when the database is unavailable it stays queued (the job's retry takes it).

    Callable on its own (a job queue can call it with the delivery id).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, delivery_id: str) -> bool:
        """Process the delivery; return False if it was not queued (already processed or failed)."""
        self._uow.act_for_system("job:process_github_delivery")
        for attempt in range(1, PROCESSING_ATTEMPTS + 1):
            try:
                return await self._process(delivery_id)
            except Conflict:
                if attempt == PROCESSING_ATTEMPTS:
                    await self._mark_failed(delivery_id)
                    raise
            except DependencyUnavailable:
                raise  # the database is away: left queued, so the job queue's retry processes it later
            except Exception:
                await self._mark_failed(delivery_id)
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _process(self, delivery_id: str) -> bool:
        async with self._uow as uow:
            delivery = await uow.webhook_deliveries.get(delivery_id)
            if delivery.status is not DeliveryStatus.QUEUED:
                return False
            push = push_from_document(delivery.payload)
            now = self._clock.now()
            for roadmap in await uow.roadmaps.list_by_repository(push.repository):
                learner = await uow.users.get(roadmap.user_id)
                await record_commits(
                    uow, roadmap, learner, push.repository, push.commits, now, learned_at=delivery.received_at
                )
            await uow.webhook_deliveries.update(replace(delivery, status=DeliveryStatus.PROCESSED, processed_at=now))
            await uow.commit()
        return True

    async def _mark_failed(self, delivery_id: str) -> None:
        async with self._uow as uow:
            delivery = await uow.webhook_deliveries.get(delivery_id)
            if delivery.status is DeliveryStatus.QUEUED:
                failed = replace(delivery, status=DeliveryStatus.FAILED, processed_at=self._clock.now())
                await uow.webhook_deliveries.update(failed)
                await uow.commit()
