"""The seller ledger: completed orders credit the balance less the platform fee in the same
transaction, money on hold is what shoppers paid for orders not yet completed, adjustments need
a reason, a balance never goes negative, and the books reconcile."""

import pytest
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import AuditEvent, LedgerEntry
from catalog.services import audit, ledger, orders
from catalog.services.errors import ValidationFailed
from tests.factories import gen_product, gen_user
from tests.integration.test_shopper_orders import buy, complete, courier_seller, paid, pay, ship


def entries(seller):
    return db.session.execute(select(LedgerEntry.kind, LedgerEntry.amount, LedgerEntry.balance_after)
                              .where(LedgerEntry.seller_id == seller.id).order_by(LedgerEntry.id)).all()


def test_a_completed_order_credits_its_total_once_and_a_mikro_seller_pays_no_fee(app):
    seller = courier_seller(scale="mikro")
    product = gen_product(seller=seller, price=25_000, stock=10)
    db.session.commit()
    group = paid(gen_user(), (product, 2))
    order = group.orders[0]
    assert ledger.on_hold(seller.id) == order.total == 60_000  # 2 × 25.000 + courier 10.000
    assert ledger.balance(seller.id) == 0

    complete(order)
    assert entries(seller) == [("order_completed", 60_000, 60_000)]
    assert ledger.balance(seller.id) == 60_000 and ledger.on_hold(seller.id) == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ledger.order_completed"))
    assert event.after["order_id"] == order.id and event.after["amount"] == 60_000


def test_a_menengah_seller_pays_one_percent_of_the_items_rounded_down_not_of_delivery(app):
    seller = courier_seller(scale="menengah")
    product = gen_product(seller=seller, price=33_333, stock=10)
    db.session.commit()
    order = paid(gen_user(), (product, 3)).orders[0]
    complete(order)
    # items 99.999 → fee 999 (1% rounded down); delivery 10.000 carries no fee.
    assert entries(seller) == [("order_completed", 109_999, 109_999), ("platform_fee", -999, 109_000)]


def test_a_koperasi_pays_the_koperasi_rate_and_the_dinas_can_change_rates(app, admin):
    seller = courier_seller(scale="menengah", is_koperasi=True)
    product = gen_product(seller=seller, price=50_000, stock=10)
    db.session.commit()
    assert ledger.fee_rate_for(seller) == 0
    ledger.set_fee_rate("koperasi", 50, actor_id=admin.id)  # 0,5%
    complete(paid(gen_user(), (product, 2)).orders[0])
    assert entries(seller)[-1] == ("platform_fee", -500, 109_500)
    with pytest.raises(ValidationFailed):
        ledger.set_fee_rate("koperasi", -1, actor_id=admin.id)
    with pytest.raises(ValidationFailed):
        ledger.set_fee_rate("raksasa", 10, actor_id=admin.id)
    assert ledger.fee_rates()["koperasi"] == 50


def test_orders_that_are_not_completed_never_reach_the_ledger(app):
    seller = courier_seller()
    product = gen_product(seller=seller, price=20_000, stock=10)
    db.session.commit()
    unpaid = buy(gen_user(), (product, 1))
    cancelled = paid(gen_user(), (product, 1))
    orders.cancel_by_shopper(cancelled.orders[0], cancelled.user, reason="Salah pilih ukuran barang")
    shipped = paid(gen_user(), (product, 1))
    ship(shipped.orders[0])
    assert entries(seller) == []
    assert ledger.on_hold(seller.id) == shipped.orders[0].total  # unpaid and refunded ones are not held
    assert unpaid.payment.status == "pending"


def test_an_adjustment_needs_a_reason_and_a_balance_never_goes_negative(app, admin):
    seller = courier_seller()
    db.session.commit()
    with pytest.raises(ValidationFailed, match="alasan"):
        ledger.adjust(seller.id, -5_000, "  ", actor_id=admin.id)
    with pytest.raises(ValidationFailed, match="negatif"):
        ledger.adjust(seller.id, -5_000, "Koreksi ongkir ganda", actor_id=admin.id)
    with pytest.raises(ValidationFailed):
        ledger.adjust(seller.id, 0, "Koreksi nol", actor_id=admin.id)
    assert entries(seller) == []
    ledger.adjust(seller.id, 7_500, "Kompensasi keterlambatan verifikasi", actor_id=admin.id)
    ledger.adjust(seller.id, -2_500, "Koreksi kompensasi", actor_id=admin.id)
    assert entries(seller) == [("adjustment", 7_500, 7_500), ("adjustment", -2_500, 5_000)]
    assert db.session.scalar(select(AuditEvent.reason).where(AuditEvent.action == "ledger.adjustment")
                             .order_by(AuditEvent.id.desc()).limit(1)) == "Koreksi kompensasi"
    assert audit.verify_chain().ok


def test_amounts_must_be_integer_rupiah(app):
    seller = courier_seller()
    with pytest.raises(TypeError):
        ledger.append(seller.id, "adjustment", 10.5, actor_id=None)


def test_verify_finds_a_running_balance_that_was_tampered_with(app, admin):
    seller = courier_seller()
    db.session.commit()
    ledger.adjust(seller.id, 10_000, "Saldo awal uji", actor_id=admin.id)
    ledger.adjust(seller.id, 5_000, "Tambahan uji", actor_id=admin.id)
    assert ledger.verify() == []
    last = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id.desc())).first()
    last.balance_after = 99_000
    db.session.commit()
    problems = ledger.verify()
    assert [(p.seller_id, p.entry_id) for p in problems] == [(seller.id, last.id)]


def test_the_books_reconcile_across_held_completed_cancelled_and_adjusted_money(app, admin):
    a = courier_seller(scale="menengah")
    b = courier_seller(scale="mikro")
    pa = gen_product(seller=a, price=40_000, stock=20)
    pb = gen_product(seller=b, price=15_000, stock=20)
    db.session.commit()
    both = paid(gen_user(), (pa, 2), (pb, 1))  # one checkout, two sellers
    complete(both.orders[0])
    orders.cancel_by_shopper(both.orders[1], both.user, reason="Tidak jadi membeli barang ini")
    held = buy(gen_user(), (pb, 3))
    pay(held)
    buy(gen_user(), (pa, 1))  # never paid
    ledger.adjust(b.id, 1_000, "Kompensasi ongkir", actor_id=admin.id)

    books = ledger.reconcile()
    assert books.received == both.payment.amount + held.payment.amount
    assert books.on_hold == held.orders[0].total
    assert books.refunded == both.orders[1].total
    assert books.fees == 800  # 1% of 80.000
    assert books.balances == both.orders[0].total - 800 + 1_000
    assert books.difference == 0


def test_flask_ledger_verify_passes_on_good_books_and_fails_on_a_tampered_balance(app, runner, admin):
    seller = courier_seller()
    product = gen_product(seller=seller, price=30_000, stock=5)
    db.session.commit()
    complete(paid(gen_user(), (product, 1)).orders[0])
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    assert "selisih 0" in result.output and "OK" in result.output

    ledger.adjust(seller.id, 1_000, "Kompensasi uji", actor_id=admin.id)
    entry = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id.desc())).first()
    entry.balance_after += 1
    db.session.commit()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1 and f"entri {entry.id}" in result.output
