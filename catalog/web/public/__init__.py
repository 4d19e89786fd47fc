"""Public pages: home, categories, product pages, about, the region drop-downs' JSON."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from catalog.web.public import regions, report, transparency, views  # noqa: E402,F401
