"""In-memory persistence: the same contract as the SQL adapter, for tests and a database-free run."""

from skillbridge.adapters.persistence.memory.database import MemoryDatabase
from skillbridge.adapters.persistence.memory.unit_of_work import MemoryUnitOfWork

__all__ = ["MemoryDatabase", "MemoryUnitOfWork"]
