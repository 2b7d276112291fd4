"""Matching engines: the Rust extension in process, the matcher-rs HTTP service, a pure-Python reference,
and the fallback chain that degrades from one to the next."""
