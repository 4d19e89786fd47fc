"""Admin: user accounts (search, deactivate, reset link, role)."""

from catalog.web.admin import bp  # noqa: F401
