"""Admin: reported listings."""

from catalog.web.admin import bp  # noqa: F401
