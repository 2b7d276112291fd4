"""Sending mail: over SMTP (aiosmtplib) in production, into an outbox of ``.eml`` files embedded."""
