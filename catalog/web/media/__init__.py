"""Serves stored renditions (product photos, logos) with long cache headers."""

from flask import Blueprint

bp = Blueprint("media", __name__, url_prefix="/media")

from catalog.web.media import views  # noqa: E402,F401
