"""Match chat use cases."""
