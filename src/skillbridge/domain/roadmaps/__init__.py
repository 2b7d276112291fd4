"""Skill roadmaps: modules of free resources laid out over weeks, their progress and their history."""
