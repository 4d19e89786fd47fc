"""Admin: the console's home and the officer and report queues."""

from catalog.web.admin import bp  # noqa: F401
