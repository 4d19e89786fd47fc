"""Figures for the seller dashboard (product counts, low stock, expiring certificates, weekly
views, government invoices paid next to the shop's sales, the balance) and the view counter that
feeds the weekly chart."""

import atexit
import logging
import re
import threading
import weakref
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from catalog.extensions import db
from catalog.formatting import JAKARTA
from catalog.models import Invoice, LedgerEntry, PaymentRecord, Product, Seller, SellerDocument
from catalog.models.procurement import INVOICE_PAID
from catalog.models.products import PRODUCT_ACTIVE, PRODUCT_ARCHIVED, PRODUCT_DRAFT
from catalog.models.sellers import SellerViewWeek
from catalog.services import sellers

log = logging.getLogger(__name__)

CHART_WEEKS = 8
SALES_WEEKS = 12  # the sales chart's window (services/sales.py), for government sales beside it
LOW_STOCK_LISTED = 10
EXPIRY_WARNING_DAYS = 30

# Crawlers announce themselves in the User-Agent; link previews (WhatsApp, Facebook) are not
# a person looking at the shop either. Anything else counts: this is a rough popularity
# figure for the seller, not an audience measurement.
_BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|facebookexternalhit|whatsapp|preview|headless|python-requests|curl|wget",
    re.IGNORECASE,
)


def looks_like_bot(user_agent: str | None) -> bool:
    """True for an empty User-Agent or one that names a crawler, spider or link previewer."""
    return not user_agent or bool(_BOT_USER_AGENT.search(user_agent))


def today_in_jakarta() -> date:
    """Weeks are counted on the sellers' calendar, not the server's (UTC) one."""
    return datetime.now(JAKARTA).date()


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def record_view(seller_id: int, today: date | None = None) -> bool:
    """Count one view of a seller's storefront or product page in this week's row, with one
    INSERT … ON CONFLICT DO UPDATE (no read-then-write race between parallel requests), and
    commit. Returns False (after logging and rolling back) when the database refuses: a view
    counter must never break the page that records it."""
    week = week_start(today or today_in_jakarta())
    table = SellerViewWeek.__table__
    try:
        insert = _dialect_insert()
        statement = insert(table).values(seller_id=seller_id, week_start=week, views=1)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.seller_id, table.c.week_start],
            set_={"views": table.c.views + 1},
        )
        db.session.execute(statement)
        db.session.commit()
    except SQLAlchemyError:
        log.warning("could not record a view for seller %s", seller_id, exc_info=True)
        db.session.rollback()
        return False
    return True


# --- buffered counting for the pages ---------------------------------------------------------
#
# A write transaction per page view serialises every worker on SQLite (one writer at a time, an
# fsync per commit) and costs a round trip on PostgreSQL. The pages therefore count views in
# memory, per app and per process, and write them all in one INSERT … ON CONFLICT statement when
# VIEW_COUNT_FLUSH_VIEWS views are pending or VIEW_COUNT_FLUSH_SECONDS after the first pending
# one (a timer thread), whichever comes first, and at exit. The seller's weekly figure therefore
# lags by at most that (30 s / 100 views per worker by default; the seller's own dashboard flushes
# its process's pending views first), and a worker killed hard loses at most what it had pending:
# fine for a rough popularity figure. Tests set VIEW_COUNT_FLUSH_VIEWS = 1 (written at once).


class _ViewBuffer:
    def __init__(self):
        self.lock = threading.Lock()
        self.pending: Counter[tuple[int, date]] = Counter()
        self.views = 0
        self.timer: threading.Timer | None = None


def _buffer(app) -> _ViewBuffer:
    buffer = app.extensions.get("seller_view_buffer")
    if buffer is None:
        with _BUFFER_CREATION:
            buffer = app.extensions.get("seller_view_buffer")
            if buffer is None:
                buffer = app.extensions["seller_view_buffer"] = _ViewBuffer()
                _APPS_WITH_BUFFERS.add(app)
    return buffer


_BUFFER_CREATION = threading.Lock()
# Weak, so the apps a test run builds by the hundred are not all kept alive until exit.
_APPS_WITH_BUFFERS: "weakref.WeakSet" = weakref.WeakSet()


@atexit.register
def _flush_all_at_exit() -> None:
    for app in list(_APPS_WITH_BUFFERS):
        if app.extensions["seller_view_buffer"].views:
            _flush_in_context(app)


def count_view(seller_id: int, today: date | None = None) -> None:
    """Count one view of a seller's storefront or product page in this process's buffer, and
    write the buffer when it is due (see above). Never raises for the database's sake."""
    app = current_app._get_current_object()
    buffer = _buffer(app)
    week = week_start(today or today_in_jakarta())
    seconds = app.config.get("VIEW_COUNT_FLUSH_SECONDS", 30)
    with buffer.lock:
        buffer.pending[(seller_id, week)] += 1
        buffer.views += 1
        due = buffer.views >= app.config.get("VIEW_COUNT_FLUSH_VIEWS", 100) or seconds <= 0
        if not due and buffer.timer is None:
            buffer.timer = threading.Timer(seconds, _flush_in_context, args=(app,))
            buffer.timer.daemon = True
            buffer.timer.start()
    if due:
        flush_views()


def pending_views() -> int:
    """Views counted in this process and not written yet."""
    buffer = current_app.extensions.get("seller_view_buffer")
    return buffer.views if buffer else 0


def flush_views() -> int:
    """Write this process's pending views (one statement in its own transaction). Returns the number of
    views written; on a refusal (a seller deleted meanwhile) each row is retried alone, so one
    bad row loses only its own views."""
    buffer = current_app.extensions.get("seller_view_buffer")
    if buffer is None:
        return 0
    with buffer.lock:
        pending, buffer.pending, buffer.views = buffer.pending, Counter(), 0
        if buffer.timer is not None and buffer.timer is not threading.current_thread():
            buffer.timer.cancel()
        buffer.timer = None
    if not pending:
        return 0
    rows = [{"seller_id": seller_id, "week_start": week, "views": views} for (seller_id, week), views in pending.items()]
    if _upsert_views(rows):
        return sum(pending.values())
    return sum(row["views"] for row in rows if len(rows) > 1 and _upsert_views([row]))


def _upsert_views(rows: list[dict]) -> bool:
    table = SellerViewWeek.__table__
    try:
        statement = _dialect_insert()(table).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.seller_id, table.c.week_start],
            set_={"views": table.c.views + statement.excluded.views},
        )
        # A connection of its own: the request's session (and what it loaded) is left alone.
        with db.engine.begin() as connection:
            connection.execute(statement)
    except SQLAlchemyError:
        log.warning("could not record %s view row(s)", len(rows), exc_info=True)
        return False
    return True


def _flush_in_context(app) -> None:
    """The timer's and the exit's flush, outside any request."""
    with app.app_context():
        try:
            flush_views()
        finally:
            db.session.remove()


def _dialect_insert():
    """The INSERT construct with ON CONFLICT for the database in use (SQLite or PostgreSQL)."""
    name = db.engine.dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the app supports these two databases only
        raise SQLAlchemyError(f"view counting does not support {name}")
    return insert


@dataclass(frozen=True)
class WeekViews:
    week_start: date
    views: int

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)


def weekly_views(seller_id: int, weeks: int = CHART_WEEKS, today: date | None = None) -> list[WeekViews]:
    """Views per week for the last `weeks` weeks, oldest first, this week last; weeks without
    a row count zero. One statement (and the write of this process's pending views, if any)."""
    flush_views()
    this_week = week_start(today or today_in_jakarta())
    first = this_week - timedelta(weeks=weeks - 1)
    rows = db.session.execute(
        select(SellerViewWeek.week_start, SellerViewWeek.views).where(
            SellerViewWeek.seller_id == seller_id,
            SellerViewWeek.week_start >= first,
            SellerViewWeek.week_start <= this_week,
        )
    ).all()
    counted = {row.week_start: row.views for row in rows}
    return [WeekViews(week, counted.get(week, 0)) for week in (first + timedelta(weeks=n) for n in range(weeks))]


@dataclass
class ProductCounts:
    active: int = 0
    draft: int = 0
    archived: int = 0
    low_stock: int = 0

    @property
    def total(self) -> int:
        return self.active + self.draft + self.archived


def _low_stock_clause(seller: Seller):
    """Active, counted stock (not made to order) at or below the seller's own threshold."""
    return and_(
        Product.status == PRODUCT_ACTIVE,
        Product.made_to_order.is_(False),
        Product.stock <= seller.low_stock_threshold,
    )


def product_counts(seller: Seller) -> ProductCounts:
    """Products per status and the number low on stock, in one grouped statement."""
    low = func.sum(case((_low_stock_clause(seller), 1), else_=0))
    rows = db.session.execute(
        select(Product.status, func.count(Product.id), low).where(Product.seller_id == seller.id).group_by(Product.status)
    ).all()
    counts = ProductCounts()
    for status, count, low_count in rows:
        if status == PRODUCT_ACTIVE:
            counts.active = count
        elif status == PRODUCT_DRAFT:
            counts.draft = count
        elif status == PRODUCT_ARCHIVED:
            counts.archived = count
        counts.low_stock += int(low_count or 0)
    return counts


def low_stock_products(seller: Seller, limit: int = LOW_STOCK_LISTED) -> list[Product]:
    """The seller's active products lowest on stock first (sold out at the top)."""
    return list(
        db.session.scalars(
            select(Product)
            .where(Product.seller_id == seller.id, _low_stock_clause(seller))
            .order_by(Product.stock, Product.title, Product.id)
            .limit(limit)
        )
    )


def expiring_documents(seller: Seller, today: date | None = None, days: int = EXPIRY_WARNING_DAYS) -> list[SellerDocument]:
    """Certificates and documents already expired (or marked so) or expiring within `days`
    days, soonest first."""
    today = today or today_in_jakarta()
    return list(
        db.session.scalars(
            select(SellerDocument)
            .where(
                SellerDocument.seller_id == seller.id,
                or_(SellerDocument.expired.is_(True), SellerDocument.expires_on <= today + timedelta(days=days)),
            )
            .order_by(SellerDocument.expires_on.is_(None), SellerDocument.expires_on, SellerDocument.id)
        )
    )


@dataclass(frozen=True)
class GovernmentSales:
    """Government invoices: paid ones are revenue beside the shop's sales (paid by the Bendahara
    straight to the seller: never in the platform balance)."""

    paid_count: int = 0
    paid_total: int = 0  # the invoices' totals (the value sold, PPN included), paid in the window
    received: int = 0  # what the Bendahara transferred for them (after withholding)
    paid_count_all: int = 0
    paid_total_all: int = 0
    unpaid_count: int = 0
    unpaid_total: int = 0  # net still to be transferred


def government_sales(seller: Seller, *, since: date) -> GovernmentSales:
    """Paid government invoices since `since` (by the day the Bendahara paid) and of all time, and
    the unpaid ones: one grouped statement."""
    return _money_figures(seller, since=since)[0]


def _money_figures(seller: Seller, *, since: date) -> tuple[GovernmentSales, int]:
    """The government sales and the ledger balance (services/ledger.balance) in one statement."""
    paid = Invoice.status == INVOICE_PAID
    recent = and_(paid, PaymentRecord.paid_on >= since)
    balance = (select(LedgerEntry.balance_after).where(LedgerEntry.seller_id == seller.id)
               .order_by(LedgerEntry.id.desc()).limit(1).scalar_subquery())
    row = db.session.execute(
        select(func.count(Invoice.id).filter(recent), func.coalesce(func.sum(Invoice.total).filter(recent), 0),
               func.coalesce(func.sum(PaymentRecord.amount).filter(recent), 0),
               func.count(Invoice.id).filter(paid), func.coalesce(func.sum(Invoice.total).filter(paid), 0),
               func.count(Invoice.id).filter(~paid), func.coalesce(func.sum(Invoice.net).filter(~paid), 0),
               balance)
        .select_from(Seller)
        .outerjoin(Invoice, Invoice.seller_id == Seller.id)
        .outerjoin(PaymentRecord, PaymentRecord.invoice_id == Invoice.id)
        .where(Seller.id == seller.id)
    ).one()
    *figures, available = row
    return GovernmentSales(*(int(value or 0) for value in figures)), int(available or 0)


@dataclass
class Dashboard:
    seller: Seller
    counts: ProductCounts
    low_stock: list[Product]
    expiring: list[SellerDocument]
    views: list[WeekViews]
    checklist: list = field(default_factory=list)
    completeness: int = 0
    today: date = field(default_factory=today_in_jakarta)
    government: GovernmentSales = field(default_factory=GovernmentSales)
    balance: int = 0  # available in the platform ledger (services/ledger.py)

    @property
    def views_total(self) -> int:
        return sum(week.views for week in self.views)

    @property
    def views_max(self) -> int:
        return max((week.views for week in self.views), default=0)


def dashboard(seller: Seller, today: date | None = None) -> Dashboard:
    """Everything the dashboard home shows, in a fixed number of statements."""
    today = today or today_in_jakarta()
    government, balance = _money_figures(seller, since=week_start(today) - timedelta(weeks=SALES_WEEKS - 1))
    return Dashboard(
        seller=seller,
        counts=product_counts(seller),
        low_stock=low_stock_products(seller),
        expiring=expiring_documents(seller, today),
        views=weekly_views(seller.id, today=today),
        checklist=sellers.profile_checklist(seller),
        completeness=sellers.completeness_pct(seller),
        today=today,
        government=government,
        balance=balance,
    )
