"""The agency's lists read through the service, without HTTP: an agency's lists never hold another
agency's requests, Surat Pesanan, invoices or audit events; tabs filter by state and count in one
statement; the PPK's "menunggu persetujuan saya" holds only requests submitted to them in their
agency; unpaid invoices come first by due date (the most overdue lead); a page past the end is the
last one; and each list runs the same number of statements for 2 rows or 8."""

from datetime import date, timedelta

import pytest

from catalog.extensions import db
from catalog.models.procurement import PAY_BANK_TRANSFER
from catalog.services.certificates import jakarta_today
from catalog.services.procurement import agency_lists, cart, requests
from catalog.services.procurement import orders as po_service
from catalog.services.procurement.agency_lists import (
    audit_page,
    invoice_page,
    order_page,
    request_page,
    tasks_for,
)
from tests.factories import gen_officer
from tests.integration.test_procurement_pages import World
from tests.integration.test_seller_orders import quick_password_hashes  # noqa: F401  (autouse fixture)
from tests.querycount import count_queries


@pytest.fixture
def world(app):
    return World()


def draft(world, pp=None, ppk=None, title="Kopi rapat"):
    """A draft request of one coffee pack, made by `pp` for `ppk` (the world's own by default)."""
    pp, ppk = pp or world.pp, ppk or world.ppk
    cart.add(pp, world.kopi.variants[0].id, 1)
    return requests.create_from_cart(pp, title=title, rup_code=None, needed_by=None, delivery_address="Kantor",
                                     delivery_kecamatan_code=None, notes="", ppk_id=ppk.id)


def submitted(world, pp=None, ppk=None):
    pr = draft(world, pp, ppk)
    requests.submit(pr, pp or world.pp, direct=False)
    return pr


def ids(items) -> set[int]:
    return {item.id for item in items}


def test_an_agencys_lists_never_hold_another_agencys_rows(world):
    theirs = (world.other_pp, world.other_ppk)
    our_pr, our_po, our_invoice = world.invoiced()
    their_pr, their_po, their_invoice = world.invoiced(agency_team=theirs)
    their_draft, their_waiting = draft(world, *theirs), submitted(world, *theirs)
    our_draft, our_waiting = draft(world), submitted(world)
    agency_id = world.agency.id

    for duty, user in (("pejabat_pengadaan", world.pp), ("ppk", world.ppk)):
        for tab in agency_lists.request_tabs(duty):
            page = request_page(agency_id, user.id, duty, tab)
            assert all(pr.agency_id == agency_id for pr in page.items), tab
    everything = request_page(agency_id, world.pp.id, "pejabat_pengadaan", "semua")
    assert ids(everything.items) == {our_pr.id, our_draft.id, our_waiting.id}
    assert everything.counts["semua"] == 3

    assert ids(order_page(agency_id).items) == {our_po.id}
    assert ids(invoice_page(agency_id, "semua").items) == {our_invoice.id}
    events = audit_page(agency_id).items
    assert events and all(event.agency_id == agency_id for event in events)
    assert their_po.number not in {(event.after or {}).get("number") for event in events}

    ppk_tasks = tasks_for(agency_id, world.ppk, "ppk")
    assert ids(ppk_tasks.to_approve) == {our_waiting.id}
    assert ids(ppk_tasks.to_rate) == {our_po.id}
    assert ids(tasks_for(agency_id, world.pp, "pejabat_pengadaan").drafts) == {our_draft.id}
    assert ids(tasks_for(agency_id, world.bendahara, "bendahara").to_pay) == {our_invoice.id}
    # …and the other agency sees its own, not ours.
    other = world.other_agency.id
    assert ids(request_page(other, world.other_pp.id, "pejabat_pengadaan", "semua").items) == {
        their_pr.id, their_draft.id, their_waiting.id}
    assert ids(invoice_page(other, "semua").items) == {their_invoice.id}


def test_request_tabs_filter_by_state_and_count_each(world):
    a_draft, waiting, ordered = draft(world), submitted(world), world.ordered()
    rejected = submitted(world)
    requests.reject(rejected, world.ppk, reason="Tidak ada di RUP")
    agency_id, user_id = world.agency.id, world.pp.id

    def tab(name):
        return ids(request_page(agency_id, user_id, "pejabat_pengadaan", name).items)

    assert tab("draf") == {a_draft.id}
    assert tab("menunggu-ppk") == {waiting.id}
    assert tab("berjalan") == {ordered.id}
    assert tab("batal") == {rejected.id}
    assert tab("selesai") == set() and tab("penawaran") == set()
    page = request_page(agency_id, user_id, "pejabat_pengadaan", "draf")
    assert page.tab == "draf"
    assert page.counts == {"semua": 4, "menunggu-saya": 0, "draf": 1, "menunggu-ppk": 1, "penawaran": 0,
                           "berjalan": 1, "selesai": 0, "batal": 1}
    # Anything else is the officer's default tab: everything for a Pejabat Pengadaan.
    for raw in (None, "", "apa", "menunggu-saya"):
        page = request_page(agency_id, user_id, "pejabat_pengadaan", raw)
        assert page.tab == "semua" and page.total == 4


def test_the_ppks_own_tab_holds_only_requests_submitted_to_them_in_their_agency(world):
    mine = submitted(world)
    second_ppk = gen_officer(world.agency, duty="ppk", name="PPK Kedua")
    db.session.commit()
    for_colleague = submitted(world, ppk=second_ppk)
    draft(world)  # a draft naming this PPK is not theirs to approve yet
    world.ordered()  # nor one already ordered
    submitted(world, world.other_pp, world.other_ppk)  # nor another agency's

    page = request_page(world.agency.id, world.ppk.id, "ppk", None)  # a PPK starts on their own tab
    assert page.tab == "menunggu-saya"
    assert ids(page.items) == {mine.id} and page.counts["menunggu-saya"] == 1
    assert all(pr.status == "submitted" and pr.agency_id == world.agency.id for pr in page.items)
    assert page.counts["menunggu-ppk"] == 2  # both submitted requests of the agency
    assert ids(tasks_for(world.agency.id, world.ppk, "ppk").to_approve) == {mine.id}
    assert ids(request_page(world.agency.id, second_ppk.id, "ppk", "menunggu-saya").items) == {for_colleague.id}
    assert agency_lists.request_tabs("ppk")[0] == "menunggu-saya"
    assert "menunggu-saya" not in agency_lists.request_tabs("bendahara")


def test_order_tabs_filter_by_state(world):
    waiting = world.ordered().purchase_orders[0]
    _, received = world.received()
    agency_id = world.agency.id
    assert ids(order_page(agency_id, "menunggu-penjual").items) == {waiting.id}
    assert ids(order_page(agency_id, "ditagih").items) == {received.id}
    assert order_page(agency_id, "lunas").items == []
    page = order_page(agency_id, "entah")
    assert page.tab == "semua" and ids(page.items) == {waiting.id, received.id}
    assert page.counts == {"semua": 2, "menunggu-penjual": 1, "perlu-bast": 0, "ditagih": 1, "lunas": 0, "batal": 0}


def test_unpaid_invoices_come_first_the_most_overdue_leading(world):
    _, _, soon = world.invoiced()
    _, _, late = world.invoiced()
    _, _, later = world.invoiced()
    _, _, paid = world.invoiced()
    today = jakarta_today()
    soon.due_on, late.due_on, later.due_on = today + timedelta(days=5), today - timedelta(days=3), today - timedelta(days=12)
    db.session.commit()
    po_service.record_payment(paid, world.bendahara, method=PAY_BANK_TRANSFER, reference="TRX-9", paid_on=today)
    agency_id = world.agency.id

    unpaid = invoice_page(agency_id, today=today)  # unpaid is the default tab
    assert unpaid.tab == "belum-dibayar"
    assert [i.id for i in unpaid.items] == [later.id, late.id, soon.id]
    assert unpaid.overdue == {later.id: 12, late.id: 3, soon.id: 0}
    everything = invoice_page(agency_id, "semua", today=today)
    assert [i.id for i in everything.items] == [later.id, late.id, soon.id, paid.id]
    assert everything.overdue[paid.id] == 0
    assert [i.id for i in invoice_page(agency_id, "lunas").items] == [paid.id]
    assert everything.counts == {"semua": 4, "belum-dibayar": 3, "lunas": 1}

    tasks = tasks_for(agency_id, world.bendahara, "bendahara")
    assert [i.id for i in tasks.to_pay] == [later.id, late.id, soon.id]
    assert tasks.overdue[later.id] == 12


def test_audit_page_filters_by_kind_and_jakarta_days_and_clamps_the_page(world):
    world.ordered()
    agency_id, today = world.agency.id, jakarta_today()
    orders_only = audit_page(agency_id, "purchase_order")
    assert orders_only.kind == "purchase_order" and orders_only.items
    assert all(event.action.startswith("purchase_order.") for event in orders_only.items)
    everything = audit_page(agency_id, "apa")
    assert everything.kind == "" and everything.total > orders_only.total
    assert audit_page(agency_id, since=today, until=today).total == everything.total
    assert audit_page(agency_id, since=today + timedelta(days=1)).items == []
    assert audit_page(agency_id, until=today - timedelta(days=1)).total == 0
    assert [e.id for e in everything.items] == sorted((e.id for e in everything.items), reverse=True)
    # Days at the ends of the calendar bound nothing (they once overflowed into a 500).
    assert audit_page(agency_id, since=date.min, until=date.max).total == everything.total
    past_the_end = audit_page(agency_id, page=99, per_page=2)
    assert past_the_end.page == past_the_end.pages and past_the_end.items


@pytest.mark.parametrize("read", [
    lambda w: request_page(w.agency.id, w.ppk.id, "ppk", "semua"),
    lambda w: order_page(w.agency.id),
    lambda w: invoice_page(w.agency.id, "semua"),
    lambda w: audit_page(w.agency.id),
    lambda w: tasks_for(w.agency.id, w.ppk, "ppk"),
    lambda w: tasks_for(w.agency.id, w.bendahara, "bendahara"),
])
def test_each_list_runs_the_same_statements_for_2_rows_or_8(app, world, read):
    def statements(n):
        for _ in range(n):
            submitted(world)
            world.invoiced()
        db.session.expire_all()
        for row in (world.agency, world.ppk, world.bendahara):
            db.session.refresh(row)  # reloaded here, not counted below
        with count_queries(app) as counter:
            read(world)
        return counter.count

    assert statements(2) == statements(6)
