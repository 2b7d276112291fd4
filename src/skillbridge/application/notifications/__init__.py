"""Notification use cases: store one for another use case, list one's own, mark them read."""
