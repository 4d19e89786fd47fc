"""Following a checkout, read side: the shopper's checkouts for "Pesanan Saya" (filter tabs,
pages), one checkout with everything its page shows, the lazy expiry of an unpaid one, and each
order's timeline told from the audit trail. The moves themselves are in services/orders.py and
services/payments.py; nothing here changes state except through them."""

from dataclasses import dataclass, field
from datetime import datetime
from math import ceil

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, distinct, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from catalog.extensions import db
from catalog.models import AuditEvent, Order, OrderGroup, Payment
from catalog.models.base import utcnow
from catalog.models.orders import (
    DELIVERY_PICKUP,
    ORDER_ACCEPTED,
    ORDER_AWAITING_PAYMENT,
    ORDER_CANCELLED,
    ORDER_COMPLETED,
    ORDER_DELIVERED,
    ORDER_NEW,
    ORDER_REJECTED,
    ORDER_SHIPPED,
    PAY_PENDING,
)
from catalog.services import payments
from catalog.services.catalogue import ProductPage, page_number
from catalog.services.errors import NotFound

PER_PAGE = 10

# ?status= tabs of "Pesanan Saya": a checkout shows under a tab when one of its orders is in
# one of the tab's states (a checkout split between two sellers may show under two tabs).
TAB_UNPAID = "belum-dibayar"
TAB_PROCESSING = "diproses"
TAB_SHIPPED = "dikirim"
TAB_DONE = "selesai"
TAB_CANCELLED = "dibatalkan"
TAB_STATUSES = {
    TAB_UNPAID: (ORDER_AWAITING_PAYMENT,),
    TAB_PROCESSING: (ORDER_NEW, ORDER_ACCEPTED),
    TAB_SHIPPED: (ORDER_SHIPPED, ORDER_DELIVERED),
    TAB_DONE: (ORDER_COMPLETED,),
    TAB_CANCELLED: (ORDER_CANCELLED, ORDER_REJECTED),
}
TABS = tuple(TAB_STATUSES)
TAB_ALL = "semua"

NOT_FOUND = _l("Pesanan tidak ditemukan.")


# --- Pesanan Saya ----------------------------------------------------------------------------------

@dataclass
class CheckoutPage(ProductPage):
    """One page of the shopper's checkouts (newest first) with the number per tab."""

    tab: str = TAB_ALL
    counts: dict[str, int] = field(default_factory=dict)  # per tab, plus TAB_ALL


def tab_key(raw: object) -> str:
    return raw if isinstance(raw, str) and raw in TAB_STATUSES else TAB_ALL


def shopper_checkouts(user_id: int, *, tab: object = None, page: object = None, per_page: int = PER_PAGE) -> CheckoutPage:
    """The user's checkouts, newest first, one page, with their orders (seller, lines) and
    payment: six statements whatever the page size (counts, page, orders, sellers, lines,
    payments). A page past the end shows the last one."""
    tab = tab_key(tab)
    conditions = [OrderGroup.user_id == user_id]
    if tab != TAB_ALL:
        conditions.append(exists().where(Order.group_id == OrderGroup.id, Order.status.in_(TAB_STATUSES[tab])))
    counts = tab_counts(user_id)
    total = counts[TAB_ALL] if tab == TAB_ALL else counts[tab]
    number = min(page_number(page), max(ceil(total / per_page), 1))
    items: list[OrderGroup] = []
    if total:
        items = list(db.session.scalars(
            select(OrderGroup).where(*conditions)
            .order_by(OrderGroup.created_at.desc(), OrderGroup.id.desc())
            .limit(per_page).offset((number - 1) * per_page)
            .options(
                selectinload(OrderGroup.orders).selectinload(Order.seller),
                selectinload(OrderGroup.orders).selectinload(Order.items),
                selectinload(OrderGroup.payment),
            )
        ))
    return CheckoutPage(items=items, total=total, page=number, per_page=per_page, sort="terbaru", tab=tab,
                        counts=counts)


def tab_counts(user_id: int) -> dict[str, int]:
    """Checkouts per tab and in all, in one statement (distinct checkouts: two orders of one
    checkout in the same tab count once)."""
    columns = [
        func.count(distinct(case((Order.status.in_(statuses), Order.group_id)))).label(key.replace("-", "_"))
        for key, statuses in TAB_STATUSES.items()
    ]
    row = db.session.execute(
        select(func.count(distinct(Order.group_id)), *columns).where(Order.user_id == user_id)
    ).one()
    return {TAB_ALL: row[0], **{key: row[index] for index, key in enumerate(TAB_STATUSES, start=1)}}


# --- one checkout --------------------------------------------------------------------------------

def shopper_group(user_id: int, number: str) -> OrderGroup:
    """One of the user's own checkouts by number, with what its page shows loaded; anyone
    else's (or an unknown number) is NotFound."""
    group = db.session.scalar(
        select(OrderGroup).where(OrderGroup.number == number, OrderGroup.user_id == user_id)
        .options(
            selectinload(OrderGroup.orders).selectinload(Order.seller),
            selectinload(OrderGroup.orders).selectinload(Order.items),
            selectinload(OrderGroup.payment),
            joinedload(OrderGroup.kota), joinedload(OrderGroup.kecamatan), joinedload(OrderGroup.kelurahan),
        )
    )
    if group is None:
        raise NotFound(NOT_FOUND)
    return group


def expire_due_of_user(user_id: int, now: datetime | None = None) -> int:
    """Expire the user's unpaid checkouts whose window has passed (before "Pesanan Saya" is
    shown, so its tabs are right even when the cron job is late). One statement when none is."""
    ids = db.session.scalars(
        select(Payment.id).join(OrderGroup, OrderGroup.id == Payment.group_id)
        .where(OrderGroup.user_id == user_id, Payment.status == PAY_PENDING, Payment.expires_at <= (now or utcnow()))
    ).all()
    return sum(payments.expire_if_due(db.session.get(Payment, payment_id)) for payment_id in ids)


# --- the timeline --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    at: datetime
    # Plain text, translated when the step was made: a lazy string would reach the template as
    # markup (flask_babel's LazyString.__html__ does not escape) with a seller's reason inside.
    text: str
    amount: int | None = None  # money the step moved (a refund), formatted by the template


@dataclass
class Timelines:
    """Each order's steps in time order: its own events plus the checkout's payment events
    (paid, proof uploaded), which concern every order of the checkout."""

    by_order: dict[int, list[Step]]

    def of(self, order: Order) -> list[Step]:
        return self.by_order.get(order.id, [])


ORDER_TYPE = Order.__tablename__
PAYMENT_TYPE = Payment.__tablename__
CLOSING_ACTIONS = ("order.cancelled", "order.rejected")
REFUND_ACTIONS = ("payment.refunded", "payment.partially_refunded")
SHOPPER_DEFAULT_REASON = "Dibatalkan pembeli."  # services/orders.cancel_by_shopper without a reason


def timelines(group: OrderGroup) -> Timelines:
    """The timeline of every order of `group` from one query over the audit trail (the
    object_type/object_id index), in the order the events were written.

    A refund recorded on the payment right after an order was cancelled or rejected belongs to
    that order (services/orders.py writes them in one transaction); any other refund (one made
    on Stripe's dashboard) concerns the checkout and shows under every order."""
    orders = {str(order.id): order for order in group.orders}
    conditions = [and_(AuditEvent.object_type == ORDER_TYPE, AuditEvent.object_id.in_(list(orders)))]
    if group.payment is not None:
        conditions.append(and_(AuditEvent.object_type == PAYMENT_TYPE, AuditEvent.object_id == str(group.payment.id)))
    events = db.session.scalars(select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.id)).all()

    by_order: dict[int, list[Step]] = {order.id: [] for order in group.orders}
    previous: AuditEvent | None = None
    for event in events:
        order = orders.get(event.object_id) if event.object_type == ORDER_TYPE else None
        step = describe(event, order)
        if step is not None:
            if order is not None:
                by_order[order.id].append(step)
            elif (event.action in REFUND_ACTIONS and previous is not None and previous.action in CLOSING_ACTIONS
                  and previous.object_type == ORDER_TYPE):
                by_order[orders[previous.object_id].id].append(step)
            else:
                for steps in by_order.values():
                    steps.append(step)
        previous = event
    return Timelines(by_order=by_order)


def describe(event: AuditEvent, order: Order | None) -> Step | None:
    """One audit event as a sentence the shopper reads; None for events that say nothing new to
    them (an order becoming "new" once paid, a payment closed along with its orders)."""
    after = event.after or {}
    reason = (event.reason or "").strip()
    text = None
    amount = None
    match event.action:
        case "order.placed":
            text = _l("Pesanan dibuat")
        case "payment.proof_uploaded":
            text = _l("Bukti transfer diunggah")
        case "payment.paid":
            text = _l("Pembayaran diterima")
        case "order.accepted":
            text = _l("Diterima penjual")
        case "order.rejected":
            text = _l("Ditolak penjual: %(reason)s", reason=reason) if reason else _l("Ditolak penjual")
        case "order.shipped":
            text = _shipped(after, order)
        case "order.delivered":
            text = _l("Sampai di tujuan")
        case "order.completed":
            text = _l("Selesai otomatis") if reason == "auto" else _l("Selesai")
        case "order.cancelled":
            text = _cancelled(event, order, reason)
        case "order.reviewed":
            text = _l("Ulasan diberikan")
        case "payment.refunded" | "payment.partially_refunded":
            text = _l("Dana dikembalikan")
            amount = after.get("amount")
    if text is None:
        return None
    return Step(at=event.created_at, text=str(text), amount=amount)


def _cancelled(event: AuditEvent, order: Order | None, reason: str):
    by_shopper = order is not None and event.actor_id == order.user_id
    if by_shopper and reason in (SHOPPER_DEFAULT_REASON, str(_l(SHOPPER_DEFAULT_REASON))):
        reason = ""  # services/orders.py wrote its default: nothing more to say
    if by_shopper:
        return _l("Dibatalkan oleh Anda: %(reason)s", reason=reason) if reason else _l("Dibatalkan oleh Anda")
    return _l("Dibatalkan: %(reason)s", reason=reason) if reason else _l("Dibatalkan")


def _shipped(after: dict, order: Order | None):
    if order is not None and order.delivery_kind == DELIVERY_PICKUP:
        return _l("Siap diambil di toko")
    courier = after.get("courier") or (order.delivery_name if order is not None else "")
    tracking = after.get("tracking_number")
    if tracking:
        return _l("Dikirim dengan %(courier)s, resi %(tracking)s", courier=courier, tracking=tracking)
    return _l("Dikirim dengan %(courier)s", courier=courier)


__all__ = [
    "TABS", "CheckoutPage", "Step", "Timelines", "describe", "expire_due_of_user", "shopper_checkouts",
    "shopper_group", "tab_counts", "timelines",
]
