"""The seller's side (/penjual): registration wizard, profile and documents, listings and
photos, variants, CSV import/export, the dashboard, orders and delivery options. One module per
area."""

from flask import Blueprint

bp = Blueprint("seller", __name__, url_prefix="/penjual")

from catalog.web.seller import (  # noqa: E402,F401
    dashboard,
    delivery,
    gov_orders,
    imports,
    listings,
    money,
    onboarding,
    orders,
    rfq,
    variants,
)
