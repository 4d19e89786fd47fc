"""Seller money: an append-only ledger per seller, platform fee rates per scale, payout batches.

A seller's available balance is the sum of its entries; `balance_after` caches the running
balance on each entry (checked by `flask ledger verify`). Entries are never edited or deleted:
a correction is a new entry. Government invoices are paid by the Bendahara straight to the
seller and never enter this ledger.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from catalog.models.sellers import Seller

ENTRY_ORDER_COMPLETED = "order_completed"  # + the order's total (items and delivery)
ENTRY_PLATFORM_FEE = "platform_fee"  # − the fee on the order's items
ENTRY_REFUND = "refund"  # − money returned to a shopper after completion
ENTRY_PAYOUT = "payout"  # − put in a payout batch (the money leaves the balance at once)
ENTRY_PAYOUT_REVERSAL = "payout_reversal"  # + a payout line the bank did not pay
ENTRY_ADJUSTMENT = "adjustment"  # ± by the Dinas, always with a reason
ENTRY_KINDS = (ENTRY_ORDER_COMPLETED, ENTRY_PLATFORM_FEE, ENTRY_REFUND, ENTRY_PAYOUT, ENTRY_PAYOUT_REVERSAL,
               ENTRY_ADJUSTMENT)

# Fee rates in basis points (1/100 of a percent) so they stay integers.
FEE_KOPERASI = "koperasi"  # a koperasi pays the koperasi rate whatever its scale

BATCH_DRAFT = "draft"
BATCH_EXPORTED = "exported"
BATCH_PAID = "paid"
BATCH_PARTIALLY_PAID = "partially_paid"
BATCH_FAILED = "failed"

LINE_PENDING = "pending"
LINE_PAID = "paid"
LINE_FAILED = "failed"


class LedgerEntry(Base):
    __tablename__ = "ledger_entry"
    __table_args__ = (
        # An order is credited once and charged its fee once; a payout line is debited once and
        # reversed at most once — even if two requests try at the same moment.
        UniqueConstraint("order_id", "kind", name="uq_ledger_entry_order_kind"),
        UniqueConstraint("payout_line_id", "kind", name="uq_ledger_entry_payout_line_kind"),
        Index("ix_ledger_entry_seller_id_id", "seller_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"))
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(BigInteger)  # signed integer Rupiah
    balance_after: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("seller_order.id"))
    payout_line_id: Mapped[int | None] = mapped_column(ForeignKey("payout_line.id"))
    reason: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    seller: Mapped["Seller"] = relationship()


class FeeRate(Base):
    """The platform fee for one scale (mikro, kecil, menengah) or for koperasi."""

    __tablename__ = "fee_rate"

    scale: Mapped[str] = mapped_column(String(10), primary_key=True)
    basis_points: Mapped[int] = mapped_column(Integer, default=0)


class PayoutBatch(Base):
    __tablename__ = "payout_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=BATCH_DRAFT, index=True)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lines: Mapped[list["PayoutLine"]] = relationship(back_populates="batch", order_by="PayoutLine.id")


class PayoutLine(Base):
    """One seller's transfer in a batch, with the bank account as it was when the batch was made."""

    __tablename__ = "payout_line"
    __table_args__ = (UniqueConstraint("batch_id", "seller_id", name="uq_payout_line_batch_seller"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payout_batch.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("seller.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    bank_name: Mapped[str] = mapped_column(String(60))
    bank_account_number: Mapped[str] = mapped_column(String(30))
    bank_account_name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10), default=LINE_PENDING)
    bank_reference: Mapped[str | None] = mapped_column(String(60))
    failure_reason: Mapped[str | None] = mapped_column(String(500))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    batch: Mapped[PayoutBatch] = relationship(back_populates="lines")
    seller: Mapped["Seller"] = relationship()
