"""Roadmap generators: the offline catalog planner (default and fallback) and the OpenAI generator."""
