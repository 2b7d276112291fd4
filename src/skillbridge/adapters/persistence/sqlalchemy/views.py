"""The views of migration 0011: what anyone signed in may see of other people, past row-level security.

They are owned by the schema owner, so on PostgreSQL they read every row while the application role's own
queries on the tables stay bound by the policies. They are not in the ORM metadata (nothing creates them but
the migration, and the schema comparison leaves views out).
"""

from __future__ import annotations

from sqlalchemy import String, Uuid, column, table

#: Every user's id and display name (what the forum prints beside a post), and nothing else.
public_user_names = table("public_user_names", column("id", Uuid()), column("display_name", String()))

#: One row per place a mentor's open (pending or active) mentorship takes: the mentorship's id and the mentor.
open_mentor_places = table("open_mentor_places", column("id", Uuid()), column("mentor_id", Uuid()))
