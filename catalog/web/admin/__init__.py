"""The Dinas console (/admin), one module per area. Every route is admin-only."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from catalog.web.admin import gov_invoices, inpres, payments, sellers  # noqa: E402,F401
