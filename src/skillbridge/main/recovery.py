"""dishka providers of mail and account recovery: which sender serves mail, and the recovery use cases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from dishka import Provider, Scope, provide, provide_all

from skillbridge.adapters.email.outbox import OutboxEmailSender
from skillbridge.adapters.email.smtp import SmtpEmailSender, SmtpServer
from skillbridge.application.accounts.email_verification import MailEmailVerification, VerifyEmail
from skillbridge.application.accounts.password_change import ChangePassword
from skillbridge.application.accounts.password_reset import MailPasswordReset, ResetPassword
from skillbridge.application.accounts.policy import RecoveryPolicy
from skillbridge.application.mail.links import MailLinks
from skillbridge.application.mail.unsubscribe import UnsubscribeTokens
from skillbridge.application.notifications.digest import DigestPolicy, SendNotificationDigests
from skillbridge.application.notifications.mailing import MailNotification
from skillbridge.application.notifications.preferences import (
    GetNotificationPreferences,
    UpdateNotificationPreferences,
)
from skillbridge.application.notifications.unsubscribe import UnsubscribeFromDigest
from skillbridge.application.ports.email_sender import EmailSender
from skillbridge.main.secret_key import signing_secret
from skillbridge.main.settings import Settings


class MailProvider(Provider):
    """SMTP when ``SKILLBRIDGE_SMTP_URL`` is set, else the outbox directory; the links mail carries."""

    @provide(scope=Scope.APP)
    def email_sender(self, settings: Settings) -> EmailSender:
        if settings.smtp_url is not None:
            server = SmtpServer.from_url(settings.smtp_url.get_secret_value())
            return SmtpEmailSender(server, settings.email_from, timeout_seconds=settings.smtp_timeout_seconds)
        return OutboxEmailSender(Path(settings.email_outbox), settings.email_from)

    @provide(scope=Scope.APP)
    def mail_links(self, settings: Settings) -> MailLinks:
        return MailLinks(settings.email_link_base_url)

    @provide(scope=Scope.APP)
    def unsubscribe_tokens(self, settings: Settings) -> UnsubscribeTokens:
        return UnsubscribeTokens(signing_secret(settings).encode())


class NotificationMailProvider(Provider):
    """Notification preferences, the digest job, and one-click unsubscribe."""

    @provide(scope=Scope.APP)
    def digest_policy(self, settings: Settings) -> DigestPolicy:
        return DigestPolicy(away_after=timedelta(hours=settings.notification_digest_away_hours))

    use_cases = provide_all(
        GetNotificationPreferences,
        UpdateNotificationPreferences,
        UnsubscribeFromDigest,
        SendNotificationDigests,
        MailNotification,
        scope=Scope.REQUEST,
    )


class RecoveryProvider(Provider):
    """Password reset and change, email verification (the use cases that queue a job are in ``JobsProvider``)."""

    @provide(scope=Scope.APP)
    def recovery_policy(self, settings: Settings) -> RecoveryPolicy:
        return RecoveryPolicy(
            reset_token_ttl=timedelta(minutes=settings.password_reset_token_minutes),
            resets_per_account=settings.password_resets_per_account_per_hour,
            resets_per_address=settings.password_resets_per_address_per_hour,
        )

    use_cases = provide_all(
        MailPasswordReset, ResetPassword, ChangePassword, MailEmailVerification, VerifyEmail, scope=Scope.REQUEST
    )
