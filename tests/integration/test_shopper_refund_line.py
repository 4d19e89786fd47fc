"""A shopper's refunded order says how much came back, when, and how (card or the Dinas' transfer)."""

from catalog.extensions import db
from catalog.formatting import tanggal
from catalog.models.base import utcnow
from catalog.services import orders, payments
from tests.factories import gen_product, gen_user
from tests.integration.test_shopper_orders import courier_seller, log_in, paid, text_of


def test_a_cancelled_transfer_order_shows_the_refund_with_date_and_method(app, client):
    shopper = gen_user(name="Siti Rahma")
    seller = courier_seller(business_name="Keripik Bu Sari")
    product = gen_product(seller=seller, price=50_000, stock=10)
    db.session.commit()
    group = paid(shopper, (product, 2))
    orders.cancel_by_shopper(group.orders[0], shopper, reason="Salah pilih")

    log_in(client, shopper)
    text = text_of(client.get(f"/pesanan/{group.number}").get_data(as_text=True))
    assert f"Dana dikembalikan Rp 110.000 pada {tanggal(utcnow())} lewat transfer bank dari Dinas." in text


def test_a_card_refund_says_it_went_back_to_the_card(app, client):
    shopper = gen_user()
    seller = courier_seller()
    product = gen_product(seller=seller, price=40_000, stock=10)
    db.session.commit()
    group = paid(shopper, (product, 1))
    group.payment.method = "card"
    payments.record_refund(group.payment, 20_000, actor_id=None, reason="Refund dari dasbor Stripe")
    db.session.commit()

    log_in(client, shopper)
    text = text_of(client.get(f"/pesanan/{group.number}").get_data(as_text=True))
    assert f"Dana dikembalikan Rp 20.000 pada {tanggal(utcnow())} lewat kartu (Stripe)." in text


def test_an_order_without_a_refund_shows_no_refund_line(app, client):
    shopper = gen_user()
    product = gen_product(seller=courier_seller(), price=40_000, stock=10)
    db.session.commit()
    group = paid(shopper, (product, 1))
    log_in(client, shopper)
    assert "Dana dikembalikan" not in text_of(client.get(f"/pesanan/{group.number}").get_data(as_text=True))
