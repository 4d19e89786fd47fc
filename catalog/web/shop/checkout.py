"""Checkout (/checkout): the delivery address, per seller a delivery choice and a note, the
payment method, the totals; then one order group with one order per seller.

Logged-in users only: a guest is sent to /masuk?next=/checkout, and the log-in merges the guest
cart. The page is one form: "Hitung ulang" (the first button, so Enter never orders by accident)
posts it back with the totals recomputed for the chosen address and deliveries; "Buat pesanan"
places the order. Nothing but the choices is taken from the form: the service recomputes every
price and refuses a total other than the one shown (expected_total). Session keys set here:
"checkout_token" ("<user id>:<token>"), the form's one-time token, rotated after each order, so
the same form sent twice lands on the order it already made. POSTs go through the global CSRF
check; another user's address id answers 404.
"""

import importlib.util

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import login_required
from catalog.models.orders import PAYMENT_CARD
from catalog.services import addresses, checkout
from catalog.services.errors import DomainError, NotFound
from catalog.web.shop import bp
from catalog.web.shop.cart import current_cart
from catalog.web.shop.forms import ACTION_PLACE, CheckoutForm

CHECKOUT_TOKEN_KEY = "checkout_token"  # noqa: S105 (a session key name, not a secret)
STRIPE_GATEWAY = "catalog.services.stripe_gateway"
CARD_RETURN_ENDPOINTS = ("shop.card_done", "shop.card_cancelled")


def _checkout_token(*, rotate: bool = False) -> str:
    """This user's current form token (a token left by another account in this browser is not
    reused)."""
    owner, _sep, token = (session.get(CHECKOUT_TOKEN_KEY) or "").partition(":")
    if rotate or owner != str(current_user.id) or not token:
        token = checkout.new_checkout_token()
        session[CHECKOUT_TOKEN_KEY] = f"{current_user.id}:{token}"
    return token


def _card_gateway():
    """services/stripe_gateway when card payment can run end to end (keys set, the gateway and
    its return pages present), else None and the card choice is not offered."""
    if not checkout.card_payments_enabled() or importlib.util.find_spec(STRIPE_GATEWAY) is None:
        return None
    if not all(endpoint in current_app.view_functions for endpoint in CARD_RETURN_ENDPOINTS):
        return None
    return importlib.import_module(STRIPE_GATEWAY)


def _order_url(number: str) -> str:
    if "orders.detail" in current_app.view_functions:
        return url_for("orders.detail", number=number)
    return f"/pesanan/{number}"


def _address(book: list, raw) -> object:
    """The posted address, which must be the user's own (404 otherwise), or the default."""
    if raw:
        try:
            return checkout.own_address(current_user, raw)
        except NotFound:
            abort(404)
    return addresses.pick(book)


def _page(form: CheckoutForm, book: list, address, quote, error=None, status: int = 200):
    form.expected_total.data = str(quote.total)
    form.checkout_token.data = _checkout_token()
    form.address.data = str(address.id) if address else ""
    return render_template(
        "shop/checkout.html", form=form, quote=quote, book=book, address=address, error=error,
        card_available=_card_gateway() is not None,
        transfer_hours=current_app.config["TRANSFER_EXPIRY_HOURS"],
    ), status


@bp.get("/checkout", endpoint="checkout")
@login_required
def checkout_page():
    """The checkout form for the user's cart (?alamat=<id> picks one of their addresses; an id
    not theirs falls back to the default). Logged-in users; an empty cart or one with lines that
    cannot be ordered sends them to the cart with a message."""
    cart = current_cart()
    book = addresses.book(current_user.id)
    address = addresses.pick(book, request.args.get("alamat"))
    quote = checkout.quote(cart, address)
    if quote.review.is_empty:
        flash(_("Keranjang Anda kosong."), "info")
        return redirect(url_for("shop.cart"))
    if quote.review.problems:
        flash(_("Ada barang di keranjang yang perlu diperiksa dulu."), "error")
        return redirect(url_for("shop.cart"))
    return _page(CheckoutForm(formdata=None), book, address, quote)


@bp.post("/checkout")
@login_required
def checkout_submit():
    """Recompute (any button but "pesan") or place the order. Logged-in users; another user's
    address id: 404. A refusal (stock, a changed price or fee, no delivery chosen) re-renders
    the page with the message and the new totals; nothing is ordered then."""
    form = CheckoutForm()
    chosen, notes = form.seller_fields(request.form)
    cart = current_cart()
    book = addresses.book(current_user.id)
    address = _address(book, form.address.data)
    if request.form.get("aksi") != ACTION_PLACE:
        return _page(form, book, address, checkout.quote(cart, address, chosen, notes))

    error = None
    gateway = _card_gateway()
    if not form.validate():
        error = next((str(m) for field in form for m in field.errors),
                     _("Formulir checkout ini tidak berlaku. Muat ulang halaman checkout."))
    elif form.method.data == PAYMENT_CARD and gateway is None:
        error = _("Pembayaran kartu sedang tidak tersedia. Pilih transfer bank.")
    else:
        try:
            group = checkout.place_order(
                user=current_user._get_current_object(), cart=cart, address=address, chosen=chosen,
                method=form.method.data, expected_total=form.expected if form.expected is not None else -1,
                checkout_token=form.checkout_token.data, notes=notes,
            )
        except DomainError as failure:
            error = str(failure.message)
        else:
            _checkout_token(rotate=True)
            return _after_order(group, gateway)
    quote = checkout.quote(current_cart(), address, chosen, notes)
    if quote.review.is_empty:
        flash(error, "error")
        return redirect(url_for("shop.cart"))
    return _page(form, book, address, quote, error=error, status=422)


def _after_order(group, gateway):
    """Transfer: the order page with the payment instructions. Card: Stripe's payment page
    (a replayed form whose payment is no longer pending goes to the order page)."""
    payment = group.payment
    if payment.method != PAYMENT_CARD or not payment.is_pending or gateway is None:
        flash(_("Pesanan %(number)s sudah dibuat. Selesaikan pembayaran sesuai petunjuk di bawah.",
                number=group.number), "success")
        return redirect(_order_url(group.number))
    try:
        url = gateway.start_checkout(
            group,
            success_url=url_for("shop.card_done", pesanan=group.number, _external=True),
            cancel_url=url_for("shop.card_cancelled", pesanan=group.number, _external=True),
        )
    except DomainError as failure:
        flash(str(failure.message), "error")
        return redirect(_order_url(group.number))
    return redirect(url, 303)
