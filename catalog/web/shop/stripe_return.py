"""Coming back from Stripe's payment page (/checkout/kartu/selesai, /checkout/kartu/batal) and
paying a card checkout again (POST /checkout/kartu/bayar: the order page's card button). The
redirect alone proves nothing: the success page asks Stripe, and the webhook settles it anyway."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import login_required
from catalog.models import OrderGroup
from catalog.models.orders import PAY_PENDING, PAYMENT_CARD
from catalog.services import payments, stripe_gateway
from catalog.services.errors import DomainError
from catalog.web.shop import bp


def return_urls(number: str) -> dict[str, str]:
    """The success_url and cancel_url for stripe_gateway.start_checkout() of checkout `number`."""
    return {
        "success_url": url_for("shop.card_done", pesanan=number, _external=True),
        "cancel_url": url_for("shop.card_cancelled", pesanan=number, _external=True),
    }


def order_page(number: str) -> str:
    return url_for("orders.detail", number=number)


def _own_group(number: str | None) -> OrderGroup:
    """The logged-in shopper's own checkout; anyone else's, or none, is 404."""
    group = payments.group_by_number(number) if number else None
    if group is None or group.user_id != current_user.id:
        abort(404)
    return group


@bp.get("/checkout/kartu/selesai")
@login_required
def card_done():
    """Stripe sends the shopper here after paying (?pesanan=<checkout number>). Logged-in
    owner of the checkout only (404 otherwise). Asks Stripe whether it is paid, then goes on to
    the order page saying what Stripe answered."""
    group = _own_group(request.args.get("pesanan"))
    if group.payment.method != PAYMENT_CARD:
        return redirect(order_page(group.number))
    try:
        paid = stripe_gateway.sync_session(group)
    except DomainError:
        paid = False  # Stripe unreachable for now: the webhook will still settle it
    if paid:
        flash(_("Pembayaran diterima. Penjual akan memproses pesanan Anda."), "success")
    elif group.payment.status == PAY_PENDING:
        flash(_("Pembayaran Anda menunggu konfirmasi Stripe. Status pesanan berubah otomatis begitu Stripe "
                "mengonfirmasinya."), "info")
    else:
        flash(_("Pesanan ini sudah dibatalkan. Bila kartu Anda sempat ditagih, dananya dikembalikan otomatis."),
              "warning")
    return redirect(order_page(group.number))


@bp.get("/checkout/kartu/batal")
@login_required
def card_cancelled():
    """Stripe sends the shopper here after leaving the payment page without paying. Logged-in
    owner only (404 otherwise). On to the order page, whose payment box offers to pay again
    (card_retry) while the checkout still waits."""
    group = _own_group(request.args.get("pesanan"))
    payment = group.payment
    if payment.method == PAYMENT_CARD and payment.is_pending and not payments.expire_if_due(payment):
        flash(_("Pembayaran kartu belum selesai, jadi kartu Anda belum ditagih. Anda masih bisa membayar sebelum "
                "batas waktu; setelah itu pesanan batal otomatis dan stok dikembalikan."), "warning")
    return redirect(order_page(group.number))


@bp.post("/checkout/kartu/bayar")
@login_required
def card_retry():
    """Pay a pending card checkout (?pesanan=<checkout number>, the CSRF token in the form):
    back to the Stripe page still open, or a new one. Logged-in owner only (404 otherwise). A
    refusal is flashed on the order page."""
    group = _own_group(request.args.get("pesanan"))
    try:
        url = stripe_gateway.start_checkout(group, **return_urls(group.number))
    except DomainError as error:
        flash(error.message, "error")
        return redirect(order_page(group.number))
    return redirect(url, code=303)
