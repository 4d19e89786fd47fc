"""The Dinas console's agency pages: the list, creating and editing an agency (the code's rules),
closing and reopening, budgets per fiscal year with their refusals, members' duties and
revocation; each action's effect and audit event, 404s, 403 for non-admins and CSRF."""

import re

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import Agency, Budget, OfficerMembership, PurchaseRequest
from catalog.services import agency_admin
from catalog.services.certificates import jakarta_today
from catalog.services.errors import PermissionDenied
from catalog.services.procurement import cart
from tests.admin_accounts_factories import audit_count, events, log_in, page_text
from tests.conftest import csrf_token_from
from tests.factories import (
    KEC_PAMULANG,
    KEC_SERPONG,
    KOTA_TANGERANG,
    KOTA_TANGSEL,
    gen_agency,
    gen_officer,
    gen_product,
    gen_seller,
    gen_user,
)
from tests.gov_documents_factories import gen_gov_order
from tests.querycount import count_queries

REASON = "Instansi digabung ke dinas lain sesuai Perda 2026."
YEAR = jakarta_today().year


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


AGENCY_FORM = {"name": "Dinas Pendidikan Kota Tangerang Selatan", "type": "OPD", "code": "disdik-tangsel",
               "kota_code": KOTA_TANGSEL, "kecamatan_code": KEC_PAMULANG, "address": "Jl. Pajajaran No. 1"}
BUDGET_FORM = {"fiscal_year": str(YEAR + 1), "pagu": "2.500.000.000", "target_share_pct": "40",
               "overspend_policy": "refuse", "payment_term_days": "30"}


# --- creating an agency -----------------------------------------------------------------------------------

def test_admin_creates_an_agency_with_its_code_upper_cased_and_audited(admin_client, admin):
    response = admin_client.post("/admin/instansi/baru", data=AGENCY_FORM)
    assert response.status_code == 302
    agency = db.session.scalar(select(Agency).where(Agency.code == "DISDIK-TANGSEL"))
    assert agency is not None and agency.is_active and agency.kecamatan_code == KEC_PAMULANG
    assert response.location.endswith(f"/admin/instansi/{agency.id}")
    [event] = events("agency.created")
    assert event.actor_id == admin.id and event.agency_id == agency.id
    assert event.after["code"] == "DISDIK-TANGSEL" and event.after["kota_code"] == KOTA_TANGSEL
    assert "Dinas Pendidikan Kota Tangerang Selatan" in page_text(admin_client.get(response.location))


def test_a_colliding_code_is_refused_naming_the_holder_and_creates_nothing(admin_client):
    gen_agency(name="Dinas Kesehatan Kota Tangerang", code="DINKES-KOTA")
    db.session.commit()
    before = audit_count()
    response = admin_client.post("/admin/instansi/baru", data={**AGENCY_FORM, "code": "dinkes-kota"})
    assert response.status_code == 400
    assert "Kode instansi sudah dipakai Dinas Kesehatan Kota Tangerang" in page_text(response)
    assert db.session.scalar(select(func.count(Agency.id))) == 1
    assert audit_count() == before


@pytest.mark.parametrize(("change", "message"), [
    ({"kota_code": "31.71"}, "Pilih kota atau kabupaten di Tangerang Raya dari daftar."),
    ({"kota_code": KEC_PAMULANG}, "Pilih kota atau kabupaten di Tangerang Raya dari daftar."),
    ({"kota_code": KOTA_TANGERANG, "kecamatan_code": KEC_PAMULANG}, "Kecamatan yang dipilih tidak ada di Kota Tangerang"),
    ({"code": "SP/2026"}, "Kode instansi hanya boleh huruf kapital, angka dan tanda hubung"),
    ({"code": ""}, "Kode instansi wajib diisi"),
    ({"name": ""}, "Nama instansi wajib diisi."),
    ({"type": "ormas"}, "Pilih jenis instansi dari daftar."),
])
def test_bad_agency_input_is_refused_with_a_message_and_creates_nothing(admin_client, change, message):
    response = admin_client.post("/admin/instansi/baru", data={**AGENCY_FORM, **change})
    assert response.status_code == 400
    assert message in page_text(response)
    assert db.session.scalar(select(func.count(Agency.id))) == 0
    assert audit_count() == 0


def test_the_kecamatan_may_be_left_empty(admin_client):
    response = admin_client.post("/admin/instansi/baru", data={**AGENCY_FORM, "kecamatan_code": ""})
    assert response.status_code == 302
    assert db.session.scalar(select(Agency.kecamatan_code)) is None


# --- editing -----------------------------------------------------------------------------------------------

def test_editing_an_agency_saves_and_audits_only_what_changed(admin_client, admin):
    agency = gen_agency(name="Dinas Lama", code="DINAS-LAMA", kota=KOTA_TANGSEL)
    db.session.commit()
    data = {"name": "Dinas Baru", "type": "BUMD", "code": "DINAS-LAMA", "kota_code": KOTA_TANGSEL,
            "kecamatan_code": KEC_SERPONG, "address": ""}
    response = admin_client.post(f"/admin/instansi/{agency.id}/ubah", data=data)
    assert response.status_code == 302
    agency = fresh(Agency, agency.id)
    assert (agency.name, agency.type, agency.kecamatan_code) == ("Dinas Baru", "BUMD", KEC_SERPONG)
    [event] = events("agency.updated")
    assert event.before == {"name": "Dinas Lama", "type": "OPD", "kecamatan_code": None}
    assert event.after == {"name": "Dinas Baru", "type": "BUMD", "kecamatan_code": KEC_SERPONG}
    # The same form again changes nothing and writes nothing.
    assert admin_client.post(f"/admin/instansi/{agency.id}/ubah", data=data).status_code == 302
    assert len(events("agency.updated")) == 1


def test_the_code_can_change_before_any_document_but_not_after_a_surat_pesanan(admin_client):
    agency = gen_agency(code="DINAS-A")
    db.session.commit()
    data = {"name": agency.name, "type": "OPD", "code": "DINAS-B", "kota_code": KOTA_TANGSEL, "kecamatan_code": "",
            "address": ""}
    assert admin_client.post(f"/admin/instansi/{agency.id}/ubah", data=data).status_code == 302
    assert fresh(Agency, agency.id).code == "DINAS-B"

    po, (issuing, *_team) = gen_gov_order()
    assert po.number.startswith(f"SP/{issuing.code}/")
    before = audit_count()
    response = admin_client.post(f"/admin/instansi/{issuing.id}/ubah",
                                 data={**data, "name": issuing.name, "code": "KODE-BARU"})
    assert response.status_code == 409
    assert f"Kode {issuing.code} tidak dapat diubah" in page_text(response)
    assert fresh(Agency, issuing.id).code != "KODE-BARU"
    assert audit_count() == before
    # The page shows the code as read-only once documents exist.
    assert re.search(r'id="code"[^>]*readonly', admin_client.get(f"/admin/instansi/{issuing.id}").get_data(as_text=True))


def test_editing_to_a_code_another_agency_holds_is_refused(admin_client):
    gen_agency(name="Dinas Pemegang", code="DIPAKAI")
    agency = gen_agency(code="BEBAS")
    db.session.commit()
    data = {"name": agency.name, "type": "OPD", "code": "DIPAKAI", "kota_code": KOTA_TANGSEL, "address": ""}
    response = admin_client.post(f"/admin/instansi/{agency.id}/ubah", data=data)
    assert response.status_code == 400
    assert "Kode instansi sudah dipakai Dinas Pemegang" in page_text(response)
    assert fresh(Agency, agency.id).code == "BEBAS"


# --- closing and reopening ------------------------------------------------------------------------------

def test_closing_and_reopening_an_agency_is_audited_and_shown(admin_client, admin):
    agency = gen_agency()
    db.session.commit()
    response = admin_client.post(f"/admin/instansi/{agency.id}/tutup", data={"reason": REASON})
    assert response.status_code == 302
    assert fresh(Agency, agency.id).is_active is False
    [closed] = events("agency.closed")
    assert closed.reason == REASON and closed.after == {"is_active": False} and closed.actor_id == admin.id
    assert "Instansi ini ditutup" in page_text(admin_client.get(f"/admin/instansi/{agency.id}"))
    assert "Ditutup" in page_text(admin_client.get("/admin/instansi"))

    again = admin_client.post(f"/admin/instansi/{agency.id}/tutup", data={"reason": REASON})
    assert again.status_code == 409 and "Instansi ini sudah ditutup." in page_text(again)

    assert admin_client.post(f"/admin/instansi/{agency.id}/buka", data={"reason": ""}).status_code == 302
    assert fresh(Agency, agency.id).is_active is True
    assert len(events("agency.reopened")) == 1


def test_closing_needs_a_reason(admin_client):
    agency = gen_agency()
    db.session.commit()
    response = admin_client.post(f"/admin/instansi/{agency.id}/tutup", data={"reason": " "})
    assert response.status_code == 400
    assert "Tuliskan alasannya" in page_text(response)
    assert fresh(Agency, agency.id).is_active is True


# --- budgets ------------------------------------------------------------------------------------------------

def test_adding_a_budget_year_saves_it_and_audits(admin_client, admin):
    agency = gen_agency(pagu=1_000_000_000, year=YEAR)
    db.session.commit()
    response = admin_client.post(f"/admin/instansi/{agency.id}/pagu",
                                 data={**BUDGET_FORM, "overspend_policy": "warn", "payment_term_days": "14"})
    assert response.status_code == 302
    budget = db.session.scalar(select(Budget).where(Budget.agency_id == agency.id, Budget.fiscal_year == YEAR + 1))
    assert (budget.pagu, budget.target_share_pct, budget.overspend_policy, budget.payment_term_days) == \
        (2_500_000_000, 40, "warn", 14)
    [event] = events("budget.created")
    assert event.agency_id == agency.id and event.after["pagu"] == 2_500_000_000


@pytest.mark.parametrize(("change", "message"), [
    ({"pagu": "-5000000"}, "Pagu tidak boleh negatif."),
    ({"pagu": "lima juta"}, "Nominal tidak dikenali"),
    ({"pagu": ""}, "Nominal wajib diisi"),
    ({"target_share_pct": "101"}, "Target porsi UMK-K harus angka bulat 0 sampai 100"),
    ({"target_share_pct": "40,5"}, "Target porsi UMK-K harus angka bulat 0 sampai 100"),
    ({"payment_term_days": "0"}, "Jangka waktu pembayaran harus angka bulat 1 sampai 90 hari."),
    ({"payment_term_days": "91"}, "Jangka waktu pembayaran harus angka bulat 1 sampai 90 hari."),
    ({"overspend_policy": "ignore"}, "Pilih kebijakan bila pagu terlampaui"),
    ({"fiscal_year": "1999"}, "Tahun anggaran harus antara 2022 dan"),
    ({"fiscal_year": "tahun depan"}, "Tahun anggaran harus antara 2022 dan"),
    ({"fiscal_year": str(YEAR)}, f"Pagu tahun {YEAR} untuk instansi ini sudah ada."),
])
def test_bad_budget_input_is_refused_and_adds_nothing(admin_client, change, message):
    agency = gen_agency(year=YEAR)
    db.session.commit()
    before = audit_count()
    response = admin_client.post(f"/admin/instansi/{agency.id}/pagu", data={**BUDGET_FORM, **change})
    assert response.status_code == 400
    assert message in page_text(response)
    assert db.session.scalar(select(func.count(Budget.id))) == 1
    assert audit_count() == before


def test_budget_table_shows_committed_realised_and_remaining(admin_client):
    po, (agency, *_team) = gen_gov_order(quantity=100, price=50_000)
    response = admin_client.get(f"/admin/instansi/{agency.id}")
    text = page_text(response)
    assert response.status_code == 200
    row = agency_admin.budget_rows(agency.id)[0]
    assert row.committed == po.total == 5_000_000 and row.realised == 0
    assert "Rp5.000.000" in text.replace("\xa0", "") or "Rp 5.000.000" in text
    assert row.remaining == 1_000_000_000 - 5_000_000


def test_lowering_a_pagu_below_what_is_committed_is_refused_with_the_figure(admin_client):
    po, (agency, *_team) = gen_gov_order(quantity=100, price=50_000)
    budget = db.session.scalar(select(Budget).where(Budget.agency_id == agency.id))
    url = f"/admin/instansi/{agency.id}/pagu/{budget.id}"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, data={**BUDGET_FORM, "pagu": "4.000.000"})
    assert response.status_code == 400
    text = page_text(response)
    assert "Pagu tidak dapat diturunkan" in text and "5.000.000" in text
    assert fresh(Budget, budget.id).pagu == 1_000_000_000
    assert events("budget.updated") == []

    assert admin_client.post(url, data={**BUDGET_FORM, "pagu": "5.000.000", "target_share_pct": "45"}).status_code == 302
    budget = fresh(Budget, budget.id)
    assert (budget.pagu, budget.target_share_pct) == (5_000_000, 45)
    [event] = events("budget.updated")
    assert event.before == {"fiscal_year": budget.fiscal_year, "pagu": 1_000_000_000, "target_share_pct": 40}
    assert event.after == {"fiscal_year": budget.fiscal_year, "pagu": 5_000_000, "target_share_pct": 45}


def test_a_negative_pagu_or_a_target_above_100_is_refused_when_editing_too(admin_client):
    agency = gen_agency(year=YEAR)
    db.session.commit()
    budget = db.session.scalar(select(Budget))
    url = f"/admin/instansi/{agency.id}/pagu/{budget.id}"
    for change, message in (({"pagu": "-1"}, "Pagu tidak boleh negatif."),
                            ({"target_share_pct": "150"}, "Target porsi UMK-K")):
        response = admin_client.post(url, data={**BUDGET_FORM, **change})
        assert response.status_code == 400 and message in page_text(response)
    assert fresh(Budget, budget.id).pagu == 1_000_000_000 and fresh(Budget, budget.id).target_share_pct == 40


# --- members ------------------------------------------------------------------------------------------------

def test_changing_a_members_duty_is_audited_and_warns_when_no_ppk_is_left(admin_client, admin):
    agency = gen_agency()
    ppk = gen_officer(agency, duty="ppk", name="Pak PPK")
    db.session.commit()
    member = ppk.membership
    page = admin_client.get(f"/admin/instansi/{agency.id}/anggota/{member.id}")
    assert page.status_code == 200 and "satu-satunya PPK" in page_text(page)
    response = admin_client.post(f"/admin/instansi/{agency.id}/anggota/{member.id}/tugas",
                                 data={"duty": "bendahara", "reason": ""}, follow_redirects=True)
    assert response.status_code == 200
    text = page_text(response)
    assert "Tugas Pak PPK kini Bendahara Pengeluaran." in text
    assert "kini tidak punya PPK yang terkonfirmasi" in text
    assert fresh(OfficerMembership, member.id).duty == "bendahara"
    [event] = events("officer.duty_changed")
    assert event.before["duty"] == "ppk" and event.after["duty"] == "bendahara" and event.agency_id == agency.id

    same = admin_client.post(f"/admin/instansi/{agency.id}/anggota/{member.id}/tugas", data={"duty": "bendahara"})
    assert same.status_code == 409 and "sudah bertugas sebagai Bendahara" in page_text(same)
    forged = admin_client.post(f"/admin/instansi/{agency.id}/anggota/{member.id}/tugas", data={"duty": "kepala"})
    assert forged.status_code == 400 and "Pilih tugas dari daftar." in page_text(forged)


def test_revoking_a_membership_stops_buying_but_keeps_the_account(admin_client, admin):
    agency = gen_agency()
    officer = gen_officer(agency, duty="pejabat_pengadaan", name="Bu Pejabat")
    product = gen_product(seller=gen_seller())
    db.session.commit()
    member_id = officer.membership.id
    response = admin_client.post(f"/admin/instansi/{agency.id}/anggota/{member_id}/cabut", data={"reason": REASON})
    assert response.status_code == 302
    member = fresh(OfficerMembership, member_id)
    assert member.status == "rejected" and member.review_reason == REASON
    assert member.user.active is True and member.user.role == "officer"
    [event] = events("officer.revoked")
    assert event.before["status"] == "confirmed" and event.reason == REASON and event.actor_id == admin.id
    with pytest.raises(PermissionDenied):
        cart.add(member.user, product.variants[0].id, 1)

    again = admin_client.post(f"/admin/instansi/{agency.id}/anggota/{member_id}/cabut", data={"reason": REASON})
    assert again.status_code == 409


def test_revoking_needs_a_reason(admin_client):
    agency = gen_agency()
    officer = gen_officer(agency)
    db.session.commit()
    response = admin_client.post(f"/admin/instansi/{agency.id}/anggota/{officer.membership.id}/cabut",
                                 data={"reason": ""})
    assert response.status_code == 400
    assert fresh(OfficerMembership, officer.membership.id).status == "confirmed"


def test_a_pending_member_is_not_changed_here(admin_client):
    agency = gen_agency()
    officer = gen_officer(agency, status="pending")
    db.session.commit()
    response = admin_client.post(f"/admin/instansi/{agency.id}/anggota/{officer.membership.id}/tugas",
                                 data={"duty": "ppk"})
    assert response.status_code == 409
    assert fresh(OfficerMembership, officer.membership.id).duty == "pejabat_pengadaan"


def test_the_agency_page_lists_members_with_duty_and_status(admin_client):
    agency = gen_agency()
    gen_officer(agency, duty="ppk", name="Pak Budi PPK")
    gen_officer(agency, duty="bendahara", name="Bu Sari", status="pending")
    db.session.commit()
    text = page_text(admin_client.get(f"/admin/instansi/{agency.id}"))
    assert "Pak Budi PPK" in text and "Terkonfirmasi" in text
    assert "Bu Sari" in text and "Menunggu konfirmasi" in text


# --- the list -----------------------------------------------------------------------------------------------

def test_the_list_searches_filters_and_counts_in_a_constant_number_of_statements(app, admin_client):
    tangsel = gen_agency(name="Dinas Pendidikan Tangsel", code="DISDIK-TS", pagu=750_000_000, year=YEAR)
    gen_officer(tangsel)
    gen_officer(tangsel, status="pending")
    gen_agency(name="PT Air Minum Tirta Kerta Raharja", code="TKR", type="BUMD")
    db.session.commit()
    text = page_text(admin_client.get("/admin/instansi?q=disdik"))
    assert "Dinas Pendidikan Tangsel" in text and "Tirta" not in text
    assert "Rp750.000.000" in text.replace("\xa0", "").replace(" ", "") and "+1 menunggu" in text
    bumd = page_text(admin_client.get("/admin/instansi?jenis=BUMD"))
    assert "Tirta Kerta Raharja" in bumd and "Dinas Pendidikan Tangsel" not in bumd
    assert admin_client.get("/admin/instansi?jenis=xx&hal=abc").status_code == 200

    for n in range(6):
        gen_officer(gen_agency(name=f"Dinas Tambahan {n}"))
    db.session.commit()
    with count_queries(app) as few:
        admin_client.get("/admin/instansi")
    with count_queries(app) as many:
        admin_client.get("/admin/instansi")
    assert many.count == few.count <= 8


# --- 404, 403, CSRF -------------------------------------------------------------------------------------

@pytest.fixture
def other_agency_ids(app):
    agency = gen_agency()
    officer = gen_officer(agency)
    other = gen_agency()
    db.session.commit()
    return {"agency": agency.id, "member": officer.membership.id, "other": other.id,
            "budget": db.session.scalar(select(Budget.id).where(Budget.agency_id == agency.id))}


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/admin/instansi/99999"),
    ("post", "/admin/instansi/99999/ubah"),
    ("post", "/admin/instansi/99999/tutup"),
    ("post", "/admin/instansi/99999/buka"),
    ("post", "/admin/instansi/99999/pagu"),
    ("get", "/admin/instansi/{other}/pagu/{budget}"),
    ("post", "/admin/instansi/{other}/pagu/{budget}"),
    ("get", "/admin/instansi/{agency}/pagu/99999"),
    ("get", "/admin/instansi/{other}/anggota/{member}"),
    ("post", "/admin/instansi/{other}/anggota/{member}/tugas"),
    ("post", "/admin/instansi/{other}/anggota/{member}/cabut"),
])
def test_unknown_ids_are_404(admin_client, other_agency_ids, method, path):
    data = {**AGENCY_FORM, **BUDGET_FORM, "reason": REASON, "duty": "ppk"}
    url = path.format(**other_agency_ids)
    response = admin_client.get(url) if method == "get" else admin_client.post(url, data=data)
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["shopper", "seller", "officer"])
def test_non_admins_get_403_and_change_nothing(app, client, role):
    agency = gen_agency()
    user = gen_officer() if role == "officer" else (gen_seller().user if role == "seller" else gen_user(role=role))
    db.session.commit()
    log_in(client, user)
    assert client.get("/admin/instansi").status_code == 403
    assert client.get(f"/admin/instansi/{agency.id}").status_code == 403
    assert client.post("/admin/instansi/baru", data=AGENCY_FORM).status_code == 403
    assert client.post(f"/admin/instansi/{agency.id}/tutup", data={"reason": REASON}).status_code == 403
    assert fresh(Agency, agency.id).is_active is True
    expected = 2 if role == "officer" else 1  # gen_officer brings its own agency
    assert db.session.scalar(select(func.count(Agency.id))) == expected


def test_a_post_without_the_csrf_token_is_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin = gen_user(role="admin")
        agency = gen_agency()
        db.session.commit()
        admin_id, agency_id = admin.id, agency.id
        client = app.test_client()
        log_in(client, admin)
        response = client.post("/admin/instansi/baru", data=AGENCY_FORM)
        assert response.status_code == 400
        assert client.post(f"/admin/instansi/{agency_id}/tutup", data={"reason": REASON}).status_code == 400
        assert db.session.scalar(select(func.count(Agency.id))) == 1
        assert db.session.get(Agency, agency_id).is_active is True
        token = csrf_token_from(client.get(f"/admin/instansi/{agency_id}").get_data(as_text=True))
        response = client.post(f"/admin/instansi/{agency_id}/tutup", data={"reason": REASON, "csrf_token": token})
        assert response.status_code == 302
        assert admin_id



def test_a_closed_agencys_officers_cannot_start_a_purchase(app, admin):
    from catalog.services.procurement import requests

    agency = gen_agency()
    pp = gen_officer(agency)
    product = gen_product()
    db.session.commit()
    agency_admin.close_agency(agency.id, admin.id, REASON)
    cart.add(pp, product.variants[0].id, 1)
    with pytest.raises(PermissionDenied, match="sudah ditutup"):
        requests.create_from_cart(pp, title="Uji", rup_code=None, needed_by=None, delivery_address="Jl. Uji 1",
                                  delivery_kecamatan_code=None, notes="", ppk_id=None)
    assert db.session.scalar(select(func.count()).select_from(PurchaseRequest)) == 0
