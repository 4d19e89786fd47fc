"""Search: the results page /cari (and, in a later issue, suggestions at /api/saran)."""

from flask import Blueprint

bp = Blueprint("search", __name__)

from catalog.web.search import views  # noqa: E402,F401
