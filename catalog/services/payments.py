"""The payment of one checkout: paid (a Stripe event or a confirmed bank transfer), expired or
failed (the orders are cancelled and their stock returns), refunded in part or in full. Every
change goes through the PAYMENT table of services/states.py and is audited."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from catalog import storage
from catalog.extensions import db
from catalog.models import Order, OrderGroup, Payment, User
from catalog.models.base import utcnow
from catalog.models.orders import (
    ORDER_AWAITING_PAYMENT,
    ORDER_CANCELLED,
    ORDER_NEW,
    PAY_CANCELLED,
    PAY_EXPIRED,
    PAY_FAILED,
    PAY_PAID,
    PAY_PARTIALLY_REFUNDED,
    PAY_PENDING,
    PAY_REFUNDED,
    PAYMENT_TRANSFER,
)
from catalog.models.users import ROLE_ADMIN
from catalog.services import audit, inventory, notifications, states, uploads
from catalog.services.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed

PROOF_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg"}  # what uploads.store_document decided


def group_by_number(number: str) -> OrderGroup | None:
    return db.session.scalar(
        select(OrderGroup).where(OrderGroup.number == number)
        .options(selectinload(OrderGroup.orders).selectinload(Order.items), selectinload(OrderGroup.payment))
    )


# --- paying --------------------------------------------------------------------------------------

def mark_paid(payment: Payment, *, actor_id: int | None, source: str, payment_intent: str | None = None) -> bool:
    """pending → paid; every order waiting for it becomes "new" for its seller, who is told.
    Returns False (and changes nothing) when the payment is already paid: events and
    confirmations may arrive twice. In the caller's transaction."""
    if payment.status == PAY_PAID:
        return False
    states.transition("payment", payment, PAY_PAID, actor_id=actor_id, extra={"source": source})
    payment.paid_at = utcnow()
    if payment_intent:
        payment.stripe_payment_intent = payment_intent
    group = payment.group
    for order in group.orders:
        if order.status == ORDER_AWAITING_PAYMENT:
            states.transition("order", order, ORDER_NEW, actor_id=actor_id, reason="payment")
            notifications.notify(
                order.seller.user, "order_new", _l("Pesanan baru %(number)s", number=order.number),
                _l("Pembayaran sudah diterima. Terima atau tolak pesanan ini."),
                link=f"/penjual/pesanan/{order.number}",
            )
    notifications.notify(group.user, "payment_paid", _l("Pembayaran %(number)s diterima", number=group.number),
                         _l("Penjual akan memproses pesanan Anda."), link=f"/pesanan/{group.number}")
    return True


def _close_unpaid(payment: Payment, target: str, *, actor_id: int | None, reason: str) -> None:
    states.transition("payment", payment, target, actor_id=actor_id, reason=reason)
    for order in payment.group.orders:
        if order.status == ORDER_AWAITING_PAYMENT:
            states.transition("order", order, ORDER_CANCELLED, actor_id=actor_id, reason=reason)
            order.status_reason = reason
            order.closed_at = utcnow()
            inventory.release_order(order, actor_id=actor_id)


def expire(payment: Payment, *, actor_id: int | None = None) -> None:
    """pending → expired: the payment window passed. The orders are cancelled, the stock
    returns and the shopper is told. In the caller's transaction."""
    _close_unpaid(payment, PAY_EXPIRED, actor_id=actor_id, reason=str(_l("Batas waktu pembayaran terlewati.")))
    group = payment.group
    notifications.notify(group.user, "payment_expired", _l("Pesanan %(number)s dibatalkan", number=group.number),
                         _l("Pembayaran tidak kami terima sebelum batas waktu, jadi pesanan dibatalkan."),
                         link=f"/pesanan/{group.number}")


def cancel_unpaid(payment: Payment, *, actor_id: int | None, reason: str) -> None:
    """pending → cancelled: the shopper called off a checkout before paying. Every order of it
    is cancelled and the stock returns; the sellers are told. In the caller's transaction."""
    _close_unpaid(payment, PAY_CANCELLED, actor_id=actor_id, reason=reason)
    for order in payment.group.orders:
        notifications.notify(order.seller.user, "order_cancelled",
                             _l("Pesanan %(number)s dibatalkan pembeli", number=order.number), reason,
                             link=f"/penjual/pesanan/{order.number}", email=False)


def fail(payment: Payment, message: str, *, actor_id: int | None = None) -> None:
    """pending → failed: the card payment could not be started or was refused for good. The
    orders are cancelled and the stock returns. In the caller's transaction."""
    payment.last_error = message[:300]
    _close_unpaid(payment, PAY_FAILED, actor_id=actor_id, reason=message[:300])


def is_due(payment: Payment, now: datetime | None = None) -> bool:
    return payment.status == PAY_PENDING and payment.expires_at <= (now or utcnow())


def expire_if_due(payment: Payment) -> bool:
    """Checked when an order is viewed, so a late cron job never shows a stale order. The
    payment row is locked and read again first: the cron job (which locks it too) and a page
    view, or two page views, never expire it twice and so never put its stock back twice.
    Costs nothing while the payment is not due. Commits when it expired the payment."""
    if not is_due(payment):
        return False
    locked = db.session.scalar(select(Payment).where(Payment.id == payment.id).with_for_update()
                               .execution_options(populate_existing=True))
    if locked is None or not is_due(locked):
        db.session.rollback()  # let the lock go
        return False
    expire(locked)
    db.session.commit()
    return True


def expire_due(now: datetime | None = None, *, batch: int = 200) -> int:
    """Expire every pending payment past its window (`flask orders expire`, run from cron every
    few minutes). One commit per payment, so one failure never holds back the others."""
    now = now or utcnow()
    done = 0
    ids = db.session.scalars(
        select(Payment.id).where(Payment.status == PAY_PENDING, Payment.expires_at <= now)
        .order_by(Payment.expires_at).limit(batch)
    ).all()
    for payment_id in ids:
        payment = db.session.get(Payment, payment_id, with_for_update=True)
        if payment is None or not is_due(payment, now):
            db.session.rollback()
            continue
        expire(payment)
        db.session.commit()
        done += 1
    return done


# --- bank transfer -------------------------------------------------------------------------------

def can_confirm_transfer(payment: Payment, user: User) -> bool:
    """The Dinas (admin) confirms any transfer to the platform's account; a seller confirms only
    a checkout that is its own alone (it can see the whole amount on its own statement)."""
    if payment.method != PAYMENT_TRANSFER or payment.status != PAY_PENDING:
        return False
    if user.role == ROLE_ADMIN:
        return True
    seller = user.seller
    orders = payment.group.orders
    return seller is not None and all(o.seller_id == seller.id for o in orders)


def upload_proof(payment: Payment, user: User, upload) -> None:
    """The shopper attaches the transfer receipt (a photo or a PDF, checked by content). Commits."""
    if payment.group.user_id != user.id:
        raise NotFound(_l("Pesanan tidak ditemukan."))
    if payment.method != PAYMENT_TRANSFER:
        raise ValidationFailed(_l("Pesanan ini tidak dibayar dengan transfer bank."))
    if payment.status != PAY_PENDING:
        raise InvalidTransition(_l("Pembayaran ini sudah tidak menunggu bukti transfer."))
    try:
        stored = uploads.store_document(upload)
    except uploads.UploadRejected as error:
        raise ValidationFailed(error.message, field="proof") from None
    old = payment.proof_key
    payment.proof_key, payment.proof_uploaded_at = stored.key, utcnow()
    payment.proof_content_type = PROOF_TYPES[stored.kind]
    key = stored.key
    audit.record("payment.proof_uploaded", payment, actor_id=user.id, after={"proof": key})
    group = payment.group
    for order in group.orders:
        notifications.notify(order.seller.user, "payment_proof",
                             _l("Bukti transfer %(number)s diunggah", number=group.number),
                             _l("Pembeli sudah mengunggah bukti transfer; Dinas akan mencocokkannya dengan rekening."),
                             link=f"/penjual/pesanan/{order.number}", email=False)
    db.session.commit()
    if old:
        storage.delete(old)


def confirm_transfer(payment: Payment, user: User) -> None:
    """An admin (or the only seller of the checkout) saw the money arrive. Commits."""
    if not can_confirm_transfer(payment, user):
        if payment.status != PAY_PENDING:
            raise InvalidTransition(_l("Pembayaran ini sudah tidak menunggu konfirmasi."))
        raise PermissionDenied(_l("Anda tidak dapat mengonfirmasi pembayaran ini."))
    if is_due(payment):
        raise InvalidTransition(_l("Batas waktu pembayaran sudah lewat; pesanan dibatalkan."))
    payment.confirmed_by_id = user.id
    mark_paid(payment, actor_id=user.id, source="transfer")
    db.session.commit()


# --- the Dinas's queues ----------------------------------------------------------------------

QUEUE_SHOWN = 100  # rows per admin list; a longer queue is worked from the top


def pending_transfers() -> tuple[list[Payment], int]:
    """Pending transfers, those with a proof first (newest proof first), then the newest
    checkouts; with shopper and sellers in three more statements, whatever the number of rows."""
    conditions = (Payment.method == PAYMENT_TRANSFER, Payment.status == PAY_PENDING)
    total = db.session.scalar(select(func.count(Payment.id)).where(*conditions)) or 0
    rows = db.session.scalars(
        select(Payment).where(*conditions)
        .order_by(Payment.proof_uploaded_at.desc().nulls_last(), Payment.created_at.desc(), Payment.id.desc())
        .limit(QUEUE_SHOWN)
        .options(joinedload(Payment.group).joinedload(OrderGroup.user),
                 joinedload(Payment.group).selectinload(OrderGroup.orders).selectinload(Order.seller))
    ).unique().all()
    return list(rows), total


def transfer_refunds_to_send() -> list[Order]:
    """Orders paid by transfer and then cancelled or rejected: the money went back on paper
    (refunded_amount) and the Dinas transfers it to the shopper. Newest first."""
    return list(db.session.scalars(
        select(Order)
        .join(Payment, Payment.group_id == Order.group_id)
        .where(Payment.method == PAYMENT_TRANSFER, Order.refunded_amount > 0)
        .order_by(Order.closed_at.desc(), Order.id.desc())
        .limit(QUEUE_SHOWN)
        .options(joinedload(Order.group), joinedload(Order.user), selectinload(Order.seller))
    ))


# --- refunds -------------------------------------------------------------------------------------

def record_refund(payment: Payment, amount: int, *, actor_id: int | None, reason: str) -> None:
    """Count `amount` as returned to the shopper: partially_refunded until everything paid has
    gone back, then refunded. In the caller's transaction."""
    if amount <= 0:
        return
    if payment.refunded_amount + amount > payment.amount:
        raise ValidationFailed(_l("Pengembalian dana melebihi jumlah yang dibayar."))
    payment.refunded_amount += amount
    target = PAY_REFUNDED if payment.refunded_amount >= payment.amount else PAY_PARTIALLY_REFUNDED
    states.transition("payment", payment, target, actor_id=actor_id, reason=reason,
                      extra={"refunded_amount": payment.refunded_amount, "amount": amount})
    group = payment.group
    notifications.notify(group.user, "payment_refunded", _l("Dana %(number)s dikembalikan", number=group.number),
                         _l("Pengembalian dana sudah diproses."), link=f"/pesanan/{group.number}")


def sync_refunded_total(payment: Payment, refunded_total: int, *, actor_id: int | None, reason: str) -> bool:
    """Stripe says `refunded_total` has gone back in all (charge.refunded): record what we have
    not counted yet. Returns whether anything changed. In the caller's transaction."""
    missing = min(refunded_total, payment.amount) - payment.refunded_amount
    if missing <= 0 or payment.status not in (PAY_PAID, PAY_PARTIALLY_REFUNDED):
        return False
    record_refund(payment, missing, actor_id=actor_id, reason=reason)
    return True


__all__ = [
    "can_confirm_transfer", "cancel_unpaid", "confirm_transfer", "expire", "expire_due", "expire_if_due", "fail", "group_by_number",
    "is_due", "mark_paid", "pending_transfers", "transfer_refunds_to_send", "record_refund", "sync_refunded_total", "upload_proof",
]
