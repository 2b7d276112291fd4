"""HTML sanitising (nh3, the Rust ammonia library)."""
