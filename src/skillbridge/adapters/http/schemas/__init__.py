"""msgspec request and response schemas. Unknown fields in a request are an error, never ignored."""
