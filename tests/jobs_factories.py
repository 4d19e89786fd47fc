"""Builders for the background-job tests: work that every scheduled job finds due, a whole
database snapshot (to show a second run changes nothing) and a task that fails on demand."""

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from catalog.extensions import db
from catalog.jobs.tasks import TASKS, Task
from catalog.models import SellerDocument
from catalog.models.base import utcnow
from catalog.services.certificates import jakarta_today
from tests.factories import gen_agency_team, gen_product, gen_seller, gen_user
from tests.integration.test_admin_overdue_invoices import invoiced
from tests.integration.test_shopper_orders import buy, courier_seller, pay, ship
from tests.rfq_factories import open_rfq

FLAKY = "test.flaky"


@dataclass
class DueWork:
    """One thing due for each scheduled job: an unpaid checkout past its deadline, a shipped
    order past AUTO_COMPLETE_DAYS, an RFQ stalled past its award window, a certificate about to
    expire and one expired, an invoice 10 days overdue with its agency's Bendahara."""

    expired_checkout: object = None
    shipped_order: object = None
    rfq: object = None
    invoice: object = None
    bendahara: object = None
    documents: list = field(default_factory=list)


def due_work(app) -> DueWork:
    work = DueWork()
    product = gen_product(seller=courier_seller(business_name="Keripik Bu Rina"), stock=20)
    db.session.commit()
    work.expired_checkout = buy(gen_user(), (product, 2))
    work.expired_checkout.payment.expires_at = utcnow() - timedelta(minutes=1)
    shipped = buy(gen_user(), (product, 1))
    pay(shipped)
    ship(shipped.orders[0])
    shipped.orders[0].shipped_at = utcnow() - timedelta(days=app.config["AUTO_COMPLETE_DAYS"], hours=1)
    db.session.commit()
    work.shipped_order = shipped.orders[0]

    agency, pp, ppk, work.bendahara = gen_agency_team(name="Dinas Pendidikan Tangsel")
    katering = gen_seller(business_name="Katering Bu Ani")
    nasi = gen_product(seller=katering, title="Nasi Kotak Ayam", price=35_000, stock=1000)
    db.session.commit()
    work.invoice = invoiced(pp, ppk, nasi, 10)
    work.invoice.due_on = jakarta_today() - timedelta(days=10)
    long_ago = utcnow() - timedelta(days=20)
    work.rfq = open_rfq(pp, now=long_ago, deadline=long_ago + timedelta(days=2))

    today = jakarta_today()
    work.documents = [
        SellerDocument(seller=katering, kind="halal", number="HALAL-1", expires_on=today + timedelta(days=10)),
        SellerDocument(seller=katering, kind="pirt", number="PIRT-1", expires_on=today - timedelta(days=1)),
    ]
    db.session.add_all(work.documents)
    db.session.commit()
    return work


def snapshot() -> dict[str, list[str]]:
    """Every row of every table (a job that changes anything changes this)."""
    db.session.expire_all()
    with db.engine.connect() as conn:
        return {table.name: sorted(repr(tuple(row)) for row in conn.execute(sa.select(table)))
                for table in db.metadata.sorted_tables}


class Flaky:
    """A registered task that fails while `failing` is true and counts its calls."""

    def __init__(self, monkeypatch, failing: bool = True):
        self.calls: list[tuple] = []
        self.failing = failing
        monkeypatch.setitem(TASKS, FLAKY, Task(FLAKY, self))

    def __call__(self, *args):
        self.calls.append(args)
        if self.failing:
            raise RuntimeError("gateway timed out")
        return "ok"
