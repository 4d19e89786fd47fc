"""Seller verification by the Dinas: the review queue, one seller's file, and the four decisions
(verify, reject, suspend, reinstate) that move a seller through the state machine.

Each decision is one transaction: the state change and its audit event (services/states.py), the
reviewer and reason on the seller, and a notification to the seller's user (email after commit).
A decision that changes whether the seller's products are public sends `seller_visibility_changed`
after the commit, so whatever mirrors the catalogue (the search index) can follow.
"""

from dataclasses import dataclass
from datetime import datetime
from math import ceil

from blinker import Namespace
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from catalog.extensions import db
from catalog.models import AuditEvent, Seller, SellerDocument
from catalog.models.base import utcnow
from catalog.models.sellers import (
    STATUS_PENDING,
    STATUS_REJECTED,
    STATUS_SUSPENDED,
    STATUS_VERIFIED,
)
from catalog.services import audit, notifications
from catalog.services.catalogue import ProductPage, clean_query, page_number
from catalog.services.errors import InvalidTransition, NotFound, ValidationFailed
from catalog.services.states import transition

REASON_MIN = 10
REASON_MAX = 500  # Seller.status_reason and AuditEvent.reason are String(500)
QUEUE_PER_PAGE = 20
HISTORY_LIMIT = 50
SEARCH_MAX = 100

# --- the hook for whatever mirrors the public catalogue -----------------------------------------

signals = Namespace()

# Sent after the commit of a decision that shows or hides all of one seller's products
# (verify, suspend, reinstate), with sender=the Flask app and the keyword arguments
# seller_id (int) and visible (bool). The search index subscribes to it to add or drop the
# seller's products; the database stays the truth, so a receiver that fails only logs.
seller_visibility_changed = signals.signal(
    "seller-visibility-changed",
    doc="A seller's products became public (visible=True) or hidden (visible=False).",
)


# --- messages ------------------------------------------------------------------------------------

MSG_NOT_FOUND = _l("Penjual tidak ditemukan.")
MSG_REASON_REQUIRED = _l("Tuliskan alasannya agar penjual tahu apa yang harus dilakukan.")
MSG_REASON_SHORT = _l("Alasan terlalu singkat: tulis minimal %(n)s karakter.", n=REASON_MIN)
MSG_REASON_LONG = _l("Alasan terlalu panjang: maksimal %(n)s karakter.", n=REASON_MAX)
MSG_NOT_SUBMITTED = _l("Penjual ini belum mengirim pendaftaran, jadi belum dapat diperiksa.")
MSG_ALREADY_VERIFIED = _l("Penjual ini sudah terverifikasi.")
MSG_ALREADY_REJECTED = _l("Pendaftaran penjual ini sudah ditolak dan menunggu perbaikan dari penjual.")
MSG_VERIFIED_NOT_REJECTABLE = _l("Penjual ini sudah terverifikasi. Untuk menghentikan penjualannya, bekukan tokonya.")
MSG_SUSPENDED_NOT_VERIFIABLE = _l("Toko ini sedang dibekukan. Gunakan “Aktifkan kembali” untuk membukanya lagi.")
MSG_ALREADY_SUSPENDED = _l("Toko ini sudah dibekukan.")
MSG_ONLY_VERIFIED_SUSPENDED = _l("Hanya toko yang sudah terverifikasi yang dapat dibekukan.")
MSG_NOT_SUSPENDED = _l("Hanya toko yang sedang dibekukan yang dapat diaktifkan kembali.")
MSG_ALREADY_ACTIVE = _l("Toko ini sudah aktif.")


# --- the decisions -------------------------------------------------------------------------------

def verify_seller(seller_id: int, admin_id: int) -> Seller:
    """Approve a submitted registration: the seller's active products become public."""
    seller = _load_for_decision(seller_id)
    if seller.status == STATUS_VERIFIED:
        raise InvalidTransition(MSG_ALREADY_VERIFIED)
    if seller.status == STATUS_SUSPENDED:
        raise InvalidTransition(MSG_SUSPENDED_NOT_VERIFIABLE)
    if seller.status == STATUS_PENDING and seller.submitted_at is None:
        raise InvalidTransition(MSG_NOT_SUBMITTED)
    now = utcnow()
    transition("seller", seller, STATUS_VERIFIED, actor_id=admin_id,
               extra={"business_name": seller.business_name, "nib": seller.nib})
    _mark_reviewed(seller, admin_id, now, reason=None)
    seller.verified_at = now
    notifications.notify(
        seller.user, "seller.verified",
        _l("Toko Anda sudah terverifikasi"),
        _l("Selamat! Dinas sudah memverifikasi %(name)s. Produk aktif Anda kini tampil di Katalog UMKM "
           "dan dapat dibeli warga maupun instansi.", name=seller.business_name),
        link=storefront_path(seller),
    )
    return _commit(seller, visible=True)


def reject_seller(seller_id: int, admin_id: int, reason: str | None) -> Seller:
    """Send a submitted registration back to the seller with what to fix."""
    reason = clean_reason(reason, required=True)
    seller = _load_for_decision(seller_id)
    if seller.status == STATUS_REJECTED:
        raise InvalidTransition(MSG_ALREADY_REJECTED)
    if seller.status in (STATUS_VERIFIED, STATUS_SUSPENDED):
        raise InvalidTransition(MSG_VERIFIED_NOT_REJECTABLE)
    if seller.submitted_at is None:
        raise InvalidTransition(MSG_NOT_SUBMITTED)
    transition("seller", seller, STATUS_REJECTED, actor_id=admin_id, reason=reason)
    _mark_reviewed(seller, admin_id, utcnow(), reason=reason)
    notifications.notify(
        seller.user, "seller.rejected",
        _l("Pendaftaran toko perlu diperbaiki"),
        _l("Dinas belum dapat memverifikasi %(name)s. Alasannya: %(reason)s Silakan perbaiki data atau "
           "dokumen Anda, lalu kirim ulang pendaftaran.", name=seller.business_name, reason=_sentence(reason)),
        link=SELLER_HOME_PATH,
    )
    return _commit(seller, visible=None)


def suspend_seller(seller_id: int, admin_id: int, reason: str | None) -> Seller:
    """Freeze a verified seller: all of their products disappear from the site at once
    (the public visibility rule requires a verified seller)."""
    reason = clean_reason(reason, required=True)
    seller = _load_for_decision(seller_id)
    if seller.status == STATUS_SUSPENDED:
        raise InvalidTransition(MSG_ALREADY_SUSPENDED)
    if seller.status != STATUS_VERIFIED:
        raise InvalidTransition(MSG_ONLY_VERIFIED_SUSPENDED)
    transition("seller", seller, STATUS_SUSPENDED, actor_id=admin_id, reason=reason)
    _mark_reviewed(seller, admin_id, utcnow(), reason=reason)
    notifications.notify(
        seller.user, "seller.suspended",
        _l("Toko Anda dibekukan sementara"),
        _l("Dinas membekukan sementara %(name)s, sehingga produk Anda tidak tampil di Katalog UMKM. "
           "Alasannya: %(reason)s Hubungi Dinas Koperasi dan UMKM bila ada pertanyaan.",
           name=seller.business_name, reason=_sentence(reason)),
        link=SELLER_HOME_PATH,
    )
    return _commit(seller, visible=False)


def reinstate_seller(seller_id: int, admin_id: int, reason: str | None = None) -> Seller:
    """Lift a suspension: the seller's active products are public again."""
    reason = clean_reason(reason, required=False)
    seller = _load_for_decision(seller_id)
    if seller.status == STATUS_VERIFIED:
        raise InvalidTransition(MSG_ALREADY_ACTIVE)
    if seller.status != STATUS_SUSPENDED:
        raise InvalidTransition(MSG_NOT_SUSPENDED)
    transition("seller", seller, STATUS_VERIFIED, actor_id=admin_id, reason=reason,
               extra={"reinstated": True})
    # verified_at keeps the date of the first verification: the seller has been vetted since then.
    _mark_reviewed(seller, admin_id, utcnow(), reason=reason)
    notifications.notify(
        seller.user, "seller.reinstated",
        _l("Toko Anda aktif kembali"),
        _l("Pembekuan %(name)s sudah dicabut. Produk aktif Anda kembali tampil di Katalog UMKM.",
           name=seller.business_name),
        link=storefront_path(seller),
    )
    return _commit(seller, visible=True)


# Where notifications send the seller. Services have no request to build URLs with (the
# certificate check runs from cron), so the two addresses are spelled out here; they are the
# fixed paths of storefront.profile and seller.dashboard.
SELLER_HOME_PATH = "/penjual"


def storefront_path(seller: Seller) -> str:
    return f"/toko/{seller.slug}"


def clean_reason(raw: str | None, *, required: bool) -> str | None:
    """The reason as typed, whitespace collapsed; checked for length. None when optional and empty."""
    text = " ".join(str(raw or "").split())
    if not text:
        if required:
            raise ValidationFailed(MSG_REASON_REQUIRED, field="reason")
        return None
    if len(text) < REASON_MIN:
        raise ValidationFailed(MSG_REASON_SHORT, field="reason")
    if len(text) > REASON_MAX:
        raise ValidationFailed(MSG_REASON_LONG, field="reason")
    return text


def _sentence(text: str) -> str:
    """The reason as a sentence inside a longer message: ends with a full stop."""
    return text if text.endswith((".", "!", "?")) else text + "."


def _load_for_decision(seller_id: int) -> Seller:
    # Locked on PostgreSQL so two admins deciding at the same moment are serialised: the second
    # sees the first one's status and gets a clear refusal instead of a double transition.
    seller = db.session.get(Seller, seller_id, with_for_update=True, populate_existing=True)
    if seller is None:
        raise NotFound(MSG_NOT_FOUND)
    return seller


def _mark_reviewed(seller: Seller, admin_id: int, when: datetime, *, reason: str | None) -> None:
    seller.reviewed_by_id = admin_id
    seller.reviewed_at = when
    seller.status_reason = reason


def _commit(seller: Seller, *, visible: bool | None) -> Seller:
    db.session.commit()
    if visible is not None:
        seller_visibility_changed.send(current_app._get_current_object(), seller_id=seller.id, visible=visible)
    return seller


# --- the queue -------------------------------------------------------------------------------------

TAB_PENDING = "menunggu"
TAB_VERIFIED = "terverifikasi"
TAB_REJECTED = "ditolak"
TAB_SUSPENDED = "dibekukan"
TABS = (TAB_PENDING, TAB_VERIFIED, TAB_REJECTED, TAB_SUSPENDED)
TAB_STATUS = {
    TAB_PENDING: STATUS_PENDING,
    TAB_VERIFIED: STATUS_VERIFIED,
    TAB_REJECTED: STATUS_REJECTED,
    TAB_SUSPENDED: STATUS_SUSPENDED,
}


@dataclass
class QueueRow:
    seller: Seller
    document_count: int
    waiting_days: int | None  # whole days since submission, for the pending tab


@dataclass
class SellerQueue:
    tab: str
    query: str
    rows: list[QueueRow]
    # The paging arithmetic is the same as for product listings (and the same macro draws it).
    page: ProductPage
    counts: dict[str, int]


def tab_key(raw: object) -> str:
    """?status= as one of TABS; anything else (a typo, a forged value) is the pending tab."""
    return raw if isinstance(raw, str) and raw in TABS else TAB_PENDING


def _tab_clause(tab: str):
    clause = Seller.status == TAB_STATUS[tab]
    if tab == TAB_PENDING:
        # A wizard still being filled in is not the Dinas' business yet.
        clause = clause & Seller.submitted_at.is_not(None)
    return clause


def _tab_order(tab: str):
    if tab == TAB_PENDING:
        return (Seller.submitted_at.asc(), Seller.id.asc())  # first come, first served
    if tab == TAB_VERIFIED:
        return (Seller.verified_at.desc(), Seller.id.desc())
    return (Seller.reviewed_at.desc(), Seller.id.desc())


def _search_clause(query: str):
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    clauses = [Seller.business_name.ilike(f"%{escaped}%", escape="\\")]
    digits = "".join(ch for ch in query if ch.isdigit())
    if digits and len(digits) == len(query.replace(" ", "")):
        clauses.append(Seller.nib.like(f"{digits}%"))  # NIB typed from the start, maybe partly
    return or_(*clauses)


def tab_counts() -> dict[str, int]:
    """How many sellers each tab holds, in one grouped statement."""
    stmt = select(*(func.sum(case((_tab_clause(tab), 1), else_=0)) for tab in TABS))
    values = db.session.execute(stmt.select_from(Seller)).one()
    return {tab: int(value or 0) for tab, value in zip(TABS, values, strict=True)}


def seller_queue(tab: object = None, query: object = None, page: object = None,
                 per_page: int = QUEUE_PER_PAGE) -> SellerQueue:
    """One page of one tab of the queue, searched by business name or NIB.

    Four statements whatever the page size: the tab counts, the row count, the page of sellers
    with their kota and kecamatan joined, and the document counts grouped by seller."""
    tab = tab_key(tab)
    query = clean_query(query)[:SEARCH_MAX]  # control characters dropped: PostgreSQL refuses NUL
    criteria = [_tab_clause(tab)]
    if query:
        criteria.append(_search_clause(query))

    counts = tab_counts()
    total = db.session.scalar(select(func.count(Seller.id)).where(*criteria)) or 0
    pages = max(ceil(total / per_page), 1)
    number = min(page_number(page), pages)
    sellers: list[Seller] = []
    if total:
        sellers = list(db.session.scalars(
            select(Seller).where(*criteria).order_by(*_tab_order(tab))
            .options(joinedload(Seller.kota), joinedload(Seller.kecamatan))
            .limit(per_page).offset((number - 1) * per_page)
        ))
    documents = _document_counts([s.id for s in sellers])
    now = utcnow()
    rows = [
        QueueRow(
            seller=s,
            document_count=documents.get(s.id, 0),
            waiting_days=(now - s.submitted_at).days if tab == TAB_PENDING and s.submitted_at else None,
        )
        for s in sellers
    ]
    return SellerQueue(
        tab=tab, query=query, rows=rows, counts=counts,
        page=ProductPage(items=rows, total=total, page=number, per_page=per_page, sort="terbaru"),
    )


def _document_counts(seller_ids: list[int]) -> dict[int, int]:
    if not seller_ids:
        return {}
    stmt = (
        select(SellerDocument.seller_id, func.count(SellerDocument.id))
        .where(SellerDocument.seller_id.in_(seller_ids))
        .group_by(SellerDocument.seller_id)
    )
    return {seller_id: count for seller_id, count in db.session.execute(stmt)}


# --- one seller's file -------------------------------------------------------------------------------

@dataclass
class SellerReview:
    seller: Seller
    documents: list[SellerDocument]
    history: list[AuditEvent]

    @property
    def can_verify(self) -> bool:
        s = self.seller
        return s.status == STATUS_PENDING and s.submitted_at is not None

    @property
    def can_reject(self) -> bool:
        return self.can_verify

    @property
    def can_suspend(self) -> bool:
        return self.seller.status == STATUS_VERIFIED

    @property
    def can_reinstate(self) -> bool:
        return self.seller.status == STATUS_SUSPENDED


def seller_review(seller_id: int) -> SellerReview:
    """Everything the detail page shows: the seller with regions, account and reviewer, the
    documents, and the seller's audit history (newest first). Raises NotFound."""
    seller = db.session.scalar(
        select(Seller).where(Seller.id == seller_id).options(
            joinedload(Seller.user), joinedload(Seller.reviewed_by),
            joinedload(Seller.kota), joinedload(Seller.kecamatan), joinedload(Seller.kelurahan),
            selectinload(Seller.documents),
        )
    )
    if seller is None:
        raise NotFound(MSG_NOT_FOUND)
    return SellerReview(seller=seller, documents=list(seller.documents),
                        history=audit.history("seller", seller.id, HISTORY_LIMIT))


def document_for_admin(document_id: int) -> SellerDocument:
    """A seller document with a stored file, for the admin file route. Raises NotFound."""
    document = db.session.get(SellerDocument, document_id, options=[joinedload(SellerDocument.seller)])
    if document is None or not document.file_key:
        raise NotFound(_l("Dokumen tidak ditemukan."))
    return document
