"""Admin: officer membership decisions (letters of assignment)."""

from catalog.web.admin import bp  # noqa: F401
