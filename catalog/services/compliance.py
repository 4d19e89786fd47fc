"""Inpres 2/2022 figures for an agency and fiscal year, from Surat Pesanan (committed) and
payments (realised), with SQL aggregates. UMK-K = mikro, kecil or koperasi, as copied onto
each Surat Pesanan when it was issued; menengah never counts (DOMAIN.md)."""

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select

from catalog.extensions import db
from catalog.models import Budget, PurchaseOrder
from catalog.models.procurement import PO_COMMITTED


def umkk_condition():
    """The SQL test for "this Surat Pesanan counts toward the 40 %"."""
    return or_(PurchaseOrder.seller_is_koperasi.is_(True), PurchaseOrder.seller_scale.in_(("mikro", "kecil")))


@dataclass(frozen=True)
class ShareChange:
    pagu: int
    before_pct: float | None  # UMK-K committed / pagu, in percent; None without a pagu
    after_pct: float | None


def committed_totals(agency_id: int, year: int) -> tuple[int, int]:
    """(all committed, UMK-K committed) for the agency's fiscal year."""
    total, umkk = db.session.execute(
        select(func.coalesce(func.sum(PurchaseOrder.total), 0),
               func.coalesce(func.sum(case((umkk_condition(), PurchaseOrder.total), else_=0)), 0))
        .where(PurchaseOrder.agency_id == agency_id, PurchaseOrder.fiscal_year == year,
               PurchaseOrder.status.in_(PO_COMMITTED))).one()
    return int(total), int(umkk)


def share_change(agency_id: int, year: int, umkk_amount: int) -> ShareChange:
    """How a purchase of `umkk_amount` with UMK-K sellers moves the agency's share of its pagu
    (the procurement cart's note: "dari 31,2% menjadi 33,0%")."""
    pagu = db.session.scalar(select(Budget.pagu).where(Budget.agency_id == agency_id, Budget.fiscal_year == year))
    if not pagu:
        return ShareChange(pagu=0, before_pct=None, after_pct=None)
    _total, umkk = committed_totals(agency_id, year)
    return ShareChange(pagu=pagu, before_pct=100 * umkk / pagu, after_pct=100 * (umkk + umkk_amount) / pagu)
