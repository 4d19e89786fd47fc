"""The console home (/admin): one card per queue with how many wait and since when, each linking to
its queue, in a bounded number of statements; admins only."""

import re
from datetime import timedelta

import pytest

from catalog.extensions import db
from catalog.models.base import utcnow
from catalog.models.moderation import REPORT_DISMISSED
from catalog.services import admin_queues, officer_onboarding
from catalog.services.certificates import jakarta_today
from tests.console_factories import MINIMAL_PDF, VALID_NIP, gen_report, log_in, text_of
from tests.factories import gen_agency, gen_agency_team, gen_officer, gen_product, gen_seller, gen_user
from tests.integration.test_admin_overdue_invoices import invoiced
from tests.integration.test_shopper_orders import buy
from tests.querycount import count_queries


@pytest.fixture
def queues(app):
    now = utcnow()
    gen_seller(status="pending", submitted_at=now - timedelta(days=5))
    gen_seller(status="pending", submitted_at=now - timedelta(days=1))
    gen_seller(status="pending", submitted_at=None)  # still filling in the wizard: not the Dinas' business yet
    gen_seller(status="rejected", submitted_at=now - timedelta(days=9))
    agency = gen_agency()
    gen_officer(agency)  # confirmed: not waiting
    applicant = gen_user()
    keripik = gen_product(price=25_000, stock=50)
    sambal = gen_product(price=30_000, stock=50)
    shopper, neighbour = gen_user(), gen_user()
    db.session.commit()
    officer_onboarding.apply(applicant, agency.id, "ppk", VALID_NIP, MINIMAL_PDF)
    gen_report(keripik, shopper, created_at=now - timedelta(days=4))
    gen_report(keripik, neighbour)
    gen_report(sambal, shopper, status=REPORT_DISMISSED)  # decided: not waiting
    db.session.commit()
    buy(shopper, (keripik, 1))
    buy(neighbour, (sambal, 1))
    _agency, pp, ppk, _bendahara = gen_agency_team()
    nasi = gen_product(price=35_000, stock=500)
    db.session.commit()
    late = invoiced(pp, ppk, nasi, 10)
    invoiced(pp, ppk, nasi, 5)  # not yet due
    late.due_on = jakarta_today() - timedelta(days=12)
    db.session.commit()


def test_the_cards_count_what_waits_and_since_when(queues):
    cards = admin_queues.queue_cards(jakarta_today())
    assert {key: card.count for key, card in cards.items()} == {
        "sellers": 2, "officers": 1, "reports": 1, "transfers": 2, "invoices": 1, "jobs": 0}
    assert cards["sellers"].waiting_days == 5
    assert cards["officers"].waiting_days == 0
    assert cards["reports"].waiting_days == 4
    assert cards["invoices"].waiting_days == 12


def test_an_empty_console_says_nothing_waits(app, client):
    admin = gen_user(role="admin")
    db.session.commit()
    cards = admin_queues.queue_cards(jakarta_today())
    assert all(card.count == 0 and card.waiting_days is None for card in cards.values())
    page = text_of(log_in(client, admin).get("/admin"))
    assert page.count("tidak ada yang menunggu") == 6


def test_the_home_page_shows_each_card_linking_to_its_queue_in_bounded_queries(app, client, queues):
    admin = gen_user(role="admin")
    db.session.commit()
    log_in(client, admin)
    with count_queries(app) as queries:
        response = client.get("/admin")
    assert response.status_code == 200
    assert queries.count <= 6, queries  # the user, the cards' one statement, the header's counts
    html = response.get_data(as_text=True)
    links = dict(re.findall(r'href="([^"]+)" data-queue="(\w+)"', html))
    assert {queue: href for href, queue in links.items()} == {
        "sellers": "/admin/penjual", "officers": "/admin/petugas", "reports": "/admin/laporan",
        "transfers": "/admin/pembayaran", "invoices": "/admin/tagihan-terlambat", "jobs": "/admin/tugas"}
    page = text_of(response)
    assert "terlama menunggu 5 hari" in page and "terlama lewat 12 hari" in page
    for href in links:
        assert client.get(href).status_code == 200


@pytest.mark.parametrize("role", ["shopper", "seller", "officer"])
def test_non_admins_get_403(client, app, role):
    user = {"shopper": lambda: gen_user(), "seller": lambda: gen_seller().user, "officer": lambda: gen_officer()}[role]()
    db.session.commit()
    assert log_in(client, user).get("/admin").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/admin")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_the_demo_fills_the_officer_and_report_queues(app):
    from catalog.demo import accounts
    from catalog.demo.console import seed_console_queues

    gen_agency(code="DISDIK-KABTGR")
    gen_agency(code="TIRTABENTENG")
    gen_user(email=accounts.ADMIN.email, role="admin")
    gen_user(email=accounts.SHOPPER.email)
    gen_product()
    gen_product()
    db.session.commit()
    assert seed_console_queues() == {"pending": 2, "rejected": 1, "reports": 3}
    cards = admin_queues.queue_cards(jakarta_today())
    assert cards["officers"].count == 2 and cards["reports"].count == 2
    kinds = sorted(row.membership.letter_kind for row in officer_onboarding.officer_queue().rows)
    assert kinds == ["jpg", "pdf"]
