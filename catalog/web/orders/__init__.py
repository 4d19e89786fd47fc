"""The shopper's orders (/pesanan): "Pesanan Saya", one checkout's orders with their timeline,
payment by transfer, cancel, confirm receipt, invoices and reviews."""

from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/pesanan")

from catalog.web.orders import views  # noqa: E402,F401
