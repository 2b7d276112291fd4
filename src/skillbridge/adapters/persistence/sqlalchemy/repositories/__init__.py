"""The SQLAlchemy repositories, one module per aggregate."""

from skillbridge.adapters.persistence.sqlalchemy.repositories.audit import SqlaAuditLog
from skillbridge.adapters.persistence.sqlalchemy.repositories.badges import SqlaBadgeRepository
from skillbridge.adapters.persistence.sqlalchemy.repositories.chat import SqlaChatRepository
from skillbridge.adapters.persistence.sqlalchemy.repositories.failed_jobs import SqlaFailedJobRepository
from skillbridge.adapters.persistence.sqlalchemy.repositories.forum import SqlaForumPostRepository
from skillbridge.adapters.persistence.sqlalchemy.repositories.matching_rounds import SqlaMatchingRoundRepository
from skillbridge.adapters.persistence.sqlalchemy.repositories.mentorships import SqlaMentorshipRepository
from skillbridge.adapters.persistence.sqlalchemy.repositories.notification_settings import (
    SqlaNotificationSettingsRepository,
)
from skillbridge.adapters.persistence.sqlalchemy.repositories.notifications import SqlaNotificationRepository
from skillbridge.adapters.persistence.sqlalchemy.repositories.progress import (
    SqlaProgressLogRepository,
    SqlaWebhookDeliveryRepository,
)
from skillbridge.adapters.persistence.sqlalchemy.repositories.refresh_sessions import (
    SqlaRefreshSessionRepository,
)
from skillbridge.adapters.persistence.sqlalchemy.repositories.roadmaps import SqlaRoadmapRepository
from skillbridge.adapters.persistence.sqlalchemy.repositories.two_factor import SqlaTwoFactorRepository
from skillbridge.adapters.persistence.sqlalchemy.repositories.users import SqlaUserRepository

__all__ = [
    "SqlaAuditLog",
    "SqlaBadgeRepository",
    "SqlaChatRepository",
    "SqlaFailedJobRepository",
    "SqlaForumPostRepository",
    "SqlaMatchingRoundRepository",
    "SqlaMentorshipRepository",
    "SqlaNotificationRepository",
    "SqlaNotificationSettingsRepository",
    "SqlaProgressLogRepository",
    "SqlaRefreshSessionRepository",
    "SqlaRoadmapRepository",
    "SqlaTwoFactorRepository",
    "SqlaUserRepository",
    "SqlaWebhookDeliveryRepository",
]
