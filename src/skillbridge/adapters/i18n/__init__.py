"""Translations: gettext catalogs (``locale/<language>/LC_MESSAGES/messages.po``) read with Babel."""
