"""Admin: listing moderation (hide with a reason, restore)."""

from catalog.web.admin import bp  # noqa: F401
