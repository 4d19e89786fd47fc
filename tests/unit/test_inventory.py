"""Stock changes per variant: one conditional UPDATE, never below zero, each one logged and
audited; the product row's stock total follows its active variants."""

import threading

import pytest
from sqlalchemy import select

from catalog.extensions import db
from catalog.models import Product, ProductVariant
from catalog.models.audit import AuditEvent
from catalog.models.products import InventoryLog
from catalog.services import inventory
from catalog.services.audit import verify_chain
from catalog.services.errors import OutOfStock, ValidationFailed
from tests.factories import gen_product, gen_user


@pytest.fixture
def product(app):
    product = gen_product(stock=10)
    db.session.commit()
    return product


@pytest.fixture
def variant(product):
    return product.variants[0]


def logs(product_id):
    return db.session.scalars(select(InventoryLog).where(InventoryLog.product_id == product_id)
                              .order_by(InventoryLog.id)).all()


def test_adjust_adds_and_removes_and_logs_who_why_and_after(product, variant):
    actor = gen_user()
    assert inventory.adjust_stock(variant, 5, actor_id=actor.id, reason="manual", note="barang datang") == 15
    assert inventory.adjust_stock(variant, -3, actor_id=actor.id, reason="manual") == 12
    db.session.commit()
    assert product.stock == 12
    rows = logs(product.id)
    assert [(r.delta, r.stock_after, r.reason, r.actor_id) for r in rows] == [
        (5, 15, "manual", actor.id), (-3, 12, "manual", actor.id)]
    assert rows[0].note == "barang datang" and rows[0].created_at is not None
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "product.stock_changed")
                                .order_by(AuditEvent.id)).all()
    assert [(e.before, e.after["stock"], e.after["delta"]) for e in events] == [
        ({"stock": 10}, 15, 5), ({"stock": 15}, 12, -3)]
    assert verify_chain().ok


def test_going_below_zero_is_refused_and_changes_nothing(product, variant):
    with pytest.raises(ValidationFailed, match="tidak boleh kurang dari nol"):
        inventory.adjust_stock(variant, -11, actor_id=None, reason="manual")
    db.session.rollback()
    assert db.session.get(Product, product.id).stock == 10 and logs(product.id) == []


def test_an_order_asking_for_too_much_is_out_of_stock(variant):
    with pytest.raises(OutOfStock):
        inventory.adjust_stock(variant, -11, actor_id=None, reason="order")


def test_stock_can_reach_exactly_zero(product, variant):
    assert inventory.adjust_stock(variant, -10, actor_id=None, reason="manual") == 0


def test_set_stock_logs_the_difference(product, variant):
    assert inventory.set_stock(variant, 4, actor_id=None, reason="manual") == 4
    assert inventory.set_stock(variant, 4, actor_id=None, reason="manual") == 4  # no change, no row
    db.session.commit()
    assert [(r.delta, r.stock_after) for r in logs(product.id)] == [(-6, 4)]


def test_set_stock_refuses_negative_and_absurd_numbers(product, variant):
    with pytest.raises(ValidationFailed):
        inventory.set_stock(variant, -1, actor_id=None, reason="manual")
    with pytest.raises(ValidationFailed):
        inventory.set_stock(variant, 10**10, actor_id=None, reason="manual")
    assert logs(product.id) == []


def test_unknown_reason_is_a_programming_error(variant):
    with pytest.raises(ValueError):
        inventory.adjust_stock(variant, 1, actor_id=None, reason="lupa")


def test_set_stock_reads_the_stored_stock_not_a_stale_copy(app, product, variant):
    # Someone else's change lands after this session loaded the product.
    with app.app_context():
        other = db.session.get(ProductVariant, variant.id)
        inventory.adjust_stock(other, -4, actor_id=None, reason="order")
        db.session.commit()
    inventory.set_stock(variant, 9, actor_id=None, reason="manual")
    db.session.commit()
    assert [(r.delta, r.stock_after, r.reason) for r in logs(product.id)] == [(-4, 6, "order"), (3, 9, "manual")]


def test_parallel_orders_never_oversell(app, product, variant):
    """Eight buyers each take 3 of 10 at the same moment: exactly three succeed, stock ends at 1."""
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def buy():
        with app.app_context():
            mine = db.session.get(ProductVariant, variant.id)
            barrier.wait()
            try:
                inventory.adjust_stock(mine, -3, actor_id=None, reason="order")
                db.session.commit()
                result = "ok"
            except OutOfStock:
                db.session.rollback()
                result = "habis"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=buy) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["habis"] * 5 + ["ok"] * 3
    db.session.rollback()
    assert db.session.get(Product, product.id).stock == 1
    assert db.session.get(ProductVariant, variant.id).stock == 1
    assert sum(r.delta for r in logs(product.id)) == -9
    assert verify_chain().ok
