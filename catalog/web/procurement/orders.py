"""(being written)"""

from catalog.web.procurement import bp  # noqa: F401
