"""Security adapters: argon2id password hashing and JWT access tokens with opaque refresh tokens."""

from skillbridge.adapters.security.argon2_hasher import Argon2PasswordHasher
from skillbridge.adapters.security.jwt_tokens import JwtTokenService

__all__ = ["Argon2PasswordHasher", "JwtTokenService"]
