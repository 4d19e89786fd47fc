"""services/sales.py: a seller's orders and sales per week (Jakarta weeks), best-selling
products, orders per state and the orders list, from orders made through the cart, checkout and
payment services."""

from datetime import datetime, time, timedelta, timezone

import pytest

from catalog.demo.orders import advance, place
from catalog.extensions import db
from catalog.formatting import JAKARTA
from catalog.services import delivery, payments, sales
from catalog.services.seller_stats import today_in_jakarta, week_start
from tests.factories import gen_address, gen_product, gen_seller, gen_user
from tests.integration.test_seller_orders import quick_password_hashes  # noqa: F401 (an autouse fixture)


class Shop:
    """A seller with three products and a courier fee, a shopper with an address, and an admin
    who confirms transfers."""

    def __init__(self):
        self.seller = gen_seller()
        self.keripik = gen_product(seller=self.seller, title="Keripik Singkong", price=15_000, stock=500)
        self.sambal = gen_product(seller=self.seller, title="Sambal Roa", price=30_000, stock=500)
        self.kopi = gen_product(seller=self.seller, title="Kopi Robusta", price=50_000, stock=500)
        self.shopper = gen_user(name="Putri Anggraini")
        self.address = gen_address(self.shopper)
        self.admin = gen_user(role="admin")
        db.session.commit()
        delivery.add_option(self.seller, delivery.OptionInput(kind="courier", name="JNE Reguler", fee="10.000"))

    def order(self, *lines, state="new", at: datetime | None = None, shopper=None, address=None):
        """An order placed through checkout and moved to `state`; `at` moves its date."""
        shopper = shopper or self.shopper
        group = place(shopper, address or self.address, [(p.variants[0].id, q) for p, q in lines])
        order = group.orders[0]
        if state == "paid":  # the brief's way in: the payment service marks it paid
            payments.mark_paid(group.payment, actor_id=None, source="test")
            db.session.commit()
        else:
            advance(order, state, seller=self.seller, shopper=shopper, admin=self.admin)
        if at is not None:
            group.created_at = order.created_at = at
            db.session.commit()
        return order


@pytest.fixture
def shop(app):
    return Shop()


def jakarta(day, hour=10, minute=0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=JAKARTA).astimezone(timezone.utc)


def this_monday():
    return week_start(today_in_jakarta())


# --- per week ------------------------------------------------------------------------------------

def test_twelve_weeks_oldest_first_with_empty_weeks_as_zero(shop):
    weeks, counts = sales.weekly_sales(shop.seller)
    assert len(weeks) == 12
    assert weeks[-1].week_start == this_monday()
    assert weeks[0].week_start == this_monday() - timedelta(weeks=11)
    assert all(w.week_start.weekday() == 0 and w.week_end - w.week_start == timedelta(days=6) for w in weeks)
    assert [(w.orders, w.revenue) for w in weeks] == [(0, 0)] * 12
    assert counts == {}


def test_orders_and_sales_are_counted_in_the_week_they_were_placed(shop):
    monday = this_monday()
    shop.order((shop.keripik, 2), state="paid", at=jakarta(monday, 9))  # 30.000
    shop.order((shop.sambal, 1), (shop.kopi, 1), state="completed", at=jakarta(monday - timedelta(days=3)))  # 80.000
    shop.order((shop.kopi, 2), state="shipped", at=jakarta(monday - timedelta(weeks=2, days=-1)))  # 100.000
    shop.order((shop.keripik, 1), state="accepted", at=jakarta(monday - timedelta(weeks=11)))  # 15.000, first week

    weeks, _counts = sales.weekly_sales(shop.seller)
    figures = {w.week_start: (w.orders, w.revenue) for w in weeks if w.orders}
    assert figures == {
        monday: (1, 30_000),
        monday - timedelta(weeks=1): (1, 80_000),
        monday - timedelta(weeks=2): (1, 100_000),
        monday - timedelta(weeks=11): (1, 15_000),
    }


def test_weeks_turn_at_monday_midnight_in_jakarta_not_utc(shop):
    monday = this_monday()
    # 00:30 WIB on Monday is still Sunday 17:30 in UTC: it belongs to this week.
    shop.order((shop.keripik, 1), state="paid", at=jakarta(monday, 0, 30))
    # 23:30 WIB on the Sunday before is last week's.
    shop.order((shop.keripik, 2), state="paid", at=jakarta(monday - timedelta(days=1), 23, 30))
    weeks, _counts = sales.weekly_sales(shop.seller)
    assert (weeks[-1].orders, weeks[-1].revenue) == (1, 15_000)
    assert (weeks[-2].orders, weeks[-2].revenue) == (1, 30_000)


def test_only_paid_orders_not_rejected_or_cancelled_count_as_sales(shop):
    counted = ["new", "accepted", "shipped", "delivered", "completed"]
    for state in [*counted, "awaiting_payment", "rejected", "cancelled"]:
        shop.order((shop.sambal, 1), state=state)
    weeks, counts = sales.weekly_sales(shop.seller)
    assert (weeks[-1].orders, weeks[-1].revenue) == (5, 5 * 30_000)
    assert counts == {state: 1 for state in [*counted, "awaiting_payment", "rejected", "cancelled"]}


def test_sales_are_the_goods_without_the_shipping_fee(shop):
    order = shop.order((shop.kopi, 3), state="paid")
    assert (order.items_total, order.shipping_fee) == (150_000, 10_000)
    weeks, _counts = sales.weekly_sales(shop.seller)
    assert weeks[-1].revenue == 150_000


def test_orders_older_than_twelve_weeks_count_only_in_the_states(shop):
    shop.order((shop.kopi, 1), state="completed", at=jakarta(this_monday() - timedelta(weeks=12), 12))
    weeks, counts = sales.weekly_sales(shop.seller)
    assert sum(w.orders for w in weeks) == 0
    assert counts == {"completed": 1}


def test_another_sellers_orders_never_count(shop):
    other = Shop()
    other.order((other.kopi, 5), state="completed")
    shop.order((shop.keripik, 1), state="paid")
    weeks, counts = sales.weekly_sales(shop.seller)
    assert (weeks[-1].orders, weeks[-1].revenue, counts) == (1, 15_000, {"new": 1})


def test_a_checkout_with_two_sellers_counts_each_sellers_own_part(shop):
    other = Shop()
    group = place(shop.shopper, shop.address, [(shop.kopi.variants[0].id, 1), (other.sambal.variants[0].id, 2)])
    payments.mark_paid(group.payment, actor_id=None, source="test")
    db.session.commit()
    mine, _ = sales.weekly_sales(shop.seller)
    theirs, _ = sales.weekly_sales(other.seller)
    assert (mine[-1].orders, mine[-1].revenue) == (1, 50_000)
    assert (theirs[-1].orders, theirs[-1].revenue) == (1, 60_000)


# --- best sellers --------------------------------------------------------------------------------

def test_top_products_by_units_then_revenue(shop):
    since = this_monday() - timedelta(weeks=11)
    shop.order((shop.keripik, 4), (shop.kopi, 1), state="completed")
    shop.order((shop.keripik, 2), (shop.sambal, 1), state="paid")
    shop.order((shop.sambal, 3), state="accepted")
    shop.order((shop.kopi, 9), state="rejected")  # not a sale
    shop.order((shop.kopi, 9), state="awaiting_payment")  # not paid
    top = sales.top_products(shop.seller, since=since)
    assert [(t.title, t.units, t.revenue) for t in top] == [
        ("Keripik Singkong", 6, 90_000),
        ("Sambal Roa", 4, 120_000),
        ("Kopi Robusta", 1, 50_000),
    ]
    assert top[0].product_id == shop.keripik.id


def test_top_products_ties_go_to_the_higher_revenue_and_stop_at_five(shop):
    products = [gen_product(seller=shop.seller, title=f"Produk {n}", price=1_000 * (n + 1), stock=50) for n in range(7)]
    db.session.commit()
    shop.order(*[(p, 2) for p in products], state="paid")
    top = sales.top_products(shop.seller, since=this_monday())
    assert [t.title for t in top] == ["Produk 6", "Produk 5", "Produk 4", "Produk 3", "Produk 2"]


def test_top_products_leave_out_orders_before_the_window(shop):
    shop.order((shop.kopi, 7), state="completed", at=jakarta(this_monday() - timedelta(weeks=12)))
    shop.order((shop.keripik, 1), state="paid")
    assert [t.title for t in sales.top_products(shop.seller, since=this_monday() - timedelta(weeks=11))] == [
        "Keripik Singkong"]


def test_sales_board_for_the_dashboard(shop):
    shop.order((shop.keripik, 1), state="paid")
    shop.order((shop.keripik, 1), state="paid")
    shop.order((shop.kopi, 1), state="shipped")
    board = sales.sales_board(shop.seller)
    assert (board.new_orders, board.orders_total, board.revenue_total, board.revenue_max) == (2, 3, 80_000, 80_000)
    assert [t.title for t in board.top] == ["Keripik Singkong", "Kopi Robusta"]


# --- orders per state and the list -------------------------------------------------------------

def test_tab_counts_group_the_states(shop):
    counts = {"awaiting_payment": 1, "new": 2, "accepted": 3, "shipped": 4, "delivered": 5, "completed": 6,
              "rejected": 7, "cancelled": 8}
    assert sales.tab_counts(counts) == {"semua": 36, "belum-dibayar": 1, "baru": 2, "diproses": 3, "dikirim": 9,
                                        "selesai": 6, "dibatalkan": 15}


def test_orders_list_newest_first_with_units_and_tab_filter(shop):
    old = shop.order((shop.keripik, 2), (shop.kopi, 3), state="completed", at=jakarta(this_monday() - timedelta(days=9)))
    new = shop.order((shop.sambal, 1), state="paid")
    cancelled = shop.order((shop.sambal, 1), state="cancelled")
    other = Shop()
    other.order((other.sambal, 1), state="paid")  # another seller's: never listed
    page = sales.seller_orders(shop.seller)
    assert [o.id for o in page.items] == [cancelled.id, new.id, old.id]
    assert page.units == {cancelled.id: 1, new.id: 1, old.id: 5}
    assert page.tabs["semua"] == 3 and page.tabs["dibatalkan"] == 1
    assert [o.id for o in sales.seller_orders(shop.seller, tab="selesai").items] == [old.id]
    assert sales.seller_orders(shop.seller, tab="dikirim").items == []
    # An unknown tab shows everything rather than failing.
    assert sales.seller_orders(shop.seller, tab="<script>").tab == "semua"


def test_orders_list_pages(shop):
    for _ in range(5):
        shop.order((shop.keripik, 1), state="paid")
    first = sales.seller_orders(shop.seller, page=1, per_page=2)
    last = sales.seller_orders(shop.seller, page=99, per_page=2)
    assert (first.total, first.pages, len(first.items), first.has_next) == (5, 3, 2, True)
    assert (last.page, len(last.items), last.has_next) == (3, 1, False)  # clamped to the last page
    assert {o.id for o in first.items}.isdisjoint(o.id for o in last.items)
