"""The cron commands: `flask orders expire` cancels unpaid checkouts past their deadline (stock
back, once), `flask orders complete` completes shipped orders nobody confirmed in time."""

from datetime import timedelta

import pytest

from catalog.extensions import db
from catalog.models.base import utcnow
from tests.factories import gen_product, gen_user
from tests.integration.test_shopper_orders import buy, courier_seller, paid, pay, ship, stock_of


@pytest.fixture
def product(app):
    product = gen_product(seller=courier_seller(), stock=10)
    db.session.commit()
    return product


def test_expire_cancels_checkouts_past_their_deadline_and_returns_their_stock(runner, product):
    due = [buy(gen_user(), (product, 2)), buy(gen_user(), (product, 3))]
    fresh = buy(gen_user(), (product, 1))
    for group in due:
        group.payment.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert stock_of(product) == 4

    result = runner.invoke(args=["orders", "expire"])
    assert result.exit_code == 0, result.output
    assert "2 checkout dibatalkan" in result.output
    db.session.expire_all()
    assert [g.payment.status for g in due] == ["expired", "expired"]
    assert fresh.payment.status == "pending" and fresh.orders[0].status == "awaiting_payment"
    assert stock_of(product) == 9

    again = runner.invoke(args=["orders", "expire"])
    assert again.exit_code == 0 and "0 checkout dibatalkan" in again.output
    assert stock_of(product) == 9


def test_expire_leaves_paid_checkouts_alone(runner, product):
    group = paid(gen_user(), (product, 1))
    group.payment.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    result = runner.invoke(args=["orders", "expire"])
    assert "0 checkout dibatalkan" in result.output
    db.session.expire_all()
    assert group.payment.status == "paid" and group.orders[0].status == "new"


def test_complete_finishes_orders_shipped_longer_ago_than_the_setting(app, runner, product):
    days = app.config["AUTO_COMPLETE_DAYS"]
    old, recent, unshipped = (buy(gen_user(), (product, 1)) for _ in range(3))
    for group in (old, recent, unshipped):
        pay(group)
    ship(old.orders[0])
    ship(recent.orders[0])
    old.orders[0].shipped_at = utcnow() - timedelta(days=days, hours=1)
    recent.orders[0].shipped_at = utcnow() - timedelta(days=days - 1)
    db.session.commit()

    result = runner.invoke(args=["orders", "complete"])
    assert result.exit_code == 0, result.output
    assert f"({days} hari setelah dikirim): 1." in result.output
    db.session.expire_all()
    assert old.orders[0].status == "completed" and old.orders[0].completed_at is not None
    assert recent.orders[0].status == "shipped" and unshipped.orders[0].status == "new"
    assert runner.invoke(args=["orders", "complete"]).output.strip().endswith(": 0.")


def test_the_orders_group_explains_itself(runner):
    result = runner.invoke(args=["orders", "--help"])
    assert result.exit_code == 0
    assert "expire" in result.output and "complete" in result.output
