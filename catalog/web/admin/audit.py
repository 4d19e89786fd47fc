"""Admin: the audit trail with filters and the chain check."""

from catalog.web.admin import bp  # noqa: F401
