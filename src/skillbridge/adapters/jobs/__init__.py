"""The background job queue on taskiq."""
