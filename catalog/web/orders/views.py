"""Routes of the orders blueprint: "Pesanan Saya", one checkout (payment box, each seller's order
with its timeline and actions), the transfer proof, cancel and confirm receipt, the printable
invoice of one seller's order and the review form. Every page is the logged-in shopper's own:
another user's checkout or order answers 404, never 403, so numbers are not even confirmed."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog import storage
from catalog.authz import login_required
from catalog.models import Order, OrderGroup
from catalog.models.orders import ORDER_AWAITING_PAYMENT, ORDER_COMPLETED, PAY_PAID
from catalog.models.users import ROLE_ADMIN
from catalog.services import orders, payments, reviews, timeline
from catalog.services.errors import DomainError, InvalidTransition, NotFound
from catalog.web.orders import bp
from catalog.web.orders.forms import CancelForm, ProofForm, review_form

CARD_RETRY_ENDPOINT = "shop.card_retry"  # built with the Stripe checkout; the button waits for it


# --- scoped getters ------------------------------------------------------------------------------

def _own_group(number: str) -> OrderGroup:
    """The current user's checkout, expired first when its payment window has passed (a late
    cron job never shows a stale "waiting for payment")."""
    try:
        group = timeline.shopper_group(current_user.id, number)
    except NotFound:
        abort(404)
    if group.payment is not None and payments.expire_if_due(group.payment):
        group = timeline.shopper_group(current_user.id, number)
    return group


def _own_order(number: str) -> Order:
    try:
        return orders.shopper_order(current_user, number)
    except NotFound:
        abort(404)


def _order_url(order: Order) -> str:
    return url_for("orders.detail", number=order.group.number, _anchor=f"pesanan-{order.number}")


# --- pages ---------------------------------------------------------------------------------------

@bp.get("")
@login_required
def index():
    """"Pesanan Saya": the user's checkouts, newest first, with tabs (?status=belum-dibayar|
    diproses|dikirim|selesai|dibatalkan) and pages (?hal=). Any logged-in user; only ever reads
    current_user's own checkouts. Unknown parameters fall back to the defaults, never 404."""
    timeline.expire_due_of_user(current_user.id)
    page = timeline.shopper_checkouts(current_user.id, tab=request.args.get("status"), page=request.args.get("hal"))
    return render_template("orders/index.html", page=page, tabs=timeline.TABS)


@bp.get("/<number>")
@login_required
def detail(number: str):
    """One checkout: the payment box (transfer details and proof upload, the card button, or
    what happened to the payment) and each seller's order with its timeline and actions. The
    checkout's shopper only; anyone else (and an unknown number) gets 404."""
    return _render_detail(_own_group(number))


def _render_detail(group: OrderGroup, proof_form: ProofForm | None = None, status: int = 200):
    payment = group.payment
    card_retry_url = None
    if CARD_RETRY_ENDPOINT in current_app.view_functions and payment is not None and payment.is_pending:
        card_retry_url = url_for(CARD_RETRY_ENDPOINT, pesanan=group.number)
    form = proof_form or ProofForm()
    if payment is not None and payment.proof_key:
        form.proof.label.text = _("Ganti bukti transfer")
    config = current_app.config
    bank = {"name": config["PLATFORM_BANK_NAME"], "account": config["PLATFORM_BANK_ACCOUNT"],
            "holder": config["PLATFORM_BANK_HOLDER"]}
    html = render_template(
        "orders/detail.html", group=group, payment=payment, steps=timeline.timelines(group),
        reviewed=reviews.reviewed_order_ids(order.id for order in group.orders), bank=bank,
        proof_form=form, card_retry_url=card_retry_url,
        any_unpaid=any(order.status == ORDER_AWAITING_PAYMENT for order in group.orders),
        several_sellers=len(group.orders) > 1,
    )
    return html, status


@bp.post("/<number>/bukti-transfer")
@login_required
def upload_proof(number: str):
    """Attach the transfer proof (form field `proof`: a photo or a PDF, checked by content).
    The checkout's shopper only (404 otherwise). A refused file shows the page again with the
    message beside the field (status 400) and changes nothing."""
    group = _own_group(number)
    form = ProofForm()
    if form.validate_on_submit():
        try:
            payments.upload_proof(group.payment, current_user, form.proof.data)
        except NotFound:
            abort(404)
        except DomainError as error:
            if error.field != "proof":
                flash(str(error.message), "error")
                return redirect(url_for("orders.detail", number=number, _anchor="pembayaran"))
            form.proof.errors = [*form.proof.errors, str(error.message)]
        else:
            flash(_("Bukti transfer terkirim. Kami memberi tahu Anda begitu Dinas mencocokkannya dengan rekening."),
                  "success")
            return redirect(url_for("orders.detail", number=number, _anchor="pembayaran"))
    return _render_detail(group, proof_form=form, status=400)


@bp.get("/<number>/bukti-transfer")
@login_required
def proof_file(number: str):
    """The uploaded transfer proof: a photo shown inline, a PDF downloaded. The checkout's
    shopper and admins only; anyone else, or a checkout without a proof, gets 404. Never kept by
    shared caches (a bank receipt is private)."""
    group = payments.group_by_number(number)
    if group is None or not (group.user_id == current_user.id or current_user.has_role(ROLE_ADMIN)):
        abort(404)
    payment = group.payment
    if payment is None or not payment.proof_key or not storage.exists(payment.proof_key):
        abort(404)
    key = payment.proof_key
    is_pdf = payment.proof_content_type == "application/pdf"
    response = storage.send(key, mimetype=payment.proof_content_type or "application/octet-stream", as_attachment=is_pdf,
                            download_name=f"bukti-transfer-{group.number}{storage.suffix(key)}")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


# --- the shopper's moves -------------------------------------------------------------------------

@bp.post("/<order_number>/batalkan")
@login_required
def cancel(order_number: str):
    """Cancel one seller's order before it ships (form field `reason`, optional). An unpaid
    order cancels the whole checkout (one payment covers it); a paid one is refunded. The
    order's shopper only (404 otherwise); a refused cancel shows the reason and changes nothing."""
    order = _own_order(order_number)
    target = _order_url(order)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(" ".join(str(m) for m in form.reason.errors) or _("Formulir tidak lengkap. Muat ulang halaman."), "error")
        return redirect(target)
    if not order.is_open:
        flash(_("Pesanan ini sudah selesai atau dibatalkan."), "info")
        return redirect(target)
    whole_checkout = order.status == ORDER_AWAITING_PAYMENT
    paid = order.group.payment is not None and order.group.payment.status == PAY_PAID
    try:
        orders.cancel_by_shopper(order, current_user, reason=form.reason.data)
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(target)
    if whole_checkout:
        flash(_("Checkout %(number)s dibatalkan seluruhnya. Tidak ada yang perlu dibayar.", number=order.group.number),
              "success")
    elif paid:
        flash(_("Pesanan %(number)s dibatalkan. Dana Anda dikembalikan; rinciannya ada di bawah.", number=order.number),
              "success")
    else:
        flash(_("Pesanan %(number)s dibatalkan.", number=order.number), "success")
    return redirect(target)


@bp.post("/<order_number>/diterima")
@login_required
def confirm_receipt(order_number: str):
    """The shopper has the goods: a shipped or delivered order becomes completed, then the
    review form opens. The order's shopper only (404 otherwise)."""
    order = _own_order(order_number)
    try:
        orders.confirm_receipt(order, current_user)
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(_order_url(order))
    flash(_("Terima kasih! Pesanan %(number)s selesai. Bagaimana barangnya? Beri ulasan untuk pembeli lain.",
            number=order.number), "success")
    return redirect(url_for("orders.review", order_number=order.number))


# --- invoice and reviews -------------------------------------------------------------------------

@bp.get("/<order_number>/faktur")
@login_required
def invoice(order_number: str):
    """The printable invoice of one seller's order (the number with its "-1", "-2" suffix).
    The order's shopper only; anyone else gets 404."""
    order = _own_order(order_number)
    return render_template("orders/invoice.html", order=order, group=order.group, seller=order.seller,
                           payment=order.group.payment)


@bp.route("/<order_number>/ulasan", methods=["GET", "POST"])
@login_required
def review(order_number: str):
    """Rate a completed order: stars, text and a photo per line, stars and text for the seller,
    once. The order's shopper only (404 otherwise); an order not completed yet, or already
    reviewed, sends the shopper back to the order with the reason. A refused form comes back
    with the messages beside the fields (status 400) and nothing saved."""
    order = _own_order(order_number)
    if not reviews.can_review(order, reviews.reviewed_order_ids([order.id])):
        flash(_message_why_not(order), "info")
        return redirect(_order_url(order))
    items = reviews.reviewable_items(order)
    form = review_form(items)
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            lines = [reviews.LineRating(item_id, stars.data, body.data, form.photo_of(item_id))
                     for item_id, stars, body, _photo in form.lines()]
            try:
                reviews.submit_reviews(order, current_user, lines,
                                       reviews.SellerRating(form.seller_rating.data, form.seller_body.data))
            except NotFound:
                abort(404)
            except InvalidTransition as error:
                flash(str(error.message), "info")
                return redirect(_order_url(order))
            except DomainError as error:
                form.add_domain_error(error)
            else:
                flash(_("Terima kasih atas ulasan Anda! Ulasan membantu pembeli lain dan penjualnya."), "success")
                return redirect(_order_url(order))
    return render_template("orders/review.html", order=order, form=form, items={i.id: i for i in items}), status


def _message_why_not(order: Order) -> str:
    if order.status == ORDER_COMPLETED:
        return str(reviews.MSG_ALREADY)
    return str(reviews.MSG_NOT_COMPLETED)
