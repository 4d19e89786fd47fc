"""Saldo & Pembayaran: the figures against hand-built orders, the movements, when each order's money
is available and which payout took it (first in, first out), government invoices (never in the
balance, but counted in the seller's statistics), and that a seller only ever sees its own money."""

from datetime import timedelta

import pytest

from catalog.extensions import db
from catalog.formatting import tanggal
from catalog.models import PayoutBatch, PayoutLine
from catalog.models.base import utcnow
from catalog.services import ledger, seller_money, seller_stats
from catalog.services.procurement import orders as gov_orders
from tests.factories import gen_agency_team, gen_officer, gen_product, gen_user
from tests.integration.test_admin_overdue_invoices import invoiced
from tests.integration.test_shopper_orders import complete, courier_seller, log_in, paid, ship, text_of
from tests.querycount import count_queries


@pytest.fixture
def shop(app):
    """A shopper and a courier seller (mikro: no fee) with one product at Rp 50.000 (+Rp 10.000
    delivery per order)."""
    shopper = gen_user(name="Siti Rahma")
    seller = courier_seller(business_name="Keripik Bu Sari", owner_name="Sari Wulandari")
    product = gen_product(seller=seller, title="Keripik Balado", price=50_000, stock=100)
    db.session.commit()
    return shopper, seller, product


def order_of(group):
    return group.orders[0]


def payout(seller, amount, number, *, status="pending", admin=None):
    """A payout line in a new batch, debited from the balance as services/payouts.py does it."""
    admin = admin or gen_user(role="admin")
    batch = PayoutBatch(number=number, status="exported", total=amount, created_by_id=admin.id)
    line = PayoutLine(batch=batch, seller_id=seller.id, amount=amount, bank_name="BRI",
                      bank_account_number="0123456789", bank_account_name="Sari Wulandari", status=status,
                      decided_at=utcnow() if status != "pending" else None,
                      bank_reference="TRX-1" if status == "paid" else None)
    db.session.add_all([batch, line])
    db.session.flush()
    ledger.lock_seller(seller.id)
    ledger.append(seller.id, "payout", -amount, actor_id=admin.id, payout_line_id=line.id)
    db.session.commit()
    return line


# --- the figures -------------------------------------------------------------------------------------


def test_figures_match_completed_and_open_orders(app, client, shop):
    shopper, seller, product = shop
    done = order_of(paid(shopper, (product, 2)))  # 100.000 + 10.000
    complete(done)
    shipped = order_of(paid(shopper, (product, 1)))  # 60.000, on hold
    ship(shipped)
    waiting = order_of(paid(shopper, (product, 3)))  # 160.000, on hold
    db.session.commit()

    summary = seller_money.summary(seller)
    assert (summary.available, summary.on_hold, summary.paid_out_this_month) == (110_000, 220_000, 0)
    assert summary.fee_basis_points == 0

    log_in(client, seller.user)
    text = text_of(client.get("/penjual/saldo").get_data(as_text=True))
    assert "Saldo tersedia Rp 110.000" in text and "Ditahan Rp 220.000" in text and "Dicairkan bulan ini Rp 0" in text
    assert "Tanpa biaya layanan (0%)" in text
    assert f"Pesanan selesai {done.number}" in text and "+Rp 110.000" in text
    assert waiting.number not in text  # not in the ledger until completed


def test_a_medium_business_sees_its_fee_rate_and_the_fee_movement(app, client, shop):
    shopper, _seller, _product = shop
    seller = courier_seller(business_name="Batik Serpong", scale="menengah")
    kain = gen_product(seller=seller, title="Kain Batik", price=200_000, stock=10)
    db.session.commit()
    order = order_of(paid(shopper, (kain, 1)))
    complete(order)

    log_in(client, seller.user)
    text = text_of(client.get("/penjual/saldo").get_data(as_text=True))
    assert "Biaya layanan untuk usaha Anda: 1,0%" in text
    assert "Biaya layanan" in text and "−Rp 2.000" in text and "Saldo Rp 208.000" in text
    assert seller_money.summary(seller).available == 208_000


def test_paid_out_this_month_is_payouts_less_those_returned(app, shop):
    shopper, seller, product = shop
    complete(order_of(paid(shopper, (product, 4))))  # 210.000
    payout(seller, 100_000, "PB-2026-0001")
    failed = payout(seller, 50_000, "PB-2026-0002", status="failed")
    ledger.lock_seller(seller.id)
    ledger.append(seller.id, "payout_reversal", 50_000, actor_id=None, payout_line_id=failed.id)
    db.session.commit()

    summary = seller_money.summary(seller)
    assert (summary.available, summary.paid_out_this_month) == (110_000, 100_000)
    last_month = seller_money.summary(seller, today=(utcnow() - timedelta(days=40)).date())
    assert last_month.paid_out_this_month == 0


# --- first in, first out ----------------------------------------------------------------------------


def test_each_completed_order_is_attributed_to_the_payout_that_covered_it(app, client, shop):
    shopper, seller, product = shop
    first, second, third = (order_of(paid(shopper, (product, n))) for n in (1, 2, 3))
    for order in (first, second, third):
        complete(order)  # credits 60.000, 110.000, 160.000 in this order
    one = payout(seller, 100_000, "PB-2026-0001", status="paid")  # covers the first only
    reversed_line = payout(seller, 70_000, "PB-2026-0002", status="failed")
    ledger.lock_seller(seller.id)
    ledger.append(seller.id, "payout_reversal", 70_000, actor_id=None, payout_line_id=reversed_line.id)
    db.session.commit()
    payout(seller, 70_000, "PB-2026-0003")  # 170.000 in all: covers the second (170.000), not the third

    taken, net = seller_money.payout_attribution(seller.id)
    assert net == {first.id: 60_000, second.id: 110_000, third.id: 160_000}
    assert taken[first.id].batch_number == "PB-2026-0001" and taken[first.id].is_paid
    assert taken[second.id].batch_number == "PB-2026-0003" and not taken[second.id].is_paid
    assert third.id not in taken
    assert one.id  # the paid line stays attributed

    log_in(client, seller.user)
    text = text_of(client.get("/penjual/saldo/pesanan").get_data(as_text=True))
    assert f"Dicairkan dalam PB-2026-0001 pada {tanggal(utcnow())}" in text
    assert "Masuk pencairan PB-2026-0003, sedang diproses bank" in text
    assert "Masih di saldo" in text
    movements = text_of(client.get("/penjual/saldo").get_data(as_text=True))
    assert "Pencairan PB-2026-0003" in movements and "Pencairan gagal dikembalikan" in movements


def test_open_orders_say_when_their_money_becomes_available(app, client, shop):
    shopper, seller, product = shop
    shipped = order_of(paid(shopper, (product, 1)))
    ship(shipped)
    waiting = order_of(paid(shopper, (product, 1)))
    db.session.commit()
    latest = shipped.shipped_at + timedelta(days=app.config["AUTO_COMPLETE_DAYS"])

    log_in(client, seller.user)
    text = text_of(client.get("/penjual/saldo/pesanan").get_data(as_text=True))
    assert f"Masuk saldo setelah pembeli mengonfirmasi, paling lambat {tanggal(latest)}" in text
    assert "Masuk saldo setelah pesanan dikirim dan diterima pembeli" in text
    detail = text_of(client.get(f"/penjual/saldo/pesanan/{waiting.number}").get_data(as_text=True))
    assert waiting.number in detail and "Perkiraan bersih Rp 60.000" in detail


# --- only one's own money ------------------------------------------------------------------------------


def test_a_seller_never_sees_another_sellers_money(app, client, shop):
    shopper, seller, product = shop
    order = order_of(paid(shopper, (product, 2)))
    complete(order)
    other = courier_seller(business_name="Batik Serpong")
    db.session.commit()

    log_in(client, other.user)
    for path in ("/penjual/saldo", "/penjual/saldo/pesanan", "/penjual/saldo/tagihan"):
        text = text_of(client.get(path).get_data(as_text=True))
        assert order.number not in text and "Rp 110.000" not in text
    assert client.get(f"/penjual/saldo/pesanan/{order.number}").status_code == 404
    assert client.get(f"/penjual/saldo?penjual={seller.id}&seller_id={seller.id}").status_code == 200
    assert "Saldo tersedia Rp 0" in text_of(client.get(f"/penjual/saldo?seller_id={seller.id}").get_data(as_text=True))


@pytest.mark.parametrize("role", ["shopper", "officer", "admin"])
@pytest.mark.parametrize("path", ["/penjual/saldo", "/penjual/saldo/pesanan", "/penjual/saldo/tagihan",
                                  "/penjual/saldo/rekening"])
def test_other_roles_are_refused(app, client, role, path):
    user = gen_officer() if role == "officer" else gen_user(role=role)
    db.session.commit()
    log_in(client, user)
    assert client.get(path).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/penjual/saldo")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_movements_page_has_a_fixed_number_of_queries(app, client, shop):
    shopper, seller, product = shop
    for _ in range(4):
        complete(order_of(paid(shopper, (product, 1))))
    log_in(client, seller.user)
    client.get("/penjual/saldo")
    with count_queries(app) as few:
        client.get("/penjual/saldo")
    for _ in range(6):
        complete(order_of(paid(shopper, (product, 1))))
    payout(seller, 100_000, "PB-2026-0009")
    with count_queries(app) as more:
        client.get("/penjual/saldo")
        client.get("/penjual/saldo/pesanan")
    with count_queries(app) as orders_page:
        client.get("/penjual/saldo/pesanan")
    assert more.count - orders_page.count == few.count, (few, more)


# --- government invoices ---------------------------------------------------------------------------------


@pytest.fixture
def gov(app, shop):
    _shopper, seller, _product = shop
    agency, pp, ppk, bendahara = gen_agency_team(name="Dinas Pendidikan Tangsel")
    nasi = gen_product(seller=seller, title="Nasi Kotak", price=30_000, stock=1000)
    db.session.commit()
    return seller, pp, ppk, bendahara, nasi


def test_invoices_show_paid_with_reference_late_and_due_and_stay_out_of_the_balance(app, client, gov):
    seller, pp, ppk, bendahara, nasi = gov
    settled = invoiced(pp, ppk, nasi, 50)
    late = invoiced(pp, ppk, nasi, 20)
    due = invoiced(pp, ppk, nasi, 10)
    late.due_on -= timedelta(days=40)
    settled.due_on -= timedelta(days=60)
    db.session.commit()
    days_late = (seller_stats.today_in_jakarta() - late.due_on).days
    gov_orders.record_payment(settled, bendahara, method="transfer", reference="SP2D-0042", paid_on=None)

    log_in(client, seller.user)
    text = text_of(client.get("/penjual/saldo/tagihan").get_data(as_text=True))
    assert f"Dibayar {tanggal(settled.paid_on)}" in text and "Ref. Bendahara SP2D-0042" in text
    assert f"Terlambat {days_late} hari" in text
    assert f"Jatuh tempo {tanggal(due.due_on)}" in text
    assert "tidak masuk saldo" in text and "1 terlambat" in text
    assert text.index(late.number) < text.index(due.number) < text.index(settled.number)
    assert seller_money.summary(seller).available == 0  # the Bendahara paid the seller directly


def test_paid_government_invoices_count_in_the_sellers_statistics(app, client, gov):
    seller, pp, ppk, bendahara, nasi = gov
    settled = invoiced(pp, ppk, nasi, 50)  # Rp 1.500.000
    invoiced(pp, ppk, nasi, 10)
    gov_orders.record_payment(settled, bendahara, method="transfer", reference="SP2D-7", paid_on=None)
    today = seller_stats.today_in_jakarta()

    sales = seller_stats.government_sales(seller, since=today - timedelta(days=7))
    assert (sales.paid_count, sales.paid_total, sales.paid_count_all, sales.unpaid_count) == (1, settled.total, 1, 1)
    assert sales.received == settled.payment.amount
    assert seller_stats.government_sales(seller, since=today + timedelta(days=1)).paid_count == 0
    assert seller_stats.dashboard(seller).government.paid_total == settled.total

    log_in(client, seller.user)
    text = text_of(client.get("/penjual").get_data(as_text=True))
    assert "Saldo & Pembayaran" in text and "Rp 1.500.000" in text
    assert "1 tagihan dibayar Bendahara langsung ke rekening Anda" in text
