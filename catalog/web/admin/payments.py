"""Admin: bank transfers to the platform's account — the ones waiting for the Dinas to see the
money arrive (newest proof first) with their confirmation, and the refunds of cancelled transfer
orders that the Dinas must send back to shoppers by hand."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import admin_required
from catalog.extensions import db
from catalog.models import Payment
from catalog.models.base import utcnow
from catalog.services import payments
from catalog.services.errors import DomainError
from catalog.web.admin import bp


@bp.get("/pembayaran")
@admin_required
def payment_queue():
    """Transfers waiting for confirmation (amount, reference, shopper, sellers, proof link, a
    confirm button each) and the transfer refunds to send back. Admins only (403 for other
    roles)."""
    pending, total = payments.pending_transfers()
    return render_template("admin/payments.html", pending=pending, total=total,
                           refunds=payments.transfer_refunds_to_send(), shown=payments.QUEUE_SHOWN, now=utcnow())


@bp.post("/pembayaran/<int:payment_id>/konfirmasi")
@admin_required
def payment_confirm(payment_id: int):
    """The money arrived on the platform's account: the payment becomes paid and each seller's
    order "new" (sellers and shopper are told). Admins only (403 for other roles); 404 for an
    unknown payment. A refused confirmation (already confirmed, past its deadline) says why
    and changes nothing."""
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        abort(404)
    number = payment.group.number
    try:
        payments.confirm_transfer(payment, current_user)
    except DomainError as error:
        flash(str(error.message), "error")
        payments.expire_if_due(payment)  # refused as too late: close it now rather than at the next cron run
    else:
        flash(_("Pembayaran %(number)s dikonfirmasi. Penjual dan pembeli sudah diberi tahu.", number=number), "success")
    return redirect(url_for("admin.payment_queue"))
