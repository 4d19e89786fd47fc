"""Requests for quotation through the services, without HTTP: who may quote (eligibility), the
quotation rules, the comparison grid, counter-offers, the award that hands the request on to the
PPK like a catalogue request, and expiry after 3 working days. Every refusal names the problem,
changes nothing and leaves the audit trail untouched."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import (
    AuditEvent,
    CounterOffer,
    Notification,
    PurchaseRequest,
    PurchaseRequestLine,
    Quotation,
    QuotationLine,
    Rfq,
)
from catalog.services.audit import verify_chain
from catalog.services.errors import DomainError, NotFound, PermissionDenied
from catalog.services.procurement import requests
from catalog.services.procurement import rfq as rfqs
from tests.factories import KOTA_TANGSEL, gen_agency_team, gen_officer
from tests.querycount import count_queries
from tests.rfq_factories import FRIDAY_3PM, LINES, MONDAY, Market, open_rfq, quote

AFTER_DEADLINE = MONDAY + timedelta(days=2, hours=1)  # Wednesday 10.00 WIB


@pytest.fixture
def team(app):
    agency, pp, ppk, bendahara = gen_agency_team(code="DISKOMINFO-TGSL", name="Dinas Kominfo Tangsel")
    db.session.commit()
    return agency, pp, ppk, bendahara


@pytest.fixture
def market(app):
    return Market()


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def refused(call, match: str, error=DomainError):
    """Run `call`; it must raise `error` with `match` and change nothing (no audit event)."""
    before = audit_count(), count(Quotation), count(QuotationLine), count(CounterOffer), count(PurchaseRequestLine)
    with pytest.raises(error, match=match):
        call()
    db.session.rollback()
    after = audit_count(), count(Quotation), count(QuotationLine), count(CounterOffer), count(PurchaseRequestLine)
    assert after == before


def names(sellers) -> set[str]:
    return {s.business_name for s in sellers}


# --- eligibility ------------------------------------------------------------------------------

def test_eligibility_follows_category_with_children_kota_and_umkk(team, market):
    _, pp, _, _ = team
    everyone = open_rfq(pp, umkk_only=False)
    assert names(rfqs.eligible_sellers(everyone)) == {
        "Dapur Bu Sari", "Katering Serpong", "Koperasi Warga Pamulang", "Boga Besar", "Nasi Uduk Balaraja",
        "Anyaman Pamulang", "Katering Tutup"}  # every verified seller; never the pending one

    umkk = open_rfq(pp, umkk_only=True)
    assert "Boga Besar" not in names(rfqs.eligible_sellers(umkk))  # menengah does not count
    assert "Koperasi Warga Pamulang" in names(rfqs.eligible_sellers(umkk))  # a koperasi does

    # The top category reaches sellers with an active product in its child category.
    food = open_rfq(pp, category=market.makanan, umkk_only=False)
    assert names(rfqs.eligible_sellers(food)) == {
        "Dapur Bu Sari", "Katering Serpong", "Koperasi Warga Pamulang", "Boga Besar", "Nasi Uduk Balaraja"}

    narrow = open_rfq(pp, category=market.katering, kota=KOTA_TANGSEL, umkk_only=True)
    assert names(rfqs.eligible_sellers(narrow)) == {"Dapur Bu Sari", "Katering Serpong", "Koperasi Warga Pamulang"}
    assert rfqs.eligible_count(narrow) == 3
    assert rfqs.is_eligible(narrow, market.mikro) and not rfqs.is_eligible(narrow, market.kabupaten)
    assert not rfqs.is_eligible(narrow, market.archived_only) and not rfqs.is_eligible(narrow, market.pending)


def test_eligible_sellers_is_one_query(app, team, market):
    _, pp, _, _ = team
    rfq = open_rfq(pp, category=market.makanan, kota=KOTA_TANGSEL)
    assert rfq.category_id  # loaded again after the commit, before counting
    with count_queries(app) as queries:
        sellers = rfqs.eligible_sellers(rfq)
        _users = [s.user.email for s in sellers]
    assert queries.count == 1, queries


def test_a_sellers_list_matches_eligibility_and_includes_what_it_quoted(team, market):
    _, pp, _, _ = team
    food = open_rfq(pp, category=market.makanan, umkk_only=True, title="Makanan")
    crafts = open_rfq(pp, category=market.kerajinan, title="Kerajinan")
    tangsel = open_rfq(pp, kota=KOTA_TANGSEL, umkk_only=False, title="Tangsel")
    all_rfqs = [food, crafts, tangsel]
    for seller in (market.mikro, market.kecil, market.koperasi, market.menengah, market.kabupaten, market.crafts,
                   market.pending, market.archived_only):
        listed = {row.rfq.id for row in rfqs.open_rfqs_for(seller, now=MONDAY)}
        assert listed == {r.id for r in all_rfqs if rfqs.is_eligible(r, seller)}, seller.business_name
    quote(food, market.mikro, {1: 35_000})
    past = {row.rfq.id: row for row in rfqs.open_rfqs_for(market.mikro, now=AFTER_DEADLINE)}
    assert set(past) == {food.id}  # past the deadline: only what it quoted stays listed
    assert past[food.id].quotation is not None and past[food.id].line_count == 2


# --- opening an RFQ ---------------------------------------------------------------------------

def test_create_publishes_at_once_and_tells_every_eligible_seller(team, market):
    agency, pp, _, _ = team
    rfq = open_rfq(pp, category=market.katering, kota=KOTA_TANGSEL)
    pr = rfq.request
    assert (pr.method, pr.status, rfq.status) == ("rfq", "quoting", "open")
    assert [(line.position, line.description, line.quantity, line.ceiling_price) for line in rfq.lines] == [
        (1, "Nasi kotak rapat", 100, 40_000), (2, "Snack kotak", 100, None)]
    notified = db.session.scalars(select(Notification).where(Notification.kind == "rfq_opened")).all()
    assert {n.user_id for n in notified} == {market.mikro.user_id, market.kecil.user_id, market.koperasi.user_id}
    assert all(n.link == f"/penjual/rfq/{rfq.id}" for n in notified)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.agency_id == agency.id)).all()
    assert {"purchase_request.created", "rfq.created", "purchase_request.quoting"} <= set(actions)


@pytest.mark.parametrize("lines, deadline, match", [
    ([], None, "paling sedikit satu baris"),
    ([("Kursi", 1, "unit", None)] * 51, None, "Paling banyak 50 baris"),
    ([("Kursi", 0, "unit", None)], None, "Baris 1: jumlah paling sedikit 1"),
    ([("Kursi", 2, "unit", None), ("Meja", -3, "unit", None)], None, "Baris 2: jumlah paling sedikit 1"),
    ([("Kursi", 2, "unit", 0)], None, "harga tertinggi paling sedikit Rp1"),
    ([("", 2, "unit", None)], None, "Baris 1: isi uraian"),
    ([("Kursi", 2, "", None)], None, "Baris 1: isi satuan"),
    (LINES, MONDAY - timedelta(hours=1), "paling cepat satu jam"),
    (LINES, MONDAY + timedelta(days=31), "paling lama 30 hari"),
])
def test_create_refuses_bad_lines_and_deadlines(team, lines, deadline, match):
    _, pp, _, _ = team
    before = audit_count()
    with pytest.raises(DomainError, match=match):
        open_rfq(pp, lines=lines, deadline=deadline)
    db.session.rollback()
    assert count(Rfq) == 0 and count(PurchaseRequest) == 0 and audit_count() == before


def test_only_a_pejabat_pengadaan_or_ppk_opens_an_rfq(team):
    _, _, _, bendahara = team
    with pytest.raises(PermissionDenied):
        open_rfq(bendahara)
    assert count(Rfq) == 0


# --- quotations -------------------------------------------------------------------------------

@pytest.fixture
def rfq(team, market):
    _, pp, ppk, _ = team
    return open_rfq(pp, category=market.katering, kota=KOTA_TANGSEL, ppk=ppk)


def test_quotation_rules(rfq, market):
    first, second = (line.id for line in rfq.lines)
    submit = rfqs.submit_quotation
    refused(lambda: submit(rfq, market.mikro, {first: (35_000, 2, "")}, now=rfq.deadline),
            "Batas waktu penawaran sudah lewat")
    refused(lambda: submit(rfq, market.mikro, {first: (0, 2, "")}, now=MONDAY), "harus lebih dari Rp0")
    refused(lambda: submit(rfq, market.mikro, {first: (-5_000, 2, "")}, now=MONDAY), "harus lebih dari Rp0")
    refused(lambda: submit(rfq, market.mikro, {first: (40_001, 2, "")}, now=MONDAY),
            r"Baris 1 \(Nasi kotak rapat\): harga Rp\s?40\.001 di atas harga tertinggi Rp\s?40\.000")
    refused(lambda: submit(rfq, market.mikro, {first: (35_000, 366, "")}, now=MONDAY), "0 sampai 365 hari")
    refused(lambda: submit(rfq, market.mikro, {first: (None, None, ""), second: (None, None, "")}, now=MONDAY),
            "paling sedikit satu baris")
    refused(lambda: submit(rfq, market.mikro, {999_999: (35_000, 2, "")}, now=MONDAY), "tidak dikenal")
    for outsider in (market.menengah, market.kabupaten, market.crafts, market.pending):
        refused(lambda s=outsider: submit(rfq, s, {first: (35_000, 2, "")}, now=MONDAY), "tidak termasuk penjual",
                PermissionDenied)


def test_a_seller_may_skip_lines_and_a_second_submission_replaces_the_first(rfq, market):
    quotation = quote(rfq, market.mikro, {1: 40_000})  # the ceiling itself is allowed
    assert [(q.rfq_line.position, q.unit_price) for q in quotation.lines] == [(1, 40_000)]
    quote(rfq, market.mikro, {1: 38_000, 2: 12_000}, now=MONDAY + timedelta(hours=3))
    db.session.expire_all()
    quotation = db.session.get(Quotation, quotation.id)
    assert sorted((q.rfq_line.position, q.unit_price) for q in quotation.lines) == [(1, 38_000), (2, 12_000)]
    assert count(Quotation) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "quotation.replaced"))
    line_one = str(rfq.lines[0].id)
    assert event.before["lines"] == {line_one: [40_000, 2]}
    assert event.after["lines"][line_one] == [38_000, 2]


# --- grid, counter-offer, award, approval: the whole way ---------------------------------------

def test_happy_path_from_rfq_to_two_surat_pesanan_at_the_awarded_prices(team, market):
    agency, pp, ppk, _ = team
    rfq = open_rfq(pp, category=market.katering, kota=KOTA_TANGSEL, ppk=ppk)
    nasi, snack = rfq.lines
    quote(rfq, market.mikro, {1: 36_000, 2: 15_000}, now=MONDAY + timedelta(hours=1))
    quote(rfq, market.kecil, {1: 38_000, 2: 12_000}, now=MONDAY + timedelta(hours=2))

    grid = rfqs.comparison(rfq)
    assert [row.seller.business_name for row in grid.rows] == ["Dapur Bu Sari", "Katering Serpong"]
    assert grid.cheapest[nasi.id].seller.business_name == "Dapur Bu Sari"
    assert grid.cheapest[snack.id].seller.business_name == "Katering Serpong"
    assert [row.total for row in grid.rows] == [100 * 36_000 + 100 * 15_000, 100 * 38_000 + 100 * 12_000]
    assert grid.best_complete.seller.business_name == "Katering Serpong"  # 5.000.000 < 5.100.000

    mikro_quote = grid.rows[0].quotation
    counter = rfqs.counter_offer(rfq, mikro_quote, pp, {snack.id: 11_000}, "Mohon harga snack disesuaikan",
                                 now=AFTER_DEADLINE)
    assert rfq.request.status == "negotiating"
    rfqs.answer_counter_offer(counter, market.mikro, accept=True, now=AFTER_DEADLINE + timedelta(hours=2))
    assert counter.status == "accepted" and rfq.request.status == "quoting"
    grid = rfqs.comparison(rfq)
    assert grid.cheapest[snack.id].seller.business_name == "Dapur Bu Sari"  # 11.000 now beats 12.000

    kecil_nasi = grid.rows[1].cells[nasi.id].quotation_line  # award the rice to the other seller anyway
    mikro_snack = grid.rows[0].cells[snack.id].quotation_line
    pr = rfqs.award(rfq, pp, choice={nasi.id: kecil_nasi.id, snack.id: mikro_snack.id}, direct=False,
                    now=AFTER_DEADLINE + timedelta(hours=3))
    assert rfq.status == "awarded" and pr.status == "submitted" and pr.ppk_id == ppk.id
    assert pr.total == 100 * 38_000 + 100 * 11_000
    assert {q.status for q in rfq.quotations} == {"awarded"}
    assert kecil_nasi.awarded and mikro_snack.awarded and not grid.rows[0].cells[nasi.id].quotation_line.awarded
    assert all(line.rfq_line_id and line.category_id == market.katering.id for line in pr.lines)

    requests.approve(pr, ppk, reason="Sesuai kebutuhan rapat")
    assert pr.status == "ordered"
    orders = {po.seller.business_name: po for po in pr.purchase_orders}
    assert set(orders) == {"Dapur Bu Sari", "Katering Serpong"}
    assert [(line.description, line.quantity, line.unit_price) for line in orders["Katering Serpong"].lines] == [
        ("Nasi kotak rapat", 100, 38_000)]
    assert [(line.description, line.unit_price) for line in orders["Dapur Bu Sari"].lines] == [("Snack kotak", 11_000)]
    assert orders["Dapur Bu Sari"].total == 1_100_000
    won = db.session.scalars(select(Notification.user_id).where(Notification.kind == "rfq_awarded")).all()
    assert set(won) == {market.mikro.user_id, market.kecil.user_id}
    assert verify_chain().ok


def test_the_grid_breaks_ties_for_the_earlier_quotation(rfq, market):
    quote(rfq, market.kecil, {1: 30_000}, now=MONDAY + timedelta(hours=1))
    quote(rfq, market.mikro, {1: 30_000, 2: 10_000}, now=MONDAY + timedelta(hours=2))
    grid = rfqs.comparison(rfq)
    first = rfq.lines[0].id
    assert grid.cheapest[first].seller.business_name == "Katering Serpong"
    assert not grid.rows[0].complete and grid.rows[1].complete
    assert grid.best_complete.seller.business_name == "Dapur Bu Sari"


def test_a_whole_quotation_may_be_awarded_and_the_pp_orders_directly(team, rfq, market):
    _, pp, _, _ = team
    quotation = quote(rfq, market.koperasi, {1: 30_000, 2: 9_000})
    pr = rfqs.award(rfq, pp, quotation_id=quotation.id, direct=True, now=AFTER_DEADLINE)
    assert pr.status == "ordered" and len(pr.purchase_orders) == 1
    assert pr.purchase_orders[0].total == 100 * 30_000 + 100 * 9_000
    assert pr.purchase_orders[0].seller_is_koperasi


# --- counter-offer and award refusals ---------------------------------------------------------

def test_counter_offer_rules(team, rfq, market):
    _, pp, _, _ = team
    quotation = quote(rfq, market.mikro, {1: 36_000, 2: 15_000})
    nasi, snack = rfq.lines
    send = rfqs.counter_offer
    refused(lambda: send(rfq, quotation, pp, {nasi.id: 30_000}, "", now=MONDAY + timedelta(hours=1)),
            "setelah batas waktu penawaran")
    refused(lambda: send(rfq, quotation, pp, {nasi.id: 36_000}, "", now=AFTER_DEADLINE),
            r"di bawah harga penawaran Rp\s?36\.000")
    refused(lambda: send(rfq, quotation, pp, {nasi.id: 40_000}, "", now=AFTER_DEADLINE), "di bawah harga penawaran")
    refused(lambda: send(rfq, quotation, pp, {nasi.id: 0}, "", now=AFTER_DEADLINE), "lebih dari Rp0")
    refused(lambda: send(rfq, quotation, pp, {}, "", now=AFTER_DEADLINE), "paling sedikit satu baris")
    counter = send(rfq, quotation, pp, {nasi.id: 34_000}, "", now=AFTER_DEADLINE)
    refused(lambda: send(rfq, quotation, pp, {snack.id: 14_000}, "", now=AFTER_DEADLINE), "hanya satu kali")
    # While it waits nobody is awarded.
    line = quotation.lines[0]
    refused(lambda: rfqs.award(rfq, pp, choice={nasi.id: line.id}, direct=True, now=AFTER_DEADLINE),
            "menunggu jawaban penjual")
    rfqs.answer_counter_offer(counter, market.mikro, accept=False, now=AFTER_DEADLINE)
    assert counter.status == "declined" and quotation.lines[0].unit_price == 36_000
    assert rfq.request.status == "quoting"
    refused(lambda: rfqs.answer_counter_offer(counter, market.mikro, accept=True, now=AFTER_DEADLINE),
            "sudah dijawab")


def test_another_seller_cannot_answer_a_counter_offer(team, rfq, market):
    _, pp, _, _ = team
    quotation = quote(rfq, market.mikro, {1: 36_000})
    counter = rfqs.counter_offer(rfq, quotation, pp, {rfq.lines[0].id: 30_000}, "", now=AFTER_DEADLINE)
    refused(lambda: rfqs.answer_counter_offer(counter, market.kecil, accept=True, now=AFTER_DEADLINE), "tidak ditemukan",
            NotFound)


def test_award_refuses_forged_ids_early_awards_and_empty_choices(team, rfq, market):
    agency, pp, ppk, _ = team
    mine = quote(rfq, market.mikro, {1: 36_000, 2: 15_000})
    nasi, snack = rfq.lines
    other_rfq = open_rfq(pp, category=market.katering, title="Rapat lain")
    foreign = quote(other_rfq, market.mikro, {1: 20_000})
    award = rfqs.award
    refused(lambda: award(rfq, pp, choice={nasi.id: mine.lines[0].id}, direct=True, now=MONDAY),
            "setelah batas waktu")
    refused(lambda: award(rfq, pp, choice={nasi.id: foreign.lines[0].id}, direct=True, now=AFTER_DEADLINE),
            "tidak sah")  # a quotation line of another RFQ
    refused(lambda: award(rfq, pp, choice={nasi.id: mine.lines[1].id}, direct=True, now=AFTER_DEADLINE),
            "tidak sah")  # the snack price put on the rice line
    refused(lambda: award(rfq, pp, choice={nasi.id: 987_654}, direct=True, now=AFTER_DEADLINE), "tidak sah")
    refused(lambda: award(rfq, pp, choice={"x": "y"}, direct=True, now=AFTER_DEADLINE), "tidak sah")
    refused(lambda: award(rfq, pp, quotation_id=foreign.id, direct=True, now=AFTER_DEADLINE), "tidak sah")
    refused(lambda: award(rfq, pp, choice={nasi.id: None, snack.id: None}, direct=True, now=AFTER_DEADLINE),
            "paling sedikit satu baris")
    # A PPK may not order directly: the award is rolled back with the refused submit.
    refused(lambda: award(rfq, ppk, quotation_id=mine.id, direct=True, now=AFTER_DEADLINE),
            "hanya oleh Pejabat Pengadaan", PermissionDenied)
    db.session.expire_all()
    assert rfq.status == "open" and rfq.request.status == "quoting" and not rfq.request.lines
    assert not any(q.awarded for q in mine.lines) and mine.status == "submitted"
    # Another agency's officer does not even find it.
    stranger = gen_officer(duty="pejabat_pengadaan")
    db.session.commit()
    refused(lambda: award(rfq, stranger, quotation_id=mine.id, direct=True, now=AFTER_DEADLINE), "tidak ditemukan",
            NotFound)


# --- expiry -----------------------------------------------------------------------------------

def test_an_rfq_expires_three_working_days_after_its_deadline_across_a_weekend(team, market):
    _, pp, _, _ = team
    rfq = open_rfq(pp, now=FRIDAY_3PM - timedelta(days=2), deadline=FRIDAY_3PM)
    quotation = quote(rfq, market.mikro, {1: 35_000}, now=FRIDAY_3PM - timedelta(days=1))
    # Friday 15.00 + 3 working days = Wednesday 15.00 (Saturday and Sunday do not count).
    assert rfqs.expires_at(rfq) == FRIDAY_3PM + timedelta(days=5)
    tuesday_evening = FRIDAY_3PM + timedelta(days=4, hours=3)
    assert rfqs.expire_due(tuesday_evening) == rfqs.ExpiryCounts(0, 0)
    assert rfq.status == "open"

    wednesday = FRIDAY_3PM + timedelta(days=5)
    assert rfqs.expire_due(wednesday) == rfqs.ExpiryCounts(1, 0)
    db.session.expire_all()
    assert rfq.status == "expired" and rfq.request.status == "expired"
    assert rfqs.expire_due(wednesday + timedelta(days=1)) == rfqs.ExpiryCounts(0, 0)  # idempotent

    refused(lambda: rfqs.award(rfq, pp, quotation_id=quotation.id, direct=True, now=wednesday),
            "Permintaan penawaran ini sudah kedaluwarsa")
    refused(lambda: rfqs.submit_quotation(rfq, market.kecil, {rfq.lines[0].id: (1, 1, "")}, now=wednesday),
            "sudah kedaluwarsa")


def test_an_unanswered_counter_offer_expires_and_the_officer_gets_three_more_working_days(team, market):
    _, pp, _, _ = team
    rfq = open_rfq(pp, now=FRIDAY_3PM - timedelta(days=2), deadline=FRIDAY_3PM - timedelta(hours=5))
    quotation = quote(rfq, market.mikro, {1: 35_000}, now=FRIDAY_3PM - timedelta(days=1))
    counter = rfqs.counter_offer(rfq, quotation, pp, {rfq.lines[0].id: 33_000}, "", now=FRIDAY_3PM)
    assert rfq.request.status == "negotiating"
    # A counter-offer that waits keeps the RFQ alive past deadline + 3 working days.
    assert rfqs.expire_due(FRIDAY_3PM + timedelta(days=4)) == rfqs.ExpiryCounts(0, 0)
    assert rfqs.expire_due(FRIDAY_3PM + timedelta(days=5)) == rfqs.ExpiryCounts(0, 1)
    db.session.expire_all()
    assert counter.status == "expired" and rfq.status == "open" and rfq.request.status == "quoting"
    assert quotation.lines[0].unit_price == 35_000
    refused(lambda: rfqs.answer_counter_offer(counter, market.mikro, accept=True, now=FRIDAY_3PM + timedelta(days=5)),
            "sudah kedaluwarsa")
    # Wednesday 15.00 + 3 working days = Monday 15.00.
    assert rfqs.expire_due(FRIDAY_3PM + timedelta(days=7)) == rfqs.ExpiryCounts(0, 0)
    assert rfqs.expire_due(FRIDAY_3PM + timedelta(days=10)) == rfqs.ExpiryCounts(1, 0)


def test_an_rfq_due_but_not_yet_expired_is_expired_when_its_page_is_read(team, market):
    _, pp, _, _ = team
    rfq = open_rfq(pp, now=FRIDAY_3PM - timedelta(days=2), deadline=FRIDAY_3PM)
    assert not rfqs.expire_if_due(rfq, FRIDAY_3PM + timedelta(days=1))
    before = audit_count()
    # Not yet marked, already refused: the award window has closed.
    refused(lambda: rfqs.award(rfq, pp, choice={}, direct=True, now=FRIDAY_3PM + timedelta(days=6)),
            "sudah kedaluwarsa")
    assert rfqs.expire_if_due(rfq, FRIDAY_3PM + timedelta(days=6))
    assert rfq.status == "expired" and audit_count() == before + 2  # the RFQ and its request


def test_the_cron_command_expires_what_is_due(app, team, market):
    from catalog.cli_procurement import procurement_cli

    _, pp, _, _ = team
    open_rfq(pp, now=FRIDAY_3PM - timedelta(days=2), deadline=FRIDAY_3PM)
    runner = app.test_cli_runner()
    result = runner.invoke(procurement_cli, ["expire", "--waktu", "2026-12-09T14:59"])
    assert result.exit_code == 0 and "hari kerja tanpa pemenang): 0;" in result.output
    result = runner.invoke(procurement_cli, ["expire", "--waktu", "2026-12-09T15:00"])
    assert result.exit_code == 0 and "hari kerja tanpa pemenang): 1;" in result.output, result.output
