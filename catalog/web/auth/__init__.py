"""Accounts: register, log in and out, password change and reset, language choice."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from catalog.web.auth import views  # noqa: E402,F401
