"""A seller's government orders (Surat Pesanan) as a list: state tabs with their counts and one
page, newest first, with each one's agency and invoice. Three statements whatever the page size."""

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from catalog.extensions import db
from catalog.models import PurchaseOrder, Seller
from catalog.models.procurement import (
    PO_ACCEPTED,
    PO_CANCELLED,
    PO_DECLINED,
    PO_INVOICED,
    PO_ISSUED,
    PO_PAID,
    PO_RECEIVED,
    PO_SHIPPED,
)
from catalog.services.catalogue import ProductPage

PER_PAGE = 20

# ?status= (Indonesian) → the Surat Pesanan states the tab lists.
TABS: dict[str, tuple[str, ...] | None] = {
    "semua": None,
    "baru": (PO_ISSUED,),
    "diproses": (PO_ACCEPTED,),
    "dikirim": (PO_SHIPPED,),
    "diterima": (PO_RECEIVED,),
    "ditagih": (PO_INVOICED,),
    "dibayar": (PO_PAID,),
    "ditolak": (PO_DECLINED, PO_CANCELLED),
}
DEFAULT_TAB = "semua"


def tab_key(raw: object) -> str:
    return raw if isinstance(raw, str) and raw in TABS else DEFAULT_TAB


@dataclass
class GovOrderPage(ProductPage):
    tabs: dict[str, int] = field(default_factory=dict)
    tab: str = DEFAULT_TAB


def seller_gov_orders(seller: Seller, *, tab: str = DEFAULT_TAB, page: int = 1,
                      per_page: int = PER_PAGE) -> GovOrderPage:
    """One page of the seller's own Surat Pesanan, newest first, with the agency and the invoice
    loaded (one joined statement), after the counts per state (one grouped statement)."""
    tab = tab_key(tab)
    counts = dict(db.session.execute(
        select(PurchaseOrder.status, func.count()).where(PurchaseOrder.seller_id == seller.id)
        .group_by(PurchaseOrder.status)).all())
    tabs = {key: sum(counts.values()) if states is None else sum(counts.get(s, 0) for s in states)
            for key, states in TABS.items()}
    total = tabs[tab]
    page = min(max(page, 1), max(-(-total // per_page), 1))
    items: list[PurchaseOrder] = []
    if total:
        stmt = select(PurchaseOrder).where(PurchaseOrder.seller_id == seller.id)
        if TABS[tab] is not None:
            stmt = stmt.where(PurchaseOrder.status.in_(TABS[tab]))
        items = list(db.session.scalars(
            stmt.options(joinedload(PurchaseOrder.agency), joinedload(PurchaseOrder.invoice))
            .order_by(PurchaseOrder.issued_at.desc(), PurchaseOrder.id.desc())
            .limit(per_page).offset((page - 1) * per_page)).unique())
    return GovOrderPage(items=items, total=total, page=page, per_page=per_page, sort="terbaru", tabs=tabs, tab=tab)
