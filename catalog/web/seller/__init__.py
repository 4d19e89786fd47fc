"""The seller's side (/penjual): registration wizard, profile and documents, listings and
photos, variants, CSV import/export, the dashboard. One module per area."""

from flask import Blueprint

bp = Blueprint("seller", __name__, url_prefix="/penjual")

from catalog.web.seller import dashboard, imports, listings, onboarding, variants  # noqa: E402,F401
