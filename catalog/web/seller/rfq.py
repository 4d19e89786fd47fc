"""(being written)"""

from catalog.web.seller import bp  # noqa: F401
