"""Admin: agencies, their budgets and members."""

from catalog.web.admin import bp  # noqa: F401
