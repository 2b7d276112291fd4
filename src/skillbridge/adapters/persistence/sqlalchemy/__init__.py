"""SQLAlchemy persistence for SQLite (embedded) and PostgreSQL (production).

Public names: :func:`create_engine`, :func:`create_session_factory`, :class:`SqlaUnitOfWork`, and the
migration functions in :mod:`.migrate` (imported from there, so that the service does not load Alembic).
"""

from skillbridge.adapters.persistence.sqlalchemy.engine import create_engine, create_session_factory
from skillbridge.adapters.persistence.sqlalchemy.unit_of_work import SqlaUnitOfWork

__all__ = ["SqlaUnitOfWork", "create_engine", "create_session_factory"]
