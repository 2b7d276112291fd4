"""Badge use cases: automatic awards on the events that earn them, the holder's list, admin awards."""
