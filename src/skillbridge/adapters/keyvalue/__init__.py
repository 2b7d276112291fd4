"""KeyValueStore adapters: in-process memory (embedded) and Redis (production).

The Redis adapter is not re-exported here so that using the memory store never imports ``redis``.
"""

from skillbridge.adapters.keyvalue.memory import MemoryKeyValueStore

__all__ = ["MemoryKeyValueStore"]
