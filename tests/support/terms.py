"""The terms-and-privacy version a test's registration accepts: the one in force by default."""

from __future__ import annotations

from skillbridge.main import Settings

#: ``SKILLBRIDGE_TERMS_VERSION``'s default, which every registration body of the tests accepts.
TERMS_VERSION: str = Settings.model_fields["terms_version"].default
