"""Admin: the category tree (create, edit, reorder, merge, delete)."""

from catalog.web.admin import bp  # noqa: F401
