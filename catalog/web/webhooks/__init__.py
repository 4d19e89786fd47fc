"""Machine callers (/webhooks): Stripe's events. No session, no CSRF: each request proves
itself with its signature."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

from catalog.web.webhooks import stripe  # noqa: E402,F401
