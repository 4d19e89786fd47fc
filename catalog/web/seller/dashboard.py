"""Seller views: the dashboard home (/penjual)."""

from flask import render_template

from catalog.authz import current_seller, seller_profile_required
from catalog.services import sales, seller_stats
from catalog.web.seller import bp


@bp.get("")
@seller_profile_required
def dashboard():
    """The seller's home: verification status, new orders waiting, orders and sales per week,
    best-selling products, profile checklist, product counts, low stock, expiring certificates
    and weekly views. Sellers only (403 for other roles; anonymous visitors go to /masuk; a
    seller without a profile yet goes to the registration wizard)."""
    board = seller_stats.dashboard(current_seller())
    return render_template("seller/dashboard.html", board=board, seller=board.seller,
                           sales=sales.sales_board(board.seller, today=board.today))
