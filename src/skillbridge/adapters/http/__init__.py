"""The HTTP adapter: Litestar controllers, msgspec schemas, problem+json errors, auth, observability."""
