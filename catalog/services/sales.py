"""A seller's sales: the orders list with its state tabs, and the figures of the dashboard
(orders and sales per week for the last 12 weeks, the best-selling products, the orders per
state). Every figure comes from a bounded, grouped SQL statement that runs the same on SQLite
and PostgreSQL; nothing is computed by walking the seller's orders in Python.

Weeks are the sellers' weeks (Monday to Sunday, Jakarta time) as in services/seller_stats.py:
an order falls in the week whose Monday 00:00 WIB is the last one at or before its created_at.
The boundaries are computed here and compared in SQL (a CASE over 12 timestamps), so no
database-specific date function is needed.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import case, desc, func, select
from sqlalchemy.orm import selectinload

from catalog.extensions import db
from catalog.formatting import JAKARTA
from catalog.models import Order, OrderItem, Product, Seller
from catalog.models.orders import (
    ORDER_ACCEPTED,
    ORDER_AWAITING_PAYMENT,
    ORDER_CANCELLED,
    ORDER_COMPLETED,
    ORDER_DELIVERED,
    ORDER_NEW,
    ORDER_REJECTED,
    ORDER_SHIPPED,
)
from catalog.services.catalogue import ProductPage
from catalog.services.seller_stats import today_in_jakarta, week_start

CHART_WEEKS = 12
TOP_PRODUCTS = 5
PER_PAGE = 20

# Orders that count as sales: paid and not turned down or called off.
SALES_STATUSES = (ORDER_NEW, ORDER_ACCEPTED, ORDER_SHIPPED, ORDER_DELIVERED, ORDER_COMPLETED)

# The orders list's tabs (?status= in the address bar, Indonesian) → the states each shows.
# "dikirim" holds delivered orders too: both wait for the shopper's confirmation.
TABS: dict[str, tuple[str, ...] | None] = {
    "semua": None,
    "belum-dibayar": (ORDER_AWAITING_PAYMENT,),
    "baru": (ORDER_NEW,),
    "diproses": (ORDER_ACCEPTED,),
    "dikirim": (ORDER_SHIPPED, ORDER_DELIVERED),
    "selesai": (ORDER_COMPLETED,),
    "dibatalkan": (ORDER_REJECTED, ORDER_CANCELLED),
}
DEFAULT_TAB = "semua"


def tab_key(raw: object) -> str:
    return raw if isinstance(raw, str) and raw in TABS else DEFAULT_TAB


# --- orders per state ----------------------------------------------------------------------------

def status_counts(seller: Seller) -> dict[str, int]:
    """The seller's orders per state, in one grouped statement (states without orders: absent)."""
    rows = db.session.execute(
        select(Order.status, func.count()).where(Order.seller_id == seller.id).group_by(Order.status)
    ).all()
    return {status: count for status, count in rows}


def tab_counts(counts: dict[str, int]) -> dict[str, int]:
    """Per tab key, how many orders the tab lists."""
    return {key: sum(counts.values()) if statuses is None else sum(counts.get(s, 0) for s in statuses)
            for key, statuses in TABS.items()}


# --- the orders list -----------------------------------------------------------------------------

@dataclass
class OrderPage(ProductPage):
    """One page of the seller's orders (newest first) with the buyer loaded, the units per
    order and the count per tab."""

    units: dict[int, int] = field(default_factory=dict)  # order id → pieces ordered
    tabs: dict[str, int] = field(default_factory=dict)
    tab: str = DEFAULT_TAB


def seller_orders(seller: Seller, *, tab: str = DEFAULT_TAB, page: int = 1, per_page: int = PER_PAGE) -> OrderPage:
    """One page of the seller's own orders, newest first: four statements whatever the page
    size (counts per state, the page, its buyers, its units)."""
    tab = tab_key(tab)
    statuses = TABS[tab]
    tabs = tab_counts(status_counts(seller))
    total = tabs[tab]
    page = min(max(page, 1), max(-(-total // per_page), 1))
    orders: list[Order] = []
    units: dict[int, int] = {}
    if total:
        stmt = select(Order).where(Order.seller_id == seller.id)
        if statuses is not None:
            stmt = stmt.where(Order.status.in_(statuses))
        orders = list(db.session.scalars(
            stmt.options(selectinload(Order.user))
            .order_by(Order.created_at.desc(), Order.id.desc()).limit(per_page).offset((page - 1) * per_page)
        ))
    if orders:
        units = dict(db.session.execute(
            select(OrderItem.order_id, func.sum(OrderItem.quantity))
            .where(OrderItem.order_id.in_([o.id for o in orders])).group_by(OrderItem.order_id)
        ).all())
    return OrderPage(items=orders, total=total, page=page, per_page=per_page, sort="terbaru",
                     units={k: int(v or 0) for k, v in units.items()}, tabs=tabs, tab=tab)


# --- the dashboard figures -----------------------------------------------------------------------

@dataclass(frozen=True)
class WeekSales:
    week_start: date
    orders: int
    revenue: int

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)


@dataclass(frozen=True)
class TopProduct:
    product_id: int | None  # None: the product was deleted since (its lines keep the title)
    title: str
    units: int
    revenue: int


@dataclass
class SalesBoard:
    weeks: list[WeekSales]
    top: list[TopProduct]
    counts: dict[str, int]  # orders per state, all time

    @property
    def new_orders(self) -> int:
        return self.counts.get(ORDER_NEW, 0)

    @property
    def orders_total(self) -> int:
        return sum(w.orders for w in self.weeks)

    @property
    def revenue_total(self) -> int:
        return sum(w.revenue for w in self.weeks)

    @property
    def revenue_max(self) -> int:
        return max((w.revenue for w in self.weeks), default=0)

    @property
    def orders_max(self) -> int:
        return max((w.orders for w in self.weeks), default=0)


def week_starts(weeks: int = CHART_WEEKS, today: date | None = None) -> list[date]:
    """The Mondays of the last `weeks` weeks, oldest first, this week last."""
    this_week = week_start(today or today_in_jakarta())
    return [this_week - timedelta(weeks=weeks - 1 - n) for n in range(weeks)]


def _jakarta_midnight(day: date) -> datetime:
    """Monday 00:00 WIB as a UTC timestamp, comparable with the stored (UTC) created_at."""
    return datetime.combine(day, time(0), tzinfo=JAKARTA).astimezone(timezone.utc)


def _week_index(mondays: list[date]):
    """SQL: the index in `mondays` of the week an order was created in; NULL before the first
    (and after the last week's end)."""
    bounds = [_jakarta_midnight(day) for day in mondays]
    end = _jakarta_midnight(mondays[-1] + timedelta(weeks=1))
    whens = [(Order.created_at >= end, None)]
    whens += [(Order.created_at >= bound, index) for index, bound in reversed(list(enumerate(bounds)))]
    return case(*whens, else_=None)


def weekly_sales(seller: Seller, weeks: int = CHART_WEEKS, today: date | None = None) -> tuple[list[WeekSales], dict[str, int]]:
    """Orders and sales (the value of the goods, shipping not included) per week for the last
    `weeks` weeks, oldest first, weeks without orders as zero; and, from the same grouped
    statement, the seller's orders per state of all time."""
    mondays = week_starts(weeks, today)
    week = _week_index(mondays).label("week")
    rows = db.session.execute(
        select(Order.status, week, func.count(), func.coalesce(func.sum(Order.items_total), 0))
        .where(Order.seller_id == seller.id)
        # By the label: PostgreSQL would not see two renderings of the CASE as one expression.
        .group_by(Order.status, week)
    ).all()
    counts: dict[str, int] = {}
    orders = [0] * weeks
    revenue = [0] * weeks
    for status, index, count, amount in rows:
        counts[status] = counts.get(status, 0) + count
        if index is not None and status in SALES_STATUSES:
            orders[int(index)] += count
            revenue[int(index)] += int(amount)
    return [WeekSales(day, orders[n], revenue[n]) for n, day in enumerate(mondays)], counts


def top_products(seller: Seller, *, since: date, limit: int = TOP_PRODUCTS) -> list[TopProduct]:
    """The products the seller sold most pieces of since `since` (a Jakarta date), with what
    they brought in (the lines' totals), counting only orders that are sales."""
    units = func.sum(OrderItem.quantity).label("units")
    revenue = func.sum(OrderItem.line_total).label("revenue")
    rows = db.session.execute(
        select(OrderItem.product_id, func.max(Product.title), func.max(OrderItem.title), units, revenue)
        .join(Order, Order.id == OrderItem.order_id)
        .outerjoin(Product, Product.id == OrderItem.product_id)
        .where(Order.seller_id == seller.id, Order.status.in_(SALES_STATUSES),
               Order.created_at >= _jakarta_midnight(since))
        .group_by(OrderItem.product_id)
        .order_by(desc(units), desc(revenue), OrderItem.product_id)
        .limit(limit)
    ).all()
    return [TopProduct(product_id=pid, title=current or copied, units=int(n), revenue=int(amount))
            for pid, current, copied, n, amount in rows]


def sales_board(seller: Seller, today: date | None = None) -> SalesBoard:
    """The dashboard's sales section: two statements, one when nothing sold in the 12 weeks
    (the best sellers are counted over the same weeks, so there are none)."""
    weeks, counts = weekly_sales(seller, today=today)
    top = top_products(seller, since=weeks[0].week_start) if any(w.orders for w in weeks) else []
    return SalesBoard(weeks=weeks, top=top, counts=counts)


__all__ = [
    "CHART_WEEKS", "SALES_STATUSES", "TABS", "OrderPage", "SalesBoard", "TopProduct", "WeekSales", "sales_board",
    "seller_orders", "status_counts", "tab_counts", "tab_key", "top_products", "week_starts", "weekly_sales",
]
