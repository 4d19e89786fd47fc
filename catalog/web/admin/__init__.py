"""The Dinas console (/admin), one module per area. Every route is admin-only."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from catalog.web.admin import (  # noqa: E402,F401
    agencies,
    audit,
    categories,
    gov_invoices,
    inpres,
    jobs,
    officers,
    payments,
    payouts,
    products,
    queues,
    reports,
    sellers,
    stats,
    users,
)
