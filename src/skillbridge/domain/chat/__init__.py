"""Chat between the two participants of a mentorship."""
