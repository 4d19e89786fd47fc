"""Public seller pages: the storefront at /toko/<slug>."""

from flask import Blueprint

bp = Blueprint("storefront", __name__)

from catalog.web.storefront import views  # noqa: E402,F401
