"""The views of migrations 0011 and 0017: what anyone signed in may see of other people, past row-level security.

They are owned by the schema owner, so on PostgreSQL they read every row while the application role's own
queries on the tables stay bound by the policies. They are not in the ORM metadata (nothing creates them but
the migration, and the schema comparison leaves views out).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, DateTime, Float, Integer, String, Text, Uuid, column, table
from sqlalchemy.dialects.postgresql import JSONB

#: Every user's id and display name (what the forum prints beside a post), and nothing else.
public_user_names = table("public_user_names", column("id", Uuid()), column("display_name", String()))

#: One row per place a mentor's open (pending or active) mentorship takes: the mentorship's id and the mentor.
open_mentor_places = table("open_mentor_places", column("id", Uuid()), column("mentor_id", Uuid()))

#: The active mentors' rows as every signed-in user may search them, without the password hash (PostgreSQL
#: only: migration 0017). ``profile`` is JSONB there, and its skills and languages are GIN-indexed.
mentor_directory = table(
    "mentor_directory",
    column("id", Uuid()),
    column("email", String()),
    column("role", String()),
    column("password_hash", Text()),
    column("github_id", BigInteger()),
    column("is_active", Boolean()),
    column("email_verified_at", DateTime(timezone=True)),
    column("profile", JSONB()),
    column("country", String()),
    column("latitude", Float()),
    column("longitude", Float()),
    column("hours_per_week", Integer()),
    column("mentor_capacity", Integer()),
    column("created_at", DateTime(timezone=True)),
    column("updated_at", DateTime(timezone=True)),
    column("version", Integer()),
)
