"""Background jobs: their names, submitting them, and the record of those that failed for good."""
