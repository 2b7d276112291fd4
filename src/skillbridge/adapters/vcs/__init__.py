"""Code hosting: GitHub's REST API through PyGithub, its webhook payloads, its OAuth login (httpx), and an
in-memory gateway for tests and offline runs."""
