"""Admin: the console's home — one card per queue (how many wait, since when), each linking to
its queue."""

from flask import render_template

from catalog.authz import admin_required
from catalog.services import admin_queues
from catalog.services.certificates import jakarta_today
from catalog.web.admin import bp


@bp.get("", endpoint="home")
@admin_required
def home():
    """The console home: sellers waiting for verification, officers waiting for confirmation,
    reported products, bank transfers waiting and overdue government invoices, each with its
    count and the oldest waiting age. Admins only (403 for other roles)."""
    return render_template("admin/home.html", cards=admin_queues.queue_cards(jakarta_today()))
