"""Background jobs: what is kept of a job that failed for good."""
