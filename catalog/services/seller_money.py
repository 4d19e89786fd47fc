"""What "Saldo & Pembayaran" shows one seller: the balance, money on hold and paid out this month,
every ledger movement, when each shopper order's money becomes available and which payout took it,
and the government invoices (paid by the Bendahara straight to the seller, never in the balance).

Every function takes the seller and filters on its id: a seller never reads another's ledger.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from catalog.extensions import db
from catalog.formatting import JAKARTA
from catalog.models import Invoice, LedgerEntry, Order, PayoutBatch, PayoutLine, Seller
from catalog.models.ledger import (
    ENTRY_ADJUSTMENT,
    ENTRY_ORDER_COMPLETED,
    ENTRY_PAYOUT,
    ENTRY_PAYOUT_REVERSAL,
    ENTRY_PLATFORM_FEE,
    ENTRY_REFUND,
    LINE_FAILED,
    LINE_PAID,
)
from catalog.models.orders import ORDER_ACCEPTED, ORDER_COMPLETED, ORDER_DELIVERED, ORDER_NEW, ORDER_SHIPPED
from catalog.models.procurement import INVOICE_PAID
from catalog.services import ledger, payout_account
from catalog.services.catalogue import ProductPage
from catalog.services.procurement.orders import days_overdue
from catalog.services.seller_stats import today_in_jakarta

PER_PAGE = 30

# Paid orders whose money is on its way (AWAITING_PAYMENT is not paid; rejected and cancelled
# ones were refunded) and completed ones, whose money reached the balance.
OPEN_PAID = (ORDER_NEW, ORDER_ACCEPTED, ORDER_SHIPPED, ORDER_DELIVERED)
MONEY_ORDER_STATUSES = (*OPEN_PAID, ORDER_COMPLETED)

KIND_LABELS = {
    ENTRY_ORDER_COMPLETED: _l("Pesanan selesai"),
    ENTRY_PLATFORM_FEE: _l("Biaya layanan"),
    ENTRY_REFUND: _l("Pengembalian dana"),
    ENTRY_PAYOUT: _l("Pencairan"),
    ENTRY_PAYOUT_REVERSAL: _l("Pencairan gagal dikembalikan"),
    ENTRY_ADJUSTMENT: _l("Penyesuaian"),
}


def kind_label(kind: str):
    return KIND_LABELS.get(kind, kind)


# --- the figures on top -----------------------------------------------------------------------------

@dataclass
class Summary:
    available: int
    on_hold: int
    paid_out_this_month: int
    fee_basis_points: int
    month_start: date
    account_held_until: datetime | None = None  # a new payout account is not paid to before this

    @property
    def fee_percent(self) -> float:
        return self.fee_basis_points / 100


def jakarta_month_bounds(today: date) -> tuple[datetime, datetime]:
    """The first instant of `today`'s month and of the next, Jakarta time, as UTC timestamps."""
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return tuple(datetime.combine(day, time(0), tzinfo=JAKARTA).astimezone(timezone.utc) for day in (first, following))


def summary(seller: Seller, *, today: date | None = None, now: datetime | None = None) -> Summary:
    """Balance, on hold, paid out this (Jakarta) month — payouts less those the bank returned — and
    the fee rate that applies to the seller. Four statements."""
    today = today or today_in_jakarta()
    start, end = jakarta_month_bounds(today)
    paid_out = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0))
        .where(LedgerEntry.seller_id == seller.id, LedgerEntry.kind.in_((ENTRY_PAYOUT, ENTRY_PAYOUT_REVERSAL)),
               LedgerEntry.created_at >= start, LedgerEntry.created_at < end))
    return Summary(available=ledger.balance(seller.id), on_hold=ledger.on_hold(seller.id),
                   paid_out_this_month=-int(paid_out or 0), fee_basis_points=ledger.fee_rate_for(seller),
                   month_start=today.replace(day=1), account_held_until=payout_account.held_until(seller, now))


# --- movements ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Movement:
    id: int
    kind: str
    amount: int  # signed
    balance_after: int
    created_at: datetime
    order_number: str | None
    batch_number: str | None
    reason: str | None

    @property
    def label(self):
        return kind_label(self.kind)


class MovementPage(ProductPage):
    """A page of Movement rows."""


def movements(seller: Seller, *, page: int = 1, per_page: int = PER_PAGE) -> MovementPage:
    """The seller's entries newest first, one page, with the order number or the payout batch
    number joined in: two statements whatever the page size."""
    total = db.session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.seller_id == seller.id)) or 0
    page = min(max(page, 1), max(-(-total // per_page), 1))
    rows = db.session.execute(
        select(LedgerEntry.id, LedgerEntry.kind, LedgerEntry.amount, LedgerEntry.balance_after, LedgerEntry.created_at,
               Order.number, PayoutBatch.number, LedgerEntry.reason)
        .outerjoin(Order, Order.id == LedgerEntry.order_id)
        .outerjoin(PayoutLine, PayoutLine.id == LedgerEntry.payout_line_id)
        .outerjoin(PayoutBatch, PayoutBatch.id == PayoutLine.batch_id)
        .where(LedgerEntry.seller_id == seller.id)
        .order_by(LedgerEntry.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all() if total else []
    return MovementPage(items=[Movement(*row) for row in rows], total=total, page=page, per_page=per_page,
                        sort="terbaru")


# --- which payout paid which order (first in, first out) -------------------------------------------------

@dataclass(frozen=True)
class PayoutRef:
    batch_number: str
    line_status: str  # pending (in a batch the bank has not confirmed), paid
    decided_at: datetime | None
    bank_reference: str | None

    @property
    def is_paid(self) -> bool:
        return self.line_status == LINE_PAID


def payout_attribution(seller_id: int) -> tuple[dict[int, PayoutRef], dict[int, int]]:
    """For each order credited to the seller, the payout that took its money, if one has: the
    orders' net credits (credit less its fee) are stacked in entry order, and so are the payouts
    the bank did not return; the first payout whose running total covers an order's running total
    paid it. Refunds and adjustments move the balance but not this order of payment.

    Returns (order id → payout, order id → net credited). One statement over the seller's entries."""
    rows = db.session.execute(
        select(LedgerEntry.kind, LedgerEntry.amount, LedgerEntry.order_id, LedgerEntry.payout_line_id,
               PayoutBatch.number, PayoutLine.status, PayoutLine.decided_at, PayoutLine.bank_reference)
        .outerjoin(PayoutLine, PayoutLine.id == LedgerEntry.payout_line_id)
        .outerjoin(PayoutBatch, PayoutBatch.id == PayoutLine.batch_id)
        .where(LedgerEntry.seller_id == seller_id,
               LedgerEntry.kind.in_((ENTRY_ORDER_COMPLETED, ENTRY_PLATFORM_FEE, ENTRY_PAYOUT, ENTRY_PAYOUT_REVERSAL)))
        .order_by(LedgerEntry.id)
    ).all()
    reversed_lines = {row.payout_line_id for row in rows if row.kind == ENTRY_PAYOUT_REVERSAL}
    net: dict[int, int] = {}
    order_sequence: list[int] = []
    payouts: list[tuple[int, PayoutRef]] = []  # (running total paid out, payout)
    paid_out = 0
    for kind, amount, order_id, line_id, batch_number, line_status, decided_at, bank_reference in rows:
        if kind == ENTRY_ORDER_COMPLETED and order_id is not None:
            order_sequence.append(order_id)
            net[order_id] = net.get(order_id, 0) + amount
        elif kind == ENTRY_PLATFORM_FEE and order_id is not None:
            net[order_id] = net.get(order_id, 0) + amount
        elif (kind == ENTRY_PAYOUT and line_id not in reversed_lines and line_status != LINE_FAILED
              and batch_number is not None):
            paid_out -= amount
            payouts.append((paid_out, PayoutRef(batch_number, line_status, decided_at, bank_reference)))
    taken: dict[int, PayoutRef] = {}
    credited = 0
    index = 0
    for order_id in order_sequence:
        credited += net[order_id]
        while index < len(payouts) and payouts[index][0] < credited:
            index += 1
        if index == len(payouts):
            break  # this order and every later one are still (at least partly) in the balance
        taken[order_id] = payouts[index][1]
    return taken, net


# --- orders and when their money is available --------------------------------------------------------------

@dataclass
class OrderMoney:
    order: Order
    amount: int  # completed: net credited; open: expected (total less refunds and the fee)
    available_by: datetime | None = None  # open and shipped: the latest it completes by itself
    payout: PayoutRef | None = None

    @property
    def is_open(self) -> bool:
        return self.order.status in OPEN_PAID

    @property
    def is_shipped(self) -> bool:
        return self.order.shipped_at is not None


class OrderMoneyPage(ProductPage):
    """A page of OrderMoney rows."""


def order_money(seller: Seller, *, page: int = 1, per_page: int = PER_PAGE) -> OrderMoneyPage:
    """The seller's paid orders, newest first, one page: open ones with when their money becomes
    available (completed by the shopper, or automatically AUTO_COMPLETE_DAYS after shipping at the
    latest), completed ones with the payout that took their money. Three statements."""
    scope = (Order.seller_id == seller.id, Order.status.in_(MONEY_ORDER_STATUSES))
    total = db.session.scalar(select(func.count(Order.id)).where(*scope)) or 0
    page = min(max(page, 1), max(-(-total // per_page), 1))
    orders = list(db.session.scalars(
        select(Order).where(*scope).order_by(Order.created_at.desc(), Order.id.desc())
        .limit(per_page).offset((page - 1) * per_page))) if total else []
    return OrderMoneyPage(items=_with_money(seller, orders), total=total, page=page, per_page=per_page,
                          sort="terbaru")


def _with_money(seller: Seller, orders: list[Order]) -> list[OrderMoney]:
    if not orders:
        return []
    days = current_app.config["AUTO_COMPLETE_DAYS"]
    taken, net = payout_attribution(seller.id) if any(o.status == ORDER_COMPLETED for o in orders) else ({}, {})
    rate = ledger.fee_rate_for(seller) if any(o.status in OPEN_PAID for o in orders) else 0
    result = []
    for order in orders:
        if order.status in OPEN_PAID:
            expected = order.total - order.refunded_amount - order.items_total * rate // 10_000
            by = order.shipped_at + timedelta(days=days) if order.shipped_at else None
            result.append(OrderMoney(order, max(expected, 0), available_by=by))
        else:
            result.append(OrderMoney(order, net.get(order.id, 0), payout=taken.get(order.id)))
    return result


def one_order_money(seller: Seller, number: str) -> OrderMoney | None:
    """One of the seller's own paid orders by number; None for anyone else's, or an unknown one."""
    order = db.session.scalar(select(Order).where(Order.number == number, Order.seller_id == seller.id,
                                                  Order.status.in_(MONEY_ORDER_STATUSES)))
    return _with_money(seller, [order])[0] if order is not None else None


# --- government invoices ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class InvoiceMoney:
    invoice: Invoice
    days_late: int

    @property
    def is_paid(self) -> bool:
        return self.invoice.status == INVOICE_PAID


@dataclass
class InvoicePage(ProductPage):
    """A page of InvoiceMoney rows, with the unpaid total and how many are late (all pages)."""

    unpaid_total: int = 0
    overdue_count: int = 0


def invoices(seller: Seller, *, page: int = 1, per_page: int = PER_PAGE, today: date | None = None) -> InvoicePage:
    """The seller's government invoices, unpaid first (soonest due first), then paid (latest
    first), with the agency, the Surat Pesanan and the Bendahara's payment. Three statements."""
    today = today or today_in_jakarta()
    scope = Invoice.seller_id == seller.id
    unpaid = Invoice.status != INVOICE_PAID
    total, unpaid_total, overdue = db.session.execute(
        select(func.count(Invoice.id), func.coalesce(func.sum(Invoice.net).filter(unpaid), 0),
               func.count(Invoice.id).filter(unpaid, Invoice.due_on < today)).where(scope)).one()
    page = min(max(page, 1), max(-(-total // per_page), 1))
    rows = list(db.session.scalars(
        select(Invoice).where(scope)
        .options(joinedload(Invoice.agency), joinedload(Invoice.purchase_order), joinedload(Invoice.payment))
        # Unpaid first, soonest due first; then paid, latest paid first.
        .order_by(Invoice.status == INVOICE_PAID, case((unpaid, Invoice.due_on)), Invoice.paid_on.desc(),
                  Invoice.id.desc())
        .limit(per_page).offset((page - 1) * per_page))) if total else []
    items = [InvoiceMoney(i, days_overdue(i, today)) for i in rows]
    return InvoicePage(items=items, total=total, page=page, per_page=per_page, sort="terbaru",
                       unpaid_total=int(unpaid_total or 0), overdue_count=int(overdue or 0))
