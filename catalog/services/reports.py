"""Reported listings: a logged-in user flags a visible product, the Dinas upholds the reports
(the product is hidden through services/moderation.py) or dismisses them.

A decision covers every open report of the product at once: the Dinas judges the listing, not
each click. Each step is one transaction with its audit event.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from catalog.extensions import db
from catalog.models import AuditEvent, Product, Seller, User
from catalog.models.base import utcnow
from catalog.models.moderation import (
    REPORT_DISMISSED,
    REPORT_OPEN,
    REPORT_REASONS,
    REPORT_UPHELD,
    ProductReport,
)
from catalog.services import audit, moderation, notifications
from catalog.services.catalogue import visible_product_clause
from catalog.services.errors import DomainError, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from catalog.services.verification import clean_reason

MESSAGE_MAX = 1000
QUEUE_LIMIT = 100
HISTORY_LIMIT = 30

REASON_LABELS = {
    "prohibited": _l("Barang terlarang atau berbahaya"),
    "counterfeit": _l("Barang palsu atau tiruan"),
    "misleading": _l("Keterangan, foto atau harga menyesatkan"),
    "wrong_category": _l("Salah kategori"),
    "fraud": _l("Dugaan penipuan"),
    "other": _l("Alasan lain"),
}

MSG_PRODUCT_NOT_FOUND = _l("Produk tidak ditemukan.")
MSG_NOT_FOUND = _l("Laporan tidak ditemukan.")
MSG_OWN_PRODUCT = _l("Anda tidak dapat melaporkan produk Anda sendiri.")
MSG_DUPLICATE = _l("Anda sudah melaporkan produk ini. Dinas akan memeriksanya.")
MSG_REASON = _l("Pilih alasan laporan dari daftar.")
MSG_MESSAGE_LONG = _l("Penjelasan terlalu panjang: maksimal %(n)s karakter.", n=MESSAGE_MAX)
MSG_MESSAGE_REQUIRED = _l("Jelaskan masalahnya bila memilih “Alasan lain”.")
MSG_DECIDED_UPHELD = _l("Laporan ini sudah diputuskan: produknya sudah disembunyikan.")
MSG_DECIDED_DISMISSED = _l("Laporan ini sudah diputuskan: laporan diabaikan.")


# --- reporting ------------------------------------------------------------------------------------

def reportable_product(slug: str) -> Product:
    """A product the public can see, by slug, with its seller. Raises NotFound."""
    product = db.session.scalar(
        select(Product).join(Product.seller).where(Product.slug == slug, visible_product_clause())
    )
    if product is None:
        raise NotFound(MSG_PRODUCT_NOT_FOUND)
    return product


def own_product(user: User, product: Product) -> bool:
    return product.seller.user_id == user.id


def existing_report(user: User, product_id: int) -> ProductReport | None:
    return db.session.scalar(select(ProductReport).where(ProductReport.product_id == product_id,
                                                         ProductReport.reporter_id == user.id))


def clean_message(raw: str | None, reason: str) -> str:
    text = "\n".join(" ".join(line.split()) for line in str(raw or "").strip().splitlines()).strip()
    if len(text) > MESSAGE_MAX:
        raise ValidationFailed(MSG_MESSAGE_LONG, field="message")
    if reason == "other" and not text:
        raise ValidationFailed(MSG_MESSAGE_REQUIRED, field="message")
    return text


def report_product(user: User, product_id: int, reason: str | None, message: str | None) -> ProductReport:
    """File one report. Raises NotFound (not a visible product), PermissionDenied (the seller's own
    product), InvalidTransition (already reported by this user) or ValidationFailed. Commits."""
    product = db.session.scalar(
        select(Product).join(Product.seller).where(Product.id == product_id, visible_product_clause())
    )
    if product is None:
        raise NotFound(MSG_PRODUCT_NOT_FOUND)
    if own_product(user, product):
        raise PermissionDenied(MSG_OWN_PRODUCT)
    if reason not in REPORT_REASONS:
        raise ValidationFailed(MSG_REASON, field="reason")
    text = clean_message(message, reason)
    if existing_report(user, product.id) is not None:
        raise InvalidTransition(MSG_DUPLICATE)
    report = ProductReport(product_id=product.id, reporter_id=user.id, reason=reason, message=text,
                           status=REPORT_OPEN)
    db.session.add(report)
    try:
        db.session.flush()
        audit.record("product_report.created", report, actor_id=user.id,
                     after={"product_id": product.id, "reason": reason})
        db.session.commit()
    except IntegrityError:
        # Two clicks at once: the unique constraint kept the first.
        db.session.rollback()
        raise InvalidTransition(MSG_DUPLICATE) from None
    return report


# --- the Dinas' decisions -------------------------------------------------------------------------

def _open_reports_for_decision(report_id: int) -> tuple[ProductReport, list[ProductReport]]:
    """The report (locked) and every open report of its product, oldest first (locked too)."""
    report = db.session.get(ProductReport, report_id, with_for_update=True, populate_existing=True)
    if report is None:
        raise NotFound(MSG_NOT_FOUND)
    if report.status == REPORT_UPHELD:
        raise InvalidTransition(MSG_DECIDED_UPHELD)
    if report.status == REPORT_DISMISSED:
        raise InvalidTransition(MSG_DECIDED_DISMISSED)
    reports = list(db.session.scalars(
        select(ProductReport).where(ProductReport.product_id == report.product_id, ProductReport.status == REPORT_OPEN)
        .order_by(ProductReport.id).with_for_update().execution_options(populate_existing=True)
    ))
    return report, reports


def _close(reports: list[ProductReport], status: str, admin_id: int, note: str | None) -> None:
    now = utcnow()
    for report in reports:
        report.status = status
        report.reviewed_by_id = admin_id
        report.reviewed_at = now
        report.review_note = note
        audit.record(f"product_report.{status}", report, actor_id=admin_id, before={"status": REPORT_OPEN},
                     after={"status": status, "product_id": report.product_id}, reason=note)


def uphold(report_id: int, admin_id: int, reason: str | None) -> Product:
    """The listing breaks the rules: hide it (the seller sees the reason) and close every open
    report of it as upheld; reporters are told in the site. One transaction."""
    reason = clean_reason(reason, required=True)
    report, reports = _open_reports_for_decision(report_id)
    _close(reports, REPORT_UPHELD, admin_id, reason)
    product = report.product
    for item in reports:
        notifications.notify(
            item.reporter, "report.upheld", _l("Laporan Anda ditindaklanjuti"),
            _l("Terima kasih. Dinas memeriksa laporan Anda tentang “%(title)s” dan menyembunyikan produk tersebut.",
               title=product.title), email=False)
    if product.is_hidden:
        # Already hidden from the moderation page: the reports are closed all the same.
        db.session.commit()
        return product
    try:
        return moderation.hide_product(product.id, admin_id, reason)  # commits the reports with it
    except DomainError:
        db.session.rollback()
        raise


def dismiss(report_id: int, admin_id: int, note: str | None = None) -> list[ProductReport]:
    """The listing is fine: close every open report of the product as dismissed. One transaction."""
    note = clean_reason(note, required=False)
    _report, reports = _open_reports_for_decision(report_id)
    _close(reports, REPORT_DISMISSED, admin_id, note)
    db.session.commit()
    return reports


# --- the queue ------------------------------------------------------------------------------------

@dataclass
class ReportGroup:
    product: Product
    count: int
    first_at: datetime
    last_at: datetime

    @property
    def waiting_days(self) -> int:
        return (utcnow() - self.first_at).days


TAB_OPEN = "terbuka"
TAB_DECIDED = "selesai"
TABS = (TAB_OPEN, TAB_DECIDED)


def tab_key(raw: object) -> str:
    return raw if isinstance(raw, str) and raw in TABS else TAB_OPEN


def tab_counts() -> dict[str, int]:
    """Products with open reports, and products whose reports were all decided: one statement."""
    open_products = func.count(func.distinct(ProductReport.product_id)).filter(ProductReport.status == REPORT_OPEN)
    all_products = func.count(func.distinct(ProductReport.product_id))
    open_count, total = db.session.execute(select(open_products, all_products)).one()
    return {TAB_OPEN: int(open_count or 0), TAB_DECIDED: int((total or 0) - (open_count or 0))}


def report_queue(tab: object = None, limit: int = QUEUE_LIMIT) -> tuple[str, list[ReportGroup], dict[str, int]]:
    """Reported products grouped: the open tab by oldest open report first (how long the first
    reporter has waited), the decided tab by the latest decision. Three statements."""
    tab = tab_key(tab)
    if tab == TAB_OPEN:
        stmt = (select(ProductReport.product_id, func.count(ProductReport.id), func.min(ProductReport.created_at),
                       func.max(ProductReport.created_at))
                .where(ProductReport.status == REPORT_OPEN)
                .group_by(ProductReport.product_id)
                .order_by(func.min(ProductReport.created_at), ProductReport.product_id))
    else:
        still_open = select(ProductReport.product_id).where(ProductReport.status == REPORT_OPEN)
        stmt = (select(ProductReport.product_id, func.count(ProductReport.id), func.min(ProductReport.created_at),
                       func.max(ProductReport.reviewed_at))
                .where(ProductReport.product_id.not_in(still_open))
                .group_by(ProductReport.product_id)
                .order_by(func.max(ProductReport.reviewed_at).desc(), ProductReport.product_id.desc()))
    rows = db.session.execute(stmt.limit(limit)).all()
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_([r[0] for r in rows]))
        .options(joinedload(Product.seller).load_only(Seller.id, Seller.business_name, Seller.slug))
    )} if rows else {}
    groups = [ReportGroup(products[pid], count, first, last) for pid, count, first, last in rows if pid in products]
    return tab, groups, tab_counts()


@dataclass
class ProductReports:
    product: Product
    reports: list[ProductReport]
    history: list[AuditEvent]

    @property
    def open_reports(self) -> list[ProductReport]:
        return [r for r in self.reports if r.status == REPORT_OPEN]

    @property
    def decision_report_id(self) -> int | None:
        """The report a decision is recorded against: the oldest open one, else the latest
        (which makes a second decision a clear refusal instead of a silent no-op)."""
        if self.open_reports:
            return self.open_reports[0].id
        return self.reports[-1].id if self.reports else None


def product_reports(product_id: int) -> ProductReports:
    """A reported product with all its reports (oldest first) and reporters. Raises NotFound for
    an unknown product or one nobody reported."""
    product = db.session.scalar(select(Product).where(Product.id == product_id)
                                .options(joinedload(Product.seller)))
    if product is None:
        raise NotFound(MSG_PRODUCT_NOT_FOUND)
    reports = list(db.session.scalars(
        select(ProductReport).where(ProductReport.product_id == product_id)
        .options(joinedload(ProductReport.reporter)).order_by(ProductReport.created_at, ProductReport.id)
    ))
    if not reports:
        raise NotFound(MSG_NOT_FOUND)
    history = audit.history(Product.__tablename__, product_id, HISTORY_LIMIT,
                            actions=("product.hidden", "product.unhidden"))
    return ProductReports(product=product, reports=reports, history=history)
