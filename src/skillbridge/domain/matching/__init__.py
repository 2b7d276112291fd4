"""Mentor matching: mentorships and how learners and mentors are paired."""
