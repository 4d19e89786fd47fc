"""Fulfilment of one seller's order: accept, reject, ship, deliver, the shopper's confirmation of
receipt, cancellation (stock back, money back when paid) and the automatic completion of orders
nobody confirmed. Every move goes through the ORDER table of services/states.py and is audited;
the callers (seller, shopper, cron) are checked here, not only in the views."""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from catalog.extensions import db
from catalog.models import Order, Product, Seller, User
from catalog.models.base import utcnow
from catalog.models.orders import (
    ORDER_ACCEPTED,
    ORDER_AWAITING_PAYMENT,
    ORDER_CANCELLABLE_BY_SHOPPER,
    ORDER_CANCELLED,
    ORDER_COMPLETED,
    ORDER_DELIVERED,
    ORDER_NEW,
    ORDER_REJECTED,
    ORDER_SHIPPED,
    PAY_PAID,
    PAY_PARTIALLY_REFUNDED,
    PAYMENT_CARD,
)
from catalog.services import inventory, ledger, notifications, payments, states
from catalog.services.errors import InvalidTransition, NotFound, ValidationFailed

REASON_MAX = 500
TRACKING_MAX = 60


# --- scoped getters ------------------------------------------------------------------------------

def seller_order(seller: Seller, number: str) -> Order:
    """One of the seller's own orders by number; anything else is NotFound."""
    order = db.session.scalar(select(Order).where(Order.number == number, Order.seller_id == seller.id))
    if order is None:
        raise NotFound(_l("Pesanan tidak ditemukan."))
    return order


def shopper_order(user: User, number: str) -> Order:
    order = db.session.scalar(select(Order).where(Order.number == number, Order.user_id == user.id))
    if order is None:
        raise NotFound(_l("Pesanan tidak ditemukan."))
    return order


def _reason(text: str | None, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationFailed(_l("Tuliskan alasannya agar pembeli mengerti."), field="reason")
    if len(text) > REASON_MAX:
        raise ValidationFailed(_l("Alasan paling banyak %(n)s karakter.", n=REASON_MAX), field="reason")
    return text


def _move(order: Order, target: str, *, actor_id: int | None, reason: str | None = None, **extra) -> None:
    states.transition("order", order, target, actor_id=actor_id, reason=reason, extra=extra or None)


def _tell_shopper(order: Order, kind: str, title, body) -> None:
    notifications.notify(order.user, kind, title, body, link=f"/pesanan/{order.group.number}")


# --- the seller's moves --------------------------------------------------------------------------

def accept(order: Order, seller: Seller, *, actor_id: int) -> None:
    """new → accepted. Commits."""
    _check_seller(order, seller)
    _move(order, ORDER_ACCEPTED, actor_id=actor_id)
    order.accepted_at = utcnow()
    _tell_shopper(order, "order_accepted", _l("Pesanan %(number)s diterima penjual", number=order.number),
                  _l("%(seller)s sedang menyiapkan pesanan Anda.", seller=order.seller.business_name))
    db.session.commit()


def reject(order: Order, seller: Seller, *, actor_id: int, reason: str | None) -> None:
    """new → rejected: the stock returns and the shopper's money goes back. Commits."""
    _check_seller(order, seller)
    text = _reason(reason, required=True)
    _close(order, ORDER_REJECTED, actor_id=actor_id, reason=text)
    _tell_shopper(order, "order_rejected", _l("Pesanan %(number)s ditolak penjual", number=order.number),
                  _l("Alasan: %(reason)s. Dana Anda dikembalikan bila sudah dibayar.", reason=text))
    db.session.commit()


def ship(order: Order, seller: Seller, *, actor_id: int, courier: str | None, tracking_number: str | None) -> None:
    """accepted → shipped, with the courier and tracking number (a courier delivery needs the
    tracking number; the seller's own delivery and pickup do not). Commits."""
    _check_seller(order, seller)
    courier = (courier or "").strip()[:TRACKING_MAX] or order.delivery_name
    tracking = (tracking_number or "").strip()
    if len(tracking) > TRACKING_MAX:
        raise ValidationFailed(_l("Nomor resi paling banyak %(n)s karakter.", n=TRACKING_MAX), field="tracking_number")
    if order.delivery_kind == "courier" and not tracking:
        raise ValidationFailed(_l("Isi nomor resi dari kurir."), field="tracking_number")
    _move(order, ORDER_SHIPPED, actor_id=actor_id, courier=courier, tracking_number=tracking or None)
    order.courier, order.tracking_number, order.shipped_at = courier, tracking or None, utcnow()
    if order.delivery_kind == "pickup":
        title = _l("Pesanan %(number)s siap diambil", number=order.number)
        body = _l("Ambil di %(seller)s, lalu konfirmasi penerimaan.", seller=order.seller.business_name)
    else:
        title = _l("Pesanan %(number)s dikirim", number=order.number)
        body = _l("Kurir: %(courier)s. Nomor resi: %(tracking)s.", courier=courier, tracking=tracking or "-")
    _tell_shopper(order, "order_shipped", title, body)
    db.session.commit()


def mark_delivered(order: Order, seller: Seller, *, actor_id: int) -> None:
    """shipped → delivered: the seller knows it arrived (its own delivery, a pickup, a courier's
    proof). The shopper still confirms, or the order completes on its own later. Commits."""
    _check_seller(order, seller)
    _move(order, ORDER_DELIVERED, actor_id=actor_id)
    order.delivered_at = utcnow()
    _tell_shopper(order, "order_delivered", _l("Pesanan %(number)s sudah sampai", number=order.number),
                  _l("Periksa barangnya, lalu konfirmasi penerimaan dan beri ulasan."))
    db.session.commit()


def cancel_by_seller(order: Order, seller: Seller, *, actor_id: int, reason: str | None) -> None:
    """accepted → cancelled (the seller cannot deliver after all): stock and money go back. Commits."""
    _check_seller(order, seller)
    if order.status != ORDER_ACCEPTED:
        raise InvalidTransition(_l("Pesanan baru ditolak, bukan dibatalkan; pesanan yang sudah dikirim tidak dapat dibatalkan."))
    text = _reason(reason, required=True)
    _close(order, ORDER_CANCELLED, actor_id=actor_id, reason=text)
    _tell_shopper(order, "order_cancelled", _l("Pesanan %(number)s dibatalkan penjual", number=order.number),
                  _l("Alasan: %(reason)s. Dana Anda dikembalikan.", reason=text))
    db.session.commit()


def _check_seller(order: Order, seller: Seller) -> None:
    if order.seller_id != seller.id:
        raise NotFound(_l("Pesanan tidak ditemukan."))


# --- the shopper's moves -------------------------------------------------------------------------

def cancel_by_shopper(order: Order, user: User, *, reason: str | None = None) -> None:
    """Before shipping (awaiting payment, new, accepted): the stock returns and, when paid, the
    money goes back (by card through Stripe). Commits."""
    if order.user_id != user.id:
        raise NotFound(_l("Pesanan tidak ditemukan."))
    if order.status not in ORDER_CANCELLABLE_BY_SHOPPER:
        raise InvalidTransition(_l("Pesanan yang sudah dikirim tidak dapat dibatalkan."))
    text = _reason(reason, required=False) or str(_l("Dibatalkan pembeli."))
    if order.status == ORDER_AWAITING_PAYMENT:
        # Nothing is paid yet and the payment covers the whole checkout (one Stripe session, one
        # transfer amount): the whole checkout is cancelled, so nobody pays for a cancelled part.
        payments.cancel_unpaid(order.group.payment, actor_id=user.id, reason=text)
        db.session.commit()
        return
    _close(order, ORDER_CANCELLED, actor_id=user.id, reason=text)
    notifications.notify(order.seller.user, "order_cancelled", _l("Pesanan %(number)s dibatalkan pembeli", number=order.number),
                         text, link=f"/penjual/pesanan/{order.number}")
    db.session.commit()


def confirm_receipt(order: Order, user: User) -> None:
    """shipped or delivered → completed: the shopper has the goods. Commits."""
    if order.user_id != user.id:
        raise NotFound(_l("Pesanan tidak ditemukan."))
    _complete(order, actor_id=user.id, reason="confirmed")
    notifications.notify(order.seller.user, "order_completed", _l("Pesanan %(number)s selesai", number=order.number),
                         _l("Pembeli sudah menerima pesanan."), link=f"/penjual/pesanan/{order.number}")
    db.session.commit()


def _complete(order: Order, *, actor_id: int | None, reason: str) -> None:
    _move(order, ORDER_COMPLETED, actor_id=actor_id, reason=reason)
    order.completed_at = utcnow()
    if order.delivered_at is None:
        order.delivered_at = order.completed_at
    # The money reaches the seller's balance in the same transaction as the state change.
    ledger.credit_completed_order(order, actor_id=actor_id)
    _count_sold(order)


def _count_sold(order: Order) -> None:
    """A completed order's quantities join each product's "terjual" count (the product page, the
    shop's best-selling sort), with one UPDATE per product in id order, in the caller's
    transaction."""
    sold: dict[int, int] = {}
    for item in order.items:
        if item.product_id is not None:
            sold[item.product_id] = sold.get(item.product_id, 0) + item.quantity
    for product_id in sorted(sold):
        db.session.execute(
            update(Product).where(Product.id == product_id)
            .values(sold_count=Product.sold_count + sold[product_id])
            .execution_options(synchronize_session=False)
        )


# --- closing with stock and money back -----------------------------------------------------------

def _close(order: Order, target: str, *, actor_id: int | None, reason: str) -> None:
    """Reject or cancel: state first (refused moves change nothing), then the stock, then the
    money. A card refund is asked of Stripe before anything commits; if Stripe refuses, the
    caller's transaction is rolled back and the order stays as it was."""
    payment = order.group.payment
    was_paid = payment.status in (PAY_PAID, PAY_PARTIALLY_REFUNDED) and order.status != ORDER_AWAITING_PAYMENT
    _move(order, target, actor_id=actor_id, reason=reason)
    order.status_reason = reason
    order.closed_at = utcnow()
    inventory.release_order(order, actor_id=actor_id)
    if was_paid:
        _refund(order, actor_id=actor_id, reason=reason)


def _refund(order: Order, *, actor_id: int | None, reason: str) -> None:
    payment = order.group.payment
    amount = order.total - order.refunded_amount
    if amount <= 0:
        return
    if payment.method == PAYMENT_CARD:
        from catalog.services import stripe_gateway  # only when a card refund is due

        try:
            stripe_gateway.refund(payment, amount, idempotency_key=f"refund-{order.number}")
        except stripe_gateway.GatewayError as error:
            db.session.rollback()
            raise ValidationFailed(_l("Pengembalian dana lewat Stripe gagal (%(error)s). Pesanan belum dibatalkan; "
                                      "coba lagi sebentar lagi.", error=error.message)) from None
    # A transfer is returned by the Dinas from the platform's account (listed in the admin console).
    order.refunded_amount += amount
    payments.record_refund(payment, amount, actor_id=actor_id, reason=reason)


# --- automatic completion ------------------------------------------------------------------------

def complete_due(now: datetime | None = None, *, days: int | None = None, batch: int = 200) -> int:
    """Complete shipped or delivered orders nobody confirmed within AUTO_COMPLETE_DAYS of
    shipping (`flask orders complete`, daily from cron). One commit per order."""
    now = now or utcnow()
    days = current_app.config["AUTO_COMPLETE_DAYS"] if days is None else days
    cutoff = now - timedelta(days=days)
    ids = db.session.scalars(
        select(Order.id).where(Order.status.in_((ORDER_SHIPPED, ORDER_DELIVERED)), Order.shipped_at <= cutoff)
        .order_by(Order.id).limit(batch)
    ).all()
    done = 0
    for order_id in ids:
        order = db.session.get(Order, order_id, with_for_update=True)
        if order is None or order.status not in (ORDER_SHIPPED, ORDER_DELIVERED):
            db.session.rollback()
            continue
        _complete(order, actor_id=None, reason="auto")
        _tell_shopper(order, "order_completed", _l("Pesanan %(number)s selesai otomatis", number=order.number),
                      _l("Pesanan dianggap diterima %(days)s hari setelah dikirim.", days=days))
        db.session.commit()
        done += 1
    return done


__all__ = [
    "ORDER_NEW", "accept", "cancel_by_seller", "cancel_by_shopper", "complete_due", "confirm_receipt", "mark_delivered",
    "reject", "seller_order", "ship", "shopper_order",
]
