"""The names of the background jobs: what producers enqueue and the worker registers."""

from __future__ import annotations

from enum import StrEnum


class JobName(StrEnum):
    """Every job the worker runs. Arguments are keywords (see each use case)."""

    #: ``delivery_id``: turn a stored GitHub push into progress (``ProcessGithubDelivery``).
    PROCESS_GITHUB_DELIVERY = "process_github_delivery"
    #: Scheduled: expire unanswered match requests and offer the next mentor (``ExpireUnansweredMatches``).
    EXPIRE_UNANSWERED_MATCHES = "expire_unanswered_matches"
    #: Scheduled: remind both participants of a session about to start (``SendSessionReminders``).
    SEND_SESSION_REMINDERS = "send_session_reminders"
    #: Scheduled: remove what has outlived its retention period (``ApplyRetention``).
    APPLY_RETENTION = "apply_retention"
    #: ``email``, ``languages``: mail a password-reset token to the account at ``email`` (``MailPasswordReset``).
    MAIL_PASSWORD_RESET = "mail_password_reset"  # noqa: S105 - a job name, not a secret
    #: ``user_id``, ``languages``: mail an email-verification token to the account (``MailEmailVerification``).
    MAIL_EMAIL_VERIFICATION = "mail_email_verification"
    #: Scheduled: mail away users a digest of their unread notifications (``SendNotificationDigests``).
    SEND_NOTIFICATION_DIGESTS = "send_notification_digests"
    #: ``user_id``, ``notification_type``, ``message``: mail a notification at once (``MailNotification``).
    MAIL_NOTIFICATION = "mail_notification"
    #: ``round_id``: run a queued matching round and store its progress batch by batch (``ExecuteMatchingRound``).
    RUN_MATCHING_ROUND = "run_matching_round"
