"""Seller views: the seller's own orders — the list with state tabs, one order with the actions
its state allows (accept, reject, ship, delivered, cancel, confirm a bank transfer), and the
printable packing slip.

Every view is for a logged-in seller with a seller profile (`seller_profile_required`: anonymous
→ log-in page, other roles → 403, a seller without a profile → the registration wizard). Every
order is fetched through `orders.seller_order`, so another seller's order number answers 404 for
GET and POST alike; a seller sees only its own part of a checkout, never the other sellers'
orders or the checkout's total. POSTs go through the global CSRF check (a bad token answers 400).
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import current_seller, seller_profile_required
from catalog.services import orders, payments, sales
from catalog.services.catalogue import page_number
from catalog.services.errors import DomainError, NotFound
from catalog.web.seller import bp
from catalog.web.seller.forms_orders import ReasonForm, ShipForm


def _order_or_404(number: str):
    try:
        return orders.seller_order(current_seller(), number)
    except NotFound:
        abort(404)


def _to_order(order):
    return redirect(url_for("seller.order_detail", number=order.number))


@bp.get("/pesanan", endpoint="orders")
@seller_profile_required
def orders_index():
    """The seller's orders, newest first, with tabs by state (?status=semua|belum-dibayar|baru|
    diproses|dikirim|selesai|dibatalkan) and pages (?hal=). Sellers with a profile; others 403
    (anonymous: log-in page). Never 404: an unknown tab shows all orders."""
    seller = current_seller()
    tab = sales.tab_key(request.args.get("status"))
    page = sales.seller_orders(seller, tab=tab, page=page_number(request.args.get("hal")), per_page=sales.PER_PAGE)
    params = {"status": tab} if tab != sales.DEFAULT_TAB else {}
    return render_template("seller/orders/index.html", seller=seller, page=page, tab=tab, params=params)


@bp.get("/pesanan/<number>", endpoint="order_detail")
@seller_profile_required
def order_detail(number: str):
    """One of the seller's orders with its lines, delivery, the shopper's note, the payment and
    the actions its state allows. Sellers with a profile; others 403; another seller's or an
    unknown order 404. An unpaid transfer past its deadline is expired here first, so the page
    never offers to confirm a payment that is already void."""
    order = _order_or_404(number)
    payments.expire_if_due(order.group.payment)
    return _detail_page(order)


def _detail_page(order, *, reject_form=None, cancel_form=None, ship_form=None, status=200):
    payment = order.group.payment
    ship_form = ship_form or ShipForm(formdata=None, data={"courier": order.delivery_name})
    return render_template(
        "seller/orders/detail.html", order=order, group=order.group, payment=payment, seller=current_seller(),
        can_confirm=payments.can_confirm_transfer(payment, current_user),
        reject_form=reject_form or ReasonForm(formdata=None), cancel_form=cancel_form or ReasonForm(formdata=None),
        ship_form=ship_form, tracking_required=order.delivery_kind == "courier",
    ), status


def _refused(order, error: DomainError, field=None, **forms):
    """A refused action: the order page again with what was typed, the message beside the
    field it is about (`field`, when the error names it) or on top of the page."""
    if field is not None and error.field == field.name:
        field.errors = [*field.errors, error.message]
    else:
        flash(str(error.message), "error")
    return _detail_page(order, status=422, **forms)


def _button(number: str, act, done: str):
    """An action that is only a button: call `act(order)`, then back to the order page with
    `done` or the refusal."""
    order = _order_or_404(number)
    try:
        act(order)
    except DomainError as error:
        flash(str(error.message), "error")
    else:
        flash(done, "success")
    return _to_order(order)


def _with_reason(number: str, close, form_name: str, done: str):
    """Reject or cancel: `close(order, seller, actor_id=, reason=)` with the reason typed; a
    missing reason comes back beside the field, in the form (`form_name`) left open."""
    order = _order_or_404(number)
    form = ReasonForm()
    forms = {form_name: form}
    if not form.validate():
        return _detail_page(order, status=422, **forms)
    try:
        close(order, current_seller(), actor_id=current_user.id, reason=form.reason.data)
    except DomainError as error:
        return _refused(order, error, form.reason, **forms)
    flash(done, "success")
    return _to_order(order)


@bp.post("/pesanan/<number>/terima", endpoint="order_accept")
@seller_profile_required
def order_accept(number: str):
    """new → accepted. Sellers with a profile; others 403; another seller's order 404."""
    return _button(number, lambda order: orders.accept(order, current_seller(), actor_id=current_user.id),
                   _("Pesanan diterima. Siapkan barangnya, lalu tandai dikirim."))


@bp.post("/pesanan/<number>/tolak", endpoint="order_reject")
@seller_profile_required
def order_reject(number: str):
    """new → rejected, with the reason the shopper reads (required); the stock and the money go
    back. Sellers with a profile; others 403; another seller's order 404."""
    return _with_reason(number, orders.reject, "reject_form", _("Pesanan ditolak. Pembeli sudah diberi tahu alasannya."))


@bp.post("/pesanan/<number>/kirim", endpoint="order_ship")
@seller_profile_required
def order_ship(number: str):
    """accepted → shipped, with the courier and the tracking number (required for a courier
    delivery). Sellers with a profile; others 403; another seller's order 404."""
    order = _order_or_404(number)
    form = ShipForm()
    if not form.validate():
        return _detail_page(order, ship_form=form, status=422)
    try:
        orders.ship(order, current_seller(), actor_id=current_user.id, courier=form.courier.data,
                    tracking_number=form.tracking_number.data)
    except DomainError as error:
        return _refused(order, error, form.tracking_number, ship_form=form)
    flash(_("Pesanan ditandai dikirim. Pembeli sudah diberi tahu."), "success")
    return _to_order(order)


@bp.post("/pesanan/<number>/sampai", endpoint="order_delivered")
@seller_profile_required
def order_delivered(number: str):
    """shipped → delivered. Sellers with a profile; others 403; another seller's order 404."""
    return _button(number, lambda order: orders.mark_delivered(order, current_seller(), actor_id=current_user.id),
                   _("Pesanan ditandai sudah sampai. Pembeli diminta mengonfirmasi penerimaan."))


@bp.post("/pesanan/<number>/batalkan", endpoint="order_cancel")
@seller_profile_required
def order_cancel(number: str):
    """accepted → cancelled, with the reason (required); the stock and the money go back.
    Sellers with a profile; others 403; another seller's order 404."""
    return _with_reason(number, orders.cancel_by_seller, "cancel_form",
                        _("Pesanan dibatalkan. Stok dikembalikan dan pembeli sudah diberi tahu."))


@bp.post("/pesanan/<number>/konfirmasi-pembayaran", endpoint="order_confirm_payment")
@seller_profile_required
def order_confirm_payment(number: str):
    """The seller saw the bank transfer arrive (only for a checkout that is its own alone; see
    payments.can_confirm_transfer). Sellers with a profile; others 403; another seller's order
    404; a refusal is a message on the order page."""
    return _button(number, lambda order: payments.confirm_transfer(order.group.payment, current_user),
                   _("Pembayaran dikonfirmasi. Pesanan sekarang menunggu Anda terima."))


@bp.get("/pesanan/<number>/label", endpoint="order_label")
@seller_profile_required
def order_label(number: str):
    """The packing slip to print and stick on the parcel: recipient, address, lines with SKU.
    Sellers with a profile; others 403; another seller's order 404."""
    order = _order_or_404(number)
    return render_template("seller/orders/label.html", order=order, group=order.group, seller=current_seller())
