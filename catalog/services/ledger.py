"""The seller's money: an append-only ledger of signed integer Rupiah.

Money a shopper pays reaches the seller's balance when the order is completed (the order total,
then minus the platform fee on the items, both written in the same transaction as the state
change). Until then it is "on hold". A payout takes money out of the balance the moment it is put
in a batch, so it cannot be paid twice; a failed payout line gives it back. Nothing is edited:
a correction is an `adjustment` entry with a reason.

Every entry of one seller is appended under a lock on that seller's row, so `balance_after` is a
true running balance even with two admins (or an admin and a completing order) at the same time,
and the balance can be checked against the sum of the entries (`verify`).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import FeeRate, LedgerEntry, Order, Payment, Seller
from catalog.models.base import utcnow
from catalog.models.ledger import (
    ENTRY_ADJUSTMENT,
    ENTRY_ORDER_COMPLETED,
    ENTRY_PAYOUT,
    ENTRY_PAYOUT_REVERSAL,
    ENTRY_PLATFORM_FEE,
    ENTRY_REFUND,
    FEE_KOPERASI,
)
from catalog.models.orders import ORDER_OPEN, PAY_PAID, PAY_PARTIALLY_REFUNDED, PAY_REFUNDED
from catalog.models.sellers import SCALE_KECIL, SCALE_MENENGAH, SCALE_MIKRO
from catalog.services import audit
from catalog.services.errors import ValidationFailed

# Basis points (1/100 %). Micro and small businesses and koperasi pay nothing, as government
# e-purchasing charges UMK nothing; a medium business pays 1% of the items (not of delivery).
# The Dinas may override a rate (fee_rate table); these apply where it has not.
DEFAULT_FEE_BP = {SCALE_MIKRO: 0, SCALE_KECIL: 0, SCALE_MENENGAH: 100, FEE_KOPERASI: 0}
MAX_FEE_BP = 2000  # 20%: a rate above this is a typo

MSG_REASON_REQUIRED = _l("Tuliskan alasan penyesuaian saldo.")
MSG_ADJUSTMENT_ZERO = _l("Jumlah penyesuaian tidak boleh nol.")
MSG_FEE_RANGE = _l("Tarif biaya layanan harus antara 0%% dan %(max)s%%.", max=MAX_FEE_BP // 100)


# --- fees ------------------------------------------------------------------------------------------

def fee_key(seller: Seller) -> str:
    return FEE_KOPERASI if seller.is_koperasi else seller.scale


def fee_rates() -> dict[str, int]:
    """Every rate in basis points: the defaults with the Dinas' overrides on top."""
    rates = dict(DEFAULT_FEE_BP)
    rates.update({row.scale: row.basis_points for row in db.session.scalars(select(FeeRate))})
    return rates


def fee_rate_for(seller: Seller) -> int:
    return fee_rates().get(fee_key(seller), 0)


def fee_for(seller: Seller, items_total: int) -> int:
    """The fee on an order's items, rounded down to the Rupiah (the seller never pays a fraction)."""
    return items_total * fee_rate_for(seller) // 10_000


def set_fee_rate(key: str, basis_points: int, *, actor_id: int) -> None:
    """Change one rate (audited). Applies to orders completed from now on. Commits."""
    if key not in DEFAULT_FEE_BP:
        raise ValidationFailed(_l("Skala tidak dikenal."), field="scale")
    if not 0 <= basis_points <= MAX_FEE_BP:
        raise ValidationFailed(MSG_FEE_RANGE, field="basis_points")
    before = fee_rates()[key]
    row = db.session.get(FeeRate, key) or FeeRate(scale=key)
    row.basis_points = basis_points
    db.session.add(row)
    audit.record("fee_rate.changed", object_type="fee_rate", object_id=key, actor_id=actor_id,
                 before={"basis_points": before}, after={"basis_points": basis_points})
    db.session.commit()


# --- appending ---------------------------------------------------------------------------------------

def lock_seller(seller_id: int) -> Seller:
    """Serialise everything that appends to one seller's ledger (FOR UPDATE on PostgreSQL; SQLite
    allows one writer at a time anyway)."""
    return db.session.get(Seller, seller_id, with_for_update=True, populate_existing=True)


def balance(seller_id: int) -> int:
    """The available balance: the running balance of the seller's last entry."""
    last = db.session.scalar(select(LedgerEntry.balance_after).where(LedgerEntry.seller_id == seller_id)
                             .order_by(LedgerEntry.id.desc()).limit(1))
    return last or 0


def append(seller_id: int, kind: str, amount: int, *, actor_id: int | None, order_id: int | None = None,
           payout_line_id: int | None = None, reason: str | None = None, allow_negative: bool = False) -> LedgerEntry:
    """Append one entry in the caller's transaction (the caller holds lock_seller and commits)."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError("ledger amounts are integer Rupiah")
    new_balance = balance(seller_id) + amount
    if new_balance < 0 and not allow_negative:
        raise ValidationFailed(_l("Saldo penjual tidak boleh menjadi negatif: saldo tersedia %(balance)s.",
                                  balance=_rupiah(new_balance - amount)), field="amount")
    entry = LedgerEntry(seller_id=seller_id, kind=kind, amount=amount, balance_after=new_balance, order_id=order_id,
                        payout_line_id=payout_line_id, reason=reason, created_by_id=actor_id, created_at=utcnow())
    db.session.add(entry)
    db.session.flush()
    audit.record(f"ledger.{kind}", entry, actor_id=actor_id, reason=reason,
                 after={"seller_id": seller_id, "amount": amount, "balance_after": new_balance,
                        "order_id": order_id, "payout_line_id": payout_line_id})
    return entry


def _rupiah(amount: int) -> str:
    from catalog.formatting import rupiah  # the one formatter; imported late (it needs Babel)

    return rupiah(amount)


def credit_completed_order(order: Order, *, actor_id: int | None) -> None:
    """The order is completed: its total (less anything refunded) reaches the balance, then the fee
    on its items leaves it. In the transaction that completes the order."""
    lock_seller(order.seller_id)
    amount = order.total - order.refunded_amount
    if amount <= 0:
        return
    append(order.seller_id, ENTRY_ORDER_COMPLETED, amount, actor_id=actor_id, order_id=order.id)
    fee = fee_for(order.seller, order.items_total)
    if fee:
        append(order.seller_id, ENTRY_PLATFORM_FEE, -fee, actor_id=actor_id, order_id=order.id)


def adjust(seller_id: int, amount: int, reason: str | None, *, actor_id: int) -> LedgerEntry:
    """A correction by the Dinas, with a reason (required: the seller sees it). Commits."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise ValidationFailed(MSG_REASON_REQUIRED, field="reason")
    if amount == 0:
        raise ValidationFailed(MSG_ADJUSTMENT_ZERO, field="amount")
    lock_seller(seller_id)
    entry = append(seller_id, ENTRY_ADJUSTMENT, amount, actor_id=actor_id, reason=reason[:500])
    db.session.commit()
    return entry


# --- what the seller sees ------------------------------------------------------------------------------

def on_hold(seller_id: int) -> int:
    """Paid by shoppers, not yet completed: the orders' totals less what was refunded."""
    paid = (PAY_PAID, PAY_PARTIALLY_REFUNDED)
    return int(db.session.scalar(
        select(func.coalesce(func.sum(Order.total - Order.refunded_amount), 0))
        .join(Order.group).join(Payment, Payment.group_id == Order.group_id)
        .where(Order.seller_id == seller_id, Order.status.in_(ORDER_OPEN), Payment.status.in_(paid))
    ) or 0)


# --- checking -------------------------------------------------------------------------------------------

@dataclass
class LedgerProblem:
    seller_id: int
    entry_id: int | None
    problem: str


@dataclass
class Reconciliation:
    received: int  # paid by shoppers, as recorded on payments
    on_hold: int  # paid, order not yet completed or closed
    refunded: int  # returned to shoppers
    credited: int  # completed orders credited to sellers (less refunds made before completion)
    balances: int
    fees: int
    paid_out: int  # payouts less reversals
    refunded_after_completion: int  # in `refunded` too, and taken from the seller's balance
    adjustments: int

    @property
    def difference(self) -> int:
        """received − (on hold + refunded + balances + fees + paid out − adjustments): 0 when the
        books agree. Adjustments move balances without money coming in. A refund after completion
        is in `refunded` and was taken from a balance that the credit had raised: it cancels out."""
        return self.received - (self.on_hold + self.refunded + self.balances + self.fees + self.paid_out
                                - self.adjustments)


def verify() -> list[LedgerProblem]:
    """Recompute every running balance from the entries; a problem per wrong row (empty: all good)."""
    problems: list[LedgerProblem] = []
    running: dict[int, int] = {}
    rows = db.session.execute(select(LedgerEntry.id, LedgerEntry.seller_id, LedgerEntry.amount,
                                     LedgerEntry.balance_after).order_by(LedgerEntry.seller_id, LedgerEntry.id))
    for entry_id, seller_id, amount, balance_after in rows:
        expected = running.get(seller_id, 0) + amount
        if balance_after != expected:
            problems.append(LedgerProblem(seller_id, entry_id,
                                          f"balance_after {balance_after} but the entries sum to {expected}"))
        running[seller_id] = balance_after
        if balance_after < 0:
            problems.append(LedgerProblem(seller_id, entry_id, f"negative balance {balance_after}"))
    return problems


def _sum(kind: str | tuple[str, ...]) -> int:
    kinds = (kind,) if isinstance(kind, str) else kind
    return int(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0))
                                 .where(LedgerEntry.kind.in_(kinds))) or 0)


def reconcile() -> Reconciliation:
    """The platform's books in one view (all sellers, all time)."""
    received = int(db.session.scalar(select(func.coalesce(func.sum(Payment.amount), 0))
                                     .where(Payment.status.in_((PAY_PAID, PAY_PARTIALLY_REFUNDED, PAY_REFUNDED))))
                   or 0)
    refunded = int(db.session.scalar(select(func.coalesce(func.sum(Payment.refunded_amount), 0))) or 0)
    paid = (PAY_PAID, PAY_PARTIALLY_REFUNDED)
    held = int(db.session.scalar(
        select(func.coalesce(func.sum(Order.total - Order.refunded_amount), 0))
        .join(Payment, Payment.group_id == Order.group_id)
        .where(Order.status.in_(ORDER_OPEN), Payment.status.in_(paid))) or 0)
    return Reconciliation(
        received=received, on_hold=held, refunded=refunded, credited=_sum(ENTRY_ORDER_COMPLETED),
        balances=int(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0))) or 0),
        fees=-_sum(ENTRY_PLATFORM_FEE), paid_out=-_sum((ENTRY_PAYOUT, ENTRY_PAYOUT_REVERSAL)),
        refunded_after_completion=-_sum(ENTRY_REFUND), adjustments=_sum(ENTRY_ADJUSTMENT),
    )

