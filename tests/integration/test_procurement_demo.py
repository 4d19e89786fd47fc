"""The demo's year of government buying (catalog/demo/procurement.py, run by `flask seed-demo`):
requests in every state made through the procurement services, spread over the months, the
demo agency's Inpres 2/2022 dashboard showing real figures, an intact audit chain, and the same
totals from the same seed."""

import time

import pytest
from sqlalchemy import func, select

from catalog.demo import accounts
from catalog.demo import procurement as demo_procurement
from catalog.extensions import db
from catalog.models import Agency, AuditEvent, Invoice, PurchaseOrder, PurchaseRequest, User
from catalog.services import compliance
from catalog.services.certificates import jakarta_today

# The module-wide upload folder (photos drawn once) and the app on it, as the seed-demo tests use.
from tests.integration.test_seed_demo import app, demo_uploads, wipe  # noqa: F401

SMALL = ["--sellers", "20", "--products", "200"]


@pytest.fixture
def timed(monkeypatch):
    """How long the procurement history took inside seed-demo, in seconds."""
    spent = []
    original = demo_procurement.seed_history

    def wrapper(**kwargs):
        started = time.perf_counter()
        made = original(**kwargs)
        spent.append(time.perf_counter() - started)
        return made

    monkeypatch.setattr(demo_procurement, "seed_history", wrapper)
    return spent


def seed(runner):
    result = runner.invoke(args=["seed-demo", *SMALL])
    assert result.exit_code == 0, result.output
    return result


def demo_agency() -> Agency:
    return db.session.scalar(select(Agency).where(Agency.code == accounts.DEMO_AGENCY_CODE))


def agency_totals() -> dict[str, tuple]:
    year = jakarta_today().year
    return {r.code: (r.committed, r.realised, r.umkk_committed) for r in compliance.all_agencies(year)}


def test_the_demo_agency_gets_a_year_of_history_in_every_state(runner, timed):
    result = seed(runner)
    assert "Riwayat pengadaan demo:" in result.output
    assert timed and timed[0] < 60, timed  # about 3 s on a quiet machine; generous for shared CI
    agency = demo_agency()
    statuses = set(db.session.scalars(select(PurchaseRequest.status).where(PurchaseRequest.agency_id == agency.id)))
    assert {"draft", "submitted", "ordered", "shipped", "received", "invoiced", "paid", "closed", "rejected",
            "cancelled"} <= statuses
    po_statuses = set(db.session.scalars(select(PurchaseOrder.status).where(PurchaseOrder.agency_id == agency.id)))
    assert {"issued", "declined", "shipped", "received", "invoiced", "paid"} <= po_statuses
    overdue = db.session.scalar(select(func.count(Invoice.id)).where(
        Invoice.agency_id == agency.id, Invoice.status == "issued", Invoice.due_on < jakarta_today()))
    assert overdue >= 1
    # Spread over the months so far, not all made today.
    year = jakarta_today().year
    fig = compliance.figures(agency, year)
    months_with_orders = sum(1 for m in fig.by_month if m.committed)
    assert months_with_orders >= min(jakarta_today().month, 6)
    assert all(po.issued_at.year == year for po in db.session.scalars(select(PurchaseOrder)))
    # Every scale the catalogue has is bought, menengah included (and never counted).
    scales = {s.key for s in fig.by_scale if s.committed}
    assert {"mikro", "menengah"} <= scales
    # The other demo agencies have their own officers and history, for the Dinas's ranking.
    assert all(committed > 0 for committed, _realised, _umkk in agency_totals().values())


def test_the_demo_dashboard_shows_real_figures_and_the_chain_verifies(runner, client, auth):
    seed(runner)
    fig = compliance.figures(demo_agency(), jakarta_today().year)
    assert fig.committed > 0 and fig.realised > 0 and fig.umkk_committed > 0
    assert 0 < fig.share_of_pagu_pct < fig.target_pct and fig.needed > 0  # short of 40 %: something to do
    assert fig.by_category and fig.by_kecamatan and fig.sellers

    response = auth.login(accounts.PP.email, accounts.DEMO_PASSWORD)
    assert response.status_code == 302
    page = client.get("/pengadaan/dasbor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Yang masih dibutuhkan" in html and "Rp 0" not in html.split("Yang masih dibutuhkan")[1][:200]
    assert client.get("/pengadaan/dasbor.xlsx").status_code == 200

    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "invoice.paid")) > 0


def test_seeding_twice_gives_the_same_history(runner):
    seed(runner)
    first = agency_totals()
    titles = db.session.scalars(select(PurchaseRequest.title).order_by(PurchaseRequest.number)).all()
    officers = db.session.scalars(select(User.email).where(User.role == "officer").order_by(User.email)).all()
    wipe()
    seed(runner)
    assert agency_totals() == first
    assert db.session.scalars(select(PurchaseRequest.title).order_by(PurchaseRequest.number)).all() == titles
    assert db.session.scalars(select(User.email).where(User.role == "officer").order_by(User.email)).all() == officers
