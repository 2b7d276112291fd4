"""What a successful login or refresh hands the client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class TokenPair:
    """What a successful login or refresh returns to the client."""

    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    user_id: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
