"""Public pages: home, categories, product pages, about."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from catalog.web.public import views  # noqa: E402,F401
