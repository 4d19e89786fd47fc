"""services/timeline.py: each order's steps as sentences, in the order they happened, from one
query over the audit trail; payment steps shared by the checkout's orders, a refund kept with
the order it belongs to; and the tab counts of "Pesanan Saya"."""

from datetime import timedelta

import pytest

from catalog.extensions import db
from catalog.models.base import utcnow
from catalog.services import orders, payments, timeline
from tests.factories import gen_product, gen_seller, gen_user
from tests.integration.test_shopper_orders import buy, courier_seller, paid, pay, png_bytes, ship
from tests.querycount import count_queries


def texts(group, order):
    return [step.text for step in timeline.timelines(group).of(order)]


@pytest.fixture
def two_sellers(app):
    shopper = gen_user()
    snacks = gen_product(seller=courier_seller(business_name="Keripik Pamulang"), price=20_000, stock=10)
    batik = gen_product(seller=gen_seller(business_name="Batik Serpong"), price=100_000, stock=10)
    db.session.commit()
    return shopper, snacks, batik


def test_a_courier_order_tells_every_step_in_order(two_sellers):
    shopper, snacks, _batik = two_sellers
    group = buy(shopper, (snacks, 1))
    payments.upload_proof(group.payment, shopper, png_bytes())
    pay(group)
    order = group.orders[0]
    ship(order, tracking="JNE77")
    orders.mark_delivered(order, order.seller, actor_id=order.seller.user_id)
    orders.confirm_receipt(order, shopper)
    assert texts(group, order) == ["Pesanan dibuat", "Bukti transfer diunggah", "Pembayaran diterima",
                                   "Diterima penjual", "Dikirim dengan JNE, resi JNE77", "Sampai di tujuan", "Selesai"]
    steps = timeline.timelines(group).of(order)
    assert [s.at for s in steps] == sorted(s.at for s in steps)


def test_a_pickup_order_is_ready_to_collect_and_completes_by_itself(two_sellers):
    shopper, _snacks, batik = two_sellers
    group = paid(shopper, (batik, 1))
    order = group.orders[0]
    orders.accept(order, order.seller, actor_id=order.seller.user_id)
    orders.ship(order, order.seller, actor_id=order.seller.user_id, courier=None, tracking_number=None)
    orders.complete_due(utcnow() + timedelta(days=30))
    assert texts(group, order)[-2:] == ["Siap diambil di toko", "Selesai otomatis"]


def test_a_refund_stays_with_the_cancelled_order_and_payment_steps_are_shared(two_sellers):
    shopper, snacks, batik = two_sellers
    group = paid(shopper, (snacks, 2), (batik, 1))
    snack_order, batik_order = group.orders
    orders.reject(batik_order, batik_order.seller, actor_id=batik_order.seller.user_id, reason="Stok kain habis")
    cancelled = timeline.timelines(group).of(batik_order)
    assert [s.text for s in cancelled] == ["Pesanan dibuat", "Pembayaran diterima", "Ditolak penjual: Stok kain habis",
                                           "Dana dikembalikan"]
    assert cancelled[-1].amount == 100_000
    assert texts(group, snack_order) == ["Pesanan dibuat", "Pembayaran diterima"]


def test_a_cancel_says_who_and_why(two_sellers):
    shopper, snacks, batik = two_sellers
    group = paid(shopper, (snacks, 1), (batik, 1))
    snack_order, batik_order = group.orders
    orders.cancel_by_shopper(snack_order, shopper)
    orders.accept(batik_order, batik_order.seller, actor_id=batik_order.seller.user_id)
    orders.cancel_by_seller(batik_order, batik_order.seller, actor_id=batik_order.seller.user_id, reason="Mesin jahit rusak")
    assert "Dibatalkan oleh Anda" in texts(group, snack_order)
    assert "Dibatalkan: Mesin jahit rusak" in texts(group, batik_order)


def test_an_expired_checkout_says_why_it_was_cancelled(two_sellers):
    shopper, snacks, _batik = two_sellers
    group = buy(shopper, (snacks, 1))
    assert payments.expire_due(utcnow() + timedelta(days=2)) == 1
    assert texts(group, group.orders[0]) == ["Pesanan dibuat", "Dibatalkan: Batas waktu pembayaran terlewati."]


def test_the_whole_checkouts_timeline_is_one_query(app, two_sellers):
    shopper, snacks, batik = two_sellers
    group = paid(shopper, (snacks, 1), (batik, 1))
    group = timeline.shopper_group(shopper.id, group.number)
    with count_queries(app) as counted:
        result = timeline.timelines(group)
    assert counted.count == 1, counted
    assert all(result.of(order) for order in group.orders)


def test_a_seller_reason_is_plain_text_not_markup(two_sellers):
    shopper, _snacks, batik = two_sellers
    group = paid(shopper, (batik, 1))
    order = group.orders[0]
    orders.reject(order, order.seller, actor_id=order.seller.user_id, reason="<b>habis</b>")
    text = texts(group, order)[-2]
    assert type(text) is str and text == "Ditolak penjual: <b>habis</b>"


def test_tab_counts_count_checkouts_once_per_tab(two_sellers):
    shopper, snacks, batik = two_sellers
    group = paid(shopper, (snacks, 1), (batik, 1))
    orders.accept(group.orders[0], group.orders[0].seller, actor_id=None)  # one "new", one "accepted": same tab
    buy(shopper, (snacks, 1))
    counts = timeline.tab_counts(shopper.id)
    assert counts == {"semua": 2, "belum-dibayar": 1, "diproses": 1, "dikirim": 0, "selesai": 0, "dibatalkan": 0}
    assert timeline.tab_counts(gen_user().id)["semua"] == 0
