"""dishka providers: which adapter serves each port, and how the use cases are put together.

APP scope holds what lives as long as the process (settings, engine, HTTP and Redis clients, hasher,
token service). REQUEST scope holds the unit of work and the use cases: one set per request or script
call. To swap an adapter (a fake in a test, another engine in a script), pass a provider that provides
the same type to :func:`skillbridge.main.create_app` or :func:`build_container`: later providers win.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta

from dishka import Provider, Scope, from_context, provide, provide_all
from litestar.channels import ChannelsPlugin
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from skillbridge.adapters.ai.cache import CachingRoadmapGenerator
from skillbridge.adapters.ai.catalog_generator import CatalogRoadmapGenerator
from skillbridge.adapters.ai.openai_generator import OPENAI_GENERATOR, OpenAIOptions, OpenAIRoadmapGenerator
from skillbridge.adapters.i18n.catalogs import shared_translator
from skillbridge.adapters.keyvalue.memory import MemoryKeyValueStore
from skillbridge.adapters.keyvalue.redis import RedisKeyValueStore, create_redis_client
from skillbridge.adapters.matching.chain import build_matching_chain
from skillbridge.adapters.persistence.memory import MemoryDatabase, MemoryUnitOfWork
from skillbridge.adapters.persistence.sqlalchemy.engine import create_engine, create_session_factory
from skillbridge.adapters.persistence.sqlalchemy.unit_of_work import SqlaUnitOfWork
from skillbridge.adapters.places.geonames import GeonamesPlaceDirectory
from skillbridge.adapters.realtime.channels import ChannelsNotificationPush
from skillbridge.adapters.sanitizing.nh3_sanitizer import Nh3HtmlSanitizer
from skillbridge.adapters.security.argon2_hasher import Argon2PasswordHasher
from skillbridge.adapters.security.jwt_tokens import JwtTokenService
from skillbridge.adapters.system.clock import SystemClock
from skillbridge.adapters.vcs.github_oauth import GithubOAuthOptions, HttpxGithubIdentityProvider
from skillbridge.adapters.vcs.payloads import MsgspecGithubEventDecoder
from skillbridge.adapters.vcs.pygithub_gateway import GithubApiOptions, PyGithubVcsGateway
from skillbridge.application.accounts.administration import ChangeUserAccess, CreateAdmin, ListUsers
from skillbridge.application.accounts.audit_trail import ListAuditEntries
from skillbridge.application.accounts.authentication import AdmitRequest, Authenticate, PrincipalCache
from skillbridge.application.accounts.consents import ChangeMyConsents, GetMyConsents, TermsPolicy
from skillbridge.application.accounts.decoy import DecoyHash
from skillbridge.application.accounts.erasure import EraseMyAccount, ErasurePolicy
from skillbridge.application.accounts.export import ExportMyData
from skillbridge.application.accounts.github_login import CompleteGithubLogin, GithubLoginConfig, StartGithubLogin
from skillbridge.application.accounts.mentors import MentorSearches, SearchMentors
from skillbridge.application.accounts.policy import AuthPolicy
from skillbridge.application.accounts.profiles import GetMyAccount, UpdateMyProfile
from skillbridge.application.accounts.refresh_grace import RefreshGrace
from skillbridge.application.accounts.registration import RegisterUser
from skillbridge.application.accounts.revocations import AccessRevocations
from skillbridge.application.accounts.session_control import EndMySession, ListMySessions, LogOutEverywhere
from skillbridge.application.accounts.sessions import LogIn, LogOut, RefreshTokens
from skillbridge.application.accounts.throttle import LoginThrottle
from skillbridge.application.badges.managing import AwardBadge, ListMyBadges
from skillbridge.application.chat.messaging import ReadChat, SendChatMessage
from skillbridge.application.forum.editing import DeletePost, EditPost
from skillbridge.application.forum.posting import CreatePost
from skillbridge.application.forum.reading import GetPost, ListThreads
from skillbridge.application.forum.search_cache import ThreadSearches
from skillbridge.application.jobs.failures import ListFailedJobs
from skillbridge.application.jobs.recording import RecordFailedJob
from skillbridge.application.jobs.retention import ApplyRetention, RetentionPolicy
from skillbridge.application.matching.blocks import BlockLearner, ListMyBlocks, UnblockLearner
from skillbridge.application.matching.changes import ChangeMatch
from skillbridge.application.matching.domains import domain_names
from skillbridge.application.matching.expiry import ExpireUnansweredMatches
from skillbridge.application.matching.policy import MatchingPolicy
from skillbridge.application.matching.pool import MentorPool
from skillbridge.application.matching.reading import GetMatch, ListMyMatches
from skillbridge.application.matching.recommendations import RecommendMentors
from skillbridge.application.matching.reminders import SendSessionReminders
from skillbridge.application.matching.requests import RequestMentor
from skillbridge.application.matching.round_jobs import ExecuteMatchingRound, GetMatchingRound
from skillbridge.application.matching.rounds import RunMatchingRound
from skillbridge.application.notifications.delivery import DeliverStoredNotifications
from skillbridge.application.notifications.inbox import (
    DeleteNotification,
    ListMyNotifications,
    ListNotificationsSince,
    MarkAllNotificationsRead,
    MarkNotificationRead,
)
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.notifications.streams import StreamLimits, StreamSlots
from skillbridge.application.places import ResolvePlace, SuggestPlaces
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.github_events import GithubEventDecoder
from skillbridge.application.ports.github_identity import GithubIdentityProvider
from skillbridge.application.ports.html_sanitizer import HtmlSanitizer
from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.application.ports.notification_push import NotificationPush
from skillbridge.application.ports.password_hasher import PasswordHasher
from skillbridge.application.ports.place_directory import PlaceDirectory
from skillbridge.application.ports.roadmap_generator import DomainCatalog, RoadmapGenerator
from skillbridge.application.ports.token_service import TokenService
from skillbridge.application.ports.translator import Translator
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.application.ports.vcs_gateway import VcsGateway
from skillbridge.application.progress.linking import LinkBudget, LinkRepository, UnlinkRepository
from skillbridge.application.progress.reporting import GetProgress, LogProgressEvent
from skillbridge.application.progress.webhook_guard import WebhookGuard
from skillbridge.application.progress.webhooks import ProcessGithubDelivery, ReceiveGithubDelivery, WebhookConfig
from skillbridge.application.roadmaps.creation import CreateRoadmap
from skillbridge.application.roadmaps.deletion import DeleteRoadmap, RestoreRoadmap, RoadmapUndo
from skillbridge.application.roadmaps.domains import ListDomains
from skillbridge.application.roadmaps.editing import UpdateRoadmap
from skillbridge.application.roadmaps.reading import GetRoadmap, ListMyRoadmaps, ListRoadmapVersions
from skillbridge.domain.accounts.location_privacy import LocationPrivacy
from skillbridge.domain.badges.rules import BadgeRules, default_rules
from skillbridge.domain.matching.limits import DomainNames
from skillbridge.domain.matching.scoring import Weights
from skillbridge.main.recovery import MailProvider, NotificationMailProvider, RecoveryProvider
from skillbridge.main.secret_key import signing_secret
from skillbridge.main.settings import Settings
from skillbridge.main.tracing import trace_engine
from skillbridge.main.two_factor import TwoFactorProvider
from skillbridge.resilience.circuit_breaker import CircuitBreaker


class CoreProvider(Provider):
    """Settings-driven adapters that every profile shares."""

    settings = from_context(provides=Settings, scope=Scope.APP)

    @provide(scope=Scope.APP)
    def clock(self) -> Clock:
        return SystemClock()

    @provide(scope=Scope.APP)
    def password_hasher(self, settings: Settings) -> PasswordHasher:
        return Argon2PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost_kib=settings.argon2_memory_kib,
            allow_weak_for_tests=settings.profile != "production",
        )

    @provide(scope=Scope.APP)
    def token_service(self, settings: Settings) -> TokenService:
        return JwtTokenService(
            signing_secret(settings), access_ttl=timedelta(seconds=settings.access_token_ttl_seconds)
        )

    @provide(scope=Scope.APP)
    def translator(self) -> Translator:
        return shared_translator()

    @provide(scope=Scope.APP)
    def place_directory(self) -> PlaceDirectory:
        # Offline and shared: its index is built on first use, once per process.
        return GeonamesPlaceDirectory()

    @provide(scope=Scope.APP)
    def location_privacy(self, settings: Settings) -> LocationPrivacy:
        own = settings.location_privacy_key
        return LocationPrivacy.from_secret(own.get_secret_value() if own else signing_secret(settings))

    @provide(scope=Scope.APP)
    def auth_policy(self, settings: Settings) -> AuthPolicy:
        return AuthPolicy(
            refresh_ttl=timedelta(days=settings.refresh_token_ttl_days),
            session_max_age=timedelta(days=settings.session_max_age_days),
            refresh_grace=timedelta(seconds=settings.refresh_grace_seconds),
            max_failures_per_account=settings.login_max_failures_per_account,
            max_failures_per_address=settings.login_max_failures_per_address,
            failure_window=timedelta(seconds=settings.login_failure_window_seconds),
            delay_base=timedelta(seconds=settings.login_delay_base_seconds),
            delay_max=timedelta(seconds=settings.login_delay_max_seconds),
            trusted_for=timedelta(days=settings.login_trusted_address_days),
        )

    @provide(scope=Scope.APP)
    async def redis_client(self, settings: Settings) -> AsyncIterator[Redis | None]:
        if settings.redis_url is None:
            yield None
            return
        client = create_redis_client(settings.redis_url)
        yield client
        await client.aclose()

    @provide(scope=Scope.APP)
    def key_value_store(self, client: Redis | None, settings: Settings) -> KeyValueStore:
        return RedisKeyValueStore(client, settings.redis_key_prefix) if client is not None else MemoryKeyValueStore()

    @provide(scope=Scope.APP)
    def revocations(self, store: KeyValueStore, settings: Settings) -> AccessRevocations:
        return AccessRevocations(store, timedelta(seconds=settings.access_token_ttl_seconds))

    @provide(scope=Scope.APP)
    def decoy_hash(self, hasher: PasswordHasher) -> DecoyHash:
        return DecoyHash(hasher)

    @provide(scope=Scope.APP)
    def refresh_grace(self, store: KeyValueStore, policy: AuthPolicy) -> RefreshGrace:
        return RefreshGrace(store, policy.refresh_grace)

    @provide(scope=Scope.APP)
    def principal_cache(self, clock: Clock) -> PrincipalCache:
        return PrincipalCache(clock)

    @provide(scope=Scope.APP)
    def login_throttle(self, store: KeyValueStore, policy: AuthPolicy) -> LoginThrottle:
        return LoginThrottle(store, policy)


@dataclass(frozen=True, slots=True)
class KeptAnswers:
    """The answers this process keeps a short while (mentor searches, thread lists and searches): every unit
    of work of the process forgets them all when it commits, so whatever a write changed shows in this
    process's next read; other processes show it within each cache's ttl."""

    mentors: MentorSearches
    threads: ThreadSearches

    def forget_all(self) -> None:
        self.mentors.forget_all()
        self.threads.forget_all()


class KeptAnswersProvider(Provider):
    """The process's kept answers, for its units of work to forget."""

    @provide(scope=Scope.APP)
    def kept_answers(self, mentors: MentorSearches, threads: ThreadSearches) -> KeptAnswers:
        return KeptAnswers(mentors, threads)


class SqlPersistenceProvider(Provider):
    """SQLite (embedded) or PostgreSQL (production) through SQLAlchemy."""

    @provide(scope=Scope.APP)
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        engine = create_engine(settings.database_url)
        trace_engine(engine)
        yield engine
        await engine.dispose()

    @provide(scope=Scope.APP)
    def session_factory(self, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
        return create_session_factory(engine)

    @provide(scope=Scope.REQUEST)
    async def unit_of_work(
        self, factory: async_sessionmaker[AsyncSession], kept: KeptAnswers
    ) -> AsyncIterator[UnitOfWork]:
        unit = SqlaUnitOfWork(factory, keep_connection=True, on_commit=kept.forget_all)
        try:
            yield unit
        finally:
            await unit.release()  # the request's one connection goes back to the pool


class MemoryPersistenceProvider(Provider):
    """Everything in process memory (``SKILLBRIDGE_DATABASE_URL=memory://``): scripts and fast tests."""

    @provide(scope=Scope.APP)
    def database(self) -> MemoryDatabase:
        return MemoryDatabase()

    @provide(scope=Scope.REQUEST)
    def unit_of_work(self, db: MemoryDatabase, kept: KeptAnswers) -> UnitOfWork:
        return MemoryUnitOfWork(db, on_commit=kept.forget_all)


class AccountsProvider(Provider):
    """The accounts use cases, built fresh for each request from the ports above."""

    scope = Scope.REQUEST
    use_cases = provide_all(
        RegisterUser,
        LogIn,
        RefreshTokens,
        LogOut,
        ListMySessions,
        EndMySession,
        LogOutEverywhere,
        AdmitRequest,
        Authenticate,
        GetMyAccount,
        UpdateMyProfile,
        SearchMentors,
        ListUsers,
        ChangeUserAccess,
        CreateAdmin,
        ExportMyData,
        EraseMyAccount,
        ApplyRetention,
        GetMyConsents,
        ChangeMyConsents,
        ListAuditEntries,
        ResolvePlace,
        SuggestPlaces,
    )

    @provide(scope=Scope.APP)
    def mentor_searches(self, settings: Settings, clock: Clock) -> MentorSearches:
        # Every unit of work of this process forgets them on commit (see the persistence providers).
        return MentorSearches(clock, timedelta(seconds=settings.mentor_search_cache_seconds))

    @provide(scope=Scope.APP)
    def terms_policy(self, settings: Settings) -> TermsPolicy:
        return TermsPolicy(settings.terms_version)

    @provide(scope=Scope.APP)
    def retention_policy(self, settings: Settings) -> RetentionPolicy:
        return RetentionPolicy(
            expired_sessions=timedelta(days=settings.retention_expired_sessions_days),
            webhook_payloads=timedelta(days=settings.retention_webhook_payload_days),
            read_notifications=timedelta(days=settings.retention_read_notification_days),
            deleted_roadmaps=timedelta(days=settings.roadmap_undo_days),
            failed_jobs=timedelta(days=settings.retention_failed_job_days),
            audit=timedelta(days=settings.retention_audit_days),
        )

    @provide(scope=Scope.APP)
    def erasure_policy(self, settings: Settings) -> ErasurePolicy:
        return ErasurePolicy(fresh_sign_in=timedelta(minutes=settings.erasure_fresh_sign_in_minutes))


class RoadmapsProvider(Provider):
    """Roadmap generation (OpenAI with the catalog as fallback when a key is set, the catalog alone
    otherwise) and the roadmap use cases."""

    @provide(scope=Scope.APP)
    def catalog(self) -> CatalogRoadmapGenerator:
        return CatalogRoadmapGenerator()

    @provide(scope=Scope.APP)
    def domain_catalog(self, catalog: CatalogRoadmapGenerator) -> DomainCatalog:
        return catalog

    @provide(scope=Scope.APP)
    async def roadmap_generator(
        self, settings: Settings, catalog: CatalogRoadmapGenerator, store: KeyValueStore
    ) -> AsyncIterator[RoadmapGenerator]:
        if settings.openai_api_key is None:
            yield catalog
            return
        options = OpenAIOptions(
            model=settings.openai_model,
            prompt_version=settings.openai_prompt_version,
            timeout_seconds=settings.openai_timeout_seconds,
            max_retries=settings.openai_max_retries,
            budget_seconds=settings.roadmap_generation_budget_seconds,
        )
        openai = OpenAIRoadmapGenerator.connect(
            api_key=settings.openai_api_key.get_secret_value(),
            base_url=settings.openai_base_url,
            fallback=catalog,
            options=options,
            breaker=CircuitBreaker("openai", settings.openai_breaker_failures, settings.openai_breaker_reset_seconds),
        )
        try:
            yield CachingRoadmapGenerator(
                openai,
                store,
                settings.roadmap_cache_ttl_seconds,
                namespace=f"{openai.model}|{openai.prompt_version}",
                cache_generator=OPENAI_GENERATOR,
            )
        finally:
            await openai.aclose()

    use_cases = provide_all(
        CreateRoadmap,
        GetRoadmap,
        ListMyRoadmaps,
        UpdateRoadmap,
        ListRoadmapVersions,
        ListDomains,
        DeleteRoadmap,
        RestoreRoadmap,
        scope=Scope.REQUEST,
    )

    @provide(scope=Scope.APP)
    def roadmap_undo(self, settings: Settings) -> RoadmapUndo:
        return RoadmapUndo(window=timedelta(days=settings.roadmap_undo_days))


class MatchingProvider(Provider):
    """The matching engine: the Rust extension, then the matcher-rs service when
    ``SKILLBRIDGE_MATCHER_URL`` is set, then the pure-Python reference, behind circuit breakers; the
    operator's matching policy; the matching use cases."""

    @provide(scope=Scope.APP)
    def matching_policy(self, settings: Settings, privacy: LocationPrivacy) -> MatchingPolicy:
        return MatchingPolicy(
            privacy=privacy,
            weights=Weights(min_score=settings.match_min_score),
            respond_within=timedelta(days=settings.match_response_days),
            remind_before=timedelta(minutes=settings.session_reminder_minutes),
            max_open_requests=settings.match_max_open_requests,
            pool_size=settings.match_pool_size,
            pool_cache_ttl=timedelta(seconds=settings.match_pool_cache_seconds),
            round_max_requests=settings.match_round_max_requests,
            round_time_budget=timedelta(seconds=settings.match_round_max_seconds),
            round_batch_size=settings.match_round_batch_size,
            round_page_size=settings.match_round_page_size,
            round_inline_max_requests=settings.match_round_inline_max_requests,
            round_job_max_requests=settings.match_round_job_max_requests,
            round_job_time_budget=timedelta(seconds=settings.match_round_job_max_seconds),
        )

    @provide(scope=Scope.APP)
    def mentor_pool(self, clock: Clock, policy: MatchingPolicy) -> MentorPool:
        return MentorPool(clock, policy)

    @provide(scope=Scope.APP)
    def domain_names(self, catalog: DomainCatalog) -> DomainNames:
        return domain_names(catalog)

    use_cases = provide_all(
        RecommendMentors,
        RequestMentor,
        GetMatch,
        ListMyMatches,
        ChangeMatch,
        RunMatchingRound,
        GetMatchingRound,
        ExecuteMatchingRound,
        ExpireUnansweredMatches,
        SendSessionReminders,
        SendChatMessage,
        ReadChat,
        BlockLearner,
        UnblockLearner,
        ListMyBlocks,
        scope=Scope.REQUEST,
    )

    @provide(scope=Scope.APP)
    async def matching_engine(self, settings: Settings) -> AsyncIterator[MatchingEngine]:
        token = settings.matcher_token.get_secret_value() if settings.matcher_token else None
        chain, remote = build_matching_chain(
            settings.matcher_url, timeout_seconds=settings.matcher_timeout_seconds, token=token
        )
        try:
            yield chain
        finally:
            if remote is not None:
                await remote.aclose()


class BadgesProvider(Provider):
    """The badge rule book (``domain/data/badges.json``) and the badge use cases."""

    @provide(scope=Scope.APP)
    def badge_rules(self, settings: Settings) -> BadgeRules:
        return replace(default_rules(), min_mentorship=timedelta(days=settings.badge_min_mentorship_days))

    use_cases = provide_all(ListMyBadges, AwardBadge, scope=Scope.REQUEST)


class GithubProvider(Provider):
    """GitHub: the REST API through PyGithub (token and base URL from settings), webhook payloads, OAuth
    login over httpx, and the progress use cases built on them."""

    @provide(scope=Scope.APP)
    def vcs_gateway(self, settings: Settings) -> VcsGateway:
        token = settings.github_token.get_secret_value() if settings.github_token else None
        return PyGithubVcsGateway(
            GithubApiOptions(
                base_url=settings.github_api_url, token=token, timeout_seconds=settings.github_timeout_seconds
            )
        )

    @provide(scope=Scope.APP)
    def event_decoder(self) -> GithubEventDecoder:
        return MsgspecGithubEventDecoder()

    @provide(scope=Scope.APP)
    def webhook_config(self, settings: Settings) -> WebhookConfig:
        secret = settings.github_webhook_secret
        return WebhookConfig(
            secret.get_secret_value() if secret else None,
            max_failures_per_address=settings.webhook_max_failures_per_address,
            failure_window_seconds=settings.webhook_failure_window_seconds,
        )

    @provide(scope=Scope.APP)
    def link_budget(self, settings: Settings) -> LinkBudget:
        return LinkBudget(per_hour=settings.github_links_per_user_per_hour)

    @provide(scope=Scope.APP)
    def webhook_guard(self, store: KeyValueStore, config: WebhookConfig) -> WebhookGuard:
        return WebhookGuard(store, config)

    @provide(scope=Scope.APP)
    def login_config(self, settings: Settings) -> GithubLoginConfig:
        return GithubLoginConfig(
            state_ttl_seconds=settings.github_oauth_state_ttl_seconds, secure_cookie=settings.profile == "production"
        )

    @provide(scope=Scope.APP)
    async def identity_provider(self, settings: Settings) -> AsyncIterator[GithubIdentityProvider]:
        secret = settings.github_client_secret
        provider = HttpxGithubIdentityProvider(
            GithubOAuthOptions(
                client_id=settings.github_client_id,
                client_secret=secret.get_secret_value() if secret else None,
                oauth_url=settings.github_oauth_url,
                api_url=settings.github_api_url,
                redirect_uri=settings.github_oauth_redirect_uri,
                timeout_seconds=float(settings.github_timeout_seconds),
            )
        )
        try:
            yield provider
        finally:
            await provider.aclose()

    use_cases = provide_all(
        ReceiveGithubDelivery,
        ProcessGithubDelivery,
        LinkRepository,
        UnlinkRepository,
        LogProgressEvent,
        GetProgress,
        StartGithubLogin,
        CompleteGithubLogin,
        scope=Scope.REQUEST,
    )


class NotificationsProvider(Provider):
    """Storing notifications for other use cases, and the inbox use cases."""

    scope = Scope.REQUEST
    use_cases = provide_all(
        Notifier,
        ListMyNotifications,
        ListNotificationsSince,
        MarkNotificationRead,
        MarkAllNotificationsRead,
        DeleteNotification,
    )


class ForumProvider(Provider):
    """The forum use cases and the HTML sanitiser (nh3) they clean posts with."""

    @provide(scope=Scope.APP)
    def html_sanitizer(self) -> HtmlSanitizer:
        return Nh3HtmlSanitizer()

    @provide(scope=Scope.APP)
    def thread_searches(self, settings: Settings, clock: Clock) -> ThreadSearches:
        return ThreadSearches(clock, timedelta(seconds=settings.forum_search_cache_seconds))

    use_cases = provide_all(CreatePost, ListThreads, GetPost, EditPost, DeletePost, scope=Scope.REQUEST)


class FailedJobsProvider(Provider):
    """Keeping the jobs that failed for good, and listing them for admins (no job queue needed)."""

    scope = Scope.REQUEST
    use_cases = provide_all(RecordFailedJob, ListFailedJobs)


class StreamsProvider(Provider):
    """How many live streams one user and one address may hold (counted in the shared store)."""

    @provide(scope=Scope.APP)
    def stream_slots(self, store: KeyValueStore, settings: Settings) -> StreamSlots:
        return StreamSlots(store, StreamLimits(settings.streams_per_user, settings.streams_per_address))


class RealtimeProvider(Provider):
    """Live delivery of stored notifications through the web app's channels plugin (added by
    :func:`skillbridge.main.create_app`, which owns the plugin; scripts without a web app have no push)."""

    def __init__(self, channels: ChannelsPlugin) -> None:
        super().__init__()
        self._channels = channels

    @provide(scope=Scope.APP)
    def notification_push(self) -> NotificationPush:
        return ChannelsNotificationPush(self._channels)

    delivery = provide(DeliverStoredNotifications, scope=Scope.REQUEST)


def default_providers(settings: Settings) -> list[Provider]:
    """The providers of the profile that ``settings`` describe."""
    persistence = MemoryPersistenceProvider() if settings.uses_memory_database else SqlPersistenceProvider()
    return [
        CoreProvider(),
        persistence,
        KeptAnswersProvider(),
        AccountsProvider(),
        RoadmapsProvider(),
        MatchingProvider(),
        BadgesProvider(),
        GithubProvider(),
        NotificationsProvider(),
        ForumProvider(),
        FailedJobsProvider(),
        StreamsProvider(),
        MailProvider(),
        RecoveryProvider(),
        TwoFactorProvider(),
        NotificationMailProvider(),
    ]
