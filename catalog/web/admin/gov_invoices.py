"""Admin: government invoices past the agency's payment term, across every agency — late
payment is the sellers' first complaint about government buyers, so the Dinas sees who owes
whom and for how long."""

from flask import render_template

from catalog.authz import admin_required
from catalog.services.certificates import jakarta_today
from catalog.services.procurement import orders
from catalog.web.admin import bp


@bp.get("/tagihan-terlambat")
@admin_required
def overdue_invoices():
    """Unpaid invoices past their due date, the longest overdue first, with agency, seller,
    amount and days late. Admins only (403 for other roles)."""
    today = jakarta_today()
    invoices = orders.overdue_invoices(today=today)
    return render_template("admin/overdue_invoices.html", invoices=invoices, today=today,
                           days_overdue=orders.days_overdue)
