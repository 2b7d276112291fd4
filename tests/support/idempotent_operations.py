"""The operations that take ``Idempotency-Key``, written out by hand: every signed-in POST, and every signed-in
PATCH not guarded by ``If-Match`` (public routes are called anonymously, whose keys the server ignores)."""

from __future__ import annotations

TAKING_IDEMPOTENCY_KEY: frozenset[tuple[str, str]] = frozenset(
    {
        ("POST", "/api/v1/auth/logout"),
        ("POST", "/api/v1/auth/password/change"),
        ("POST", "/api/v1/auth/email/resend"),
        ("POST", "/api/v1/auth/logout-all"),
        ("POST", "/api/v1/auth/2fa/disable"),
        ("POST", "/api/v1/auth/2fa/enable"),
        ("POST", "/api/v1/auth/2fa/setup"),
        ("PATCH", "/api/v1/users/me/notification-preferences"),
        ("PATCH", "/api/v1/users/me/consents"),
        ("PATCH", "/api/v1/users/me"),
        ("PATCH", "/api/v1/admin/users/{user_id}"),
        ("POST", "/api/v1/admin/jobs/failed/{failed_job_id}/retry"),
        ("POST", "/api/v1/roadmaps"),
        ("POST", "/api/v1/roadmaps/{roadmap_id}/restore"),
        ("POST", "/api/v1/roadmaps/{roadmap_id}/repository"),
        ("POST", "/api/v1/matches"),
        ("POST", "/api/v1/matches/blocks"),
        ("POST", "/api/v1/matches/rounds"),
        ("POST", "/api/v1/matches/{match_id}/chat"),
        ("POST", "/api/v1/badges/award"),
        ("POST", "/api/v1/progress/log"),
        ("POST", "/api/v1/notifications/read-all"),
        ("PATCH", "/api/v1/notifications/{notification_id}/read"),
        ("POST", "/api/v1/forum/posts"),
    }
)
