"""Admin: platform statistics with CSV exports."""

from catalog.web.admin import bp  # noqa: F401
