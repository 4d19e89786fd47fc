"""The user's notifications (/notifikasi)."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from catalog.web.notifications import views  # noqa: E402,F401
