"""The Dinas console's seller money: the payout page (ready and held sellers, making a batch),
a batch's page (the bank file, the bank's answer per batch or line, cancelling a draft), the
reconciliation, the fee rates and balance adjustments — each refusal with its message and
nothing changed, 404s, 403 for everyone but admins, and CSRF."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from catalog.extensions import db
from catalog.models import AuditEvent, LedgerEntry, PayoutBatch, PayoutLine
from catalog.models.base import utcnow
from catalog.services import ledger, payouts
from tests.conftest import csrf_token_from
from tests.factories import gen_user
from tests.integration.test_shopper_orders import log_in, text_of
from tests.payouts_factories import banked_seller


def fresh(model, key):
    db.session.expire_all()
    return db.session.get(model, key)


@pytest.fixture
def sellers(app, admin):
    ready = banked_seller(150_000, admin_id=admin.id, business_name="Keripik Bu Siti", bank_name="BRI",
                          bank_account_number="002101000123456", bank_account_name="Siti Rahmawati")
    other = banked_seller(90_000, admin_id=admin.id, business_name="Batik Serpong")
    changed = banked_seller(120_000, admin_id=admin.id, business_name="Kopi Rekening Baru")
    changed.bank_account_changed_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    return {"ready": ready, "other": other, "changed": changed}


def make_batch(admin, *sellers, exported=False):
    batch = payouts.create_batch([s.id for s in sellers], admin.id).batch
    if exported:
        payouts.export_csv(batch.id, admin.id)
    return batch.id


def test_the_payout_page_lists_ready_sellers_ticked_and_held_ones_with_the_reason(admin_client, sellers):
    html = admin_client.get("/admin/pencairan").get_data(as_text=True)
    text = text_of(html)
    assert f'name="seller_id" value="{sellers["ready"].id}" checked' in html
    assert f'name="seller_id" value="{sellers["changed"].id}"' not in html
    assert "Keripik Bu Siti" in text and "002101000123456" in text
    assert "Kopi Rekening Baru" in text and "rekening baru diubah, dapat dicairkan mulai" in text
    assert "Buat batch pencairan" in text


def test_making_a_batch_from_the_ticked_sellers(admin_client, admin, sellers):
    response = admin_client.post("/admin/pencairan", data={"seller_id": [str(sellers["ready"].id),
                                                                          str(sellers["changed"].id)]})
    assert response.status_code == 302
    batch = db.session.scalar(select(PayoutBatch))
    assert response.headers["Location"].endswith(f"/admin/pencairan/{batch.id}")
    assert [line.seller_id for line in batch.lines] == [sellers["ready"].id]  # the held one is left out
    assert ledger.balance(sellers["ready"].id) == 0 and ledger.balance(sellers["changed"].id) == 120_000
    page = text_of(admin_client.get(f"/admin/pencairan/{batch.id}").get_data(as_text=True))
    assert "Tidak ikut batch: Kopi Rekening Baru: rekening baru diubah" in page
    assert f"{batch.number}-0001" in page and "Ekspor CSV untuk bank" in page


def test_nothing_ticked_or_nobody_payable_is_refused_with_a_message(admin_client, sellers):
    response = admin_client.post("/admin/pencairan", data={})
    assert response.status_code == 400 and "Pilih minimal satu penjual" in text_of(response.get_data(as_text=True))
    response = admin_client.post("/admin/pencairan", data={"seller_id": [str(sellers["changed"].id), "x"]})
    assert response.status_code == 400
    assert "Kopi Rekening Baru: rekening baru diubah" in text_of(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count(PayoutBatch.id))) == 0


def test_exporting_moves_the_draft_once_and_the_file_can_be_downloaded_again(admin_client, admin, sellers):
    batch_id = make_batch(admin, sellers["ready"], sellers["other"])
    response = admin_client.get(f"/admin/pencairan/{batch_id}.csv")  # a draft: export first
    assert response.status_code == 302
    response = admin_client.post(f"/admin/pencairan/{batch_id}/ekspor")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    content = response.get_data()
    assert "002101000123456;Siti Rahmawati;150000;" in content.decode("utf-8")
    assert fresh(PayoutBatch, batch_id).status == "exported"
    again = admin_client.get(f"/admin/pencairan/{batch_id}.csv")
    assert again.status_code == 200 and again.get_data() == content
    assert admin_client.post(f"/admin/pencairan/{batch_id}/ekspor").get_data() == content
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "payout_batch.exported")) == 1


def test_a_batch_marked_paid_twice_is_refused(admin_client, admin, sellers):
    batch_id = make_batch(admin, sellers["ready"], exported=True)
    response = admin_client.post(f"/admin/pencairan/{batch_id}/dibayar", data={"bank_reference": ""})
    assert response.status_code == 400 and "referensi" in text_of(response.get_data(as_text=True))
    response = admin_client.post(f"/admin/pencairan/{batch_id}/dibayar", data={"bank_reference": "BRI-778812"})
    assert response.status_code == 302
    assert fresh(PayoutBatch, batch_id).status == "paid"
    response = admin_client.post(f"/admin/pencairan/{batch_id}/dibayar", data={"bank_reference": "BRI-778812"})
    assert response.status_code == 409 and "sudah selesai" in text_of(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "payout_line.paid")) == 1


def test_lines_are_marked_paid_or_failed_and_a_failed_line_returns_the_money(admin_client, admin, sellers):
    batch_id = make_batch(admin, sellers["ready"], sellers["other"], exported=True)
    line_ready, line_other = fresh(PayoutBatch, batch_id).lines
    page = admin_client.get(f"/admin/pencairan/{batch_id}").get_data(as_text=True)
    assert f"/admin/pencairan/{batch_id}/baris/{line_ready.id}/gagal" in page

    url = f"/admin/pencairan/{batch_id}/baris/{line_other.id}/gagal"
    response = admin_client.post(url, data={"reason": "  "})
    assert response.status_code == 400 and "alasan" in text_of(response.get_data(as_text=True))
    assert ledger.balance(sellers["other"].id) == 0
    assert admin_client.post(url, data={"reason": "Nomor rekening tidak ditemukan"}).status_code == 302
    assert ledger.balance(sellers["other"].id) == 90_000
    assert admin_client.post(url, data={"reason": "Lagi"}).status_code == 409  # already decided

    response = admin_client.post(f"/admin/pencairan/{batch_id}/baris/{line_ready.id}/dibayar",
                                 data={"bank_reference": "TRF-0001"})
    assert response.status_code == 302
    assert fresh(PayoutLine, line_ready.id).bank_reference == "TRF-0001"
    assert fresh(PayoutBatch, batch_id).status == "partially_paid"
    page = text_of(admin_client.get(f"/admin/pencairan/{batch_id}").get_data(as_text=True))
    assert "Nomor rekening tidak ditemukan" in page and "Ref. bank TRF-0001" in page
    assert ledger.reconcile().difference == 0


def test_a_draft_refuses_answers_and_can_be_cancelled(admin_client, admin, sellers):
    batch_id = make_batch(admin, sellers["ready"])
    line_id = fresh(PayoutBatch, batch_id).lines[0].id
    response = admin_client.post(f"/admin/pencairan/{batch_id}/baris/{line_id}/dibayar", data={"bank_reference": "X1"})
    assert response.status_code == 409 and "belum diekspor" in text_of(response.get_data(as_text=True))
    assert admin_client.post(f"/admin/pencairan/{batch_id}/batalkan").status_code == 302
    assert fresh(PayoutBatch, batch_id).status == "cancelled"
    assert ledger.balance(sellers["ready"].id) == 150_000
    assert admin_client.post(f"/admin/pencairan/{batch_id}/batalkan").status_code == 409


def test_unknown_ids_and_lines_of_another_batch_are_404(admin_client, admin, sellers):
    first = make_batch(admin, sellers["ready"], exported=True)
    second = make_batch(admin, sellers["other"], exported=True)
    other_line = fresh(PayoutBatch, second).lines[0].id
    assert admin_client.post(f"/admin/pencairan/{first}/baris/{other_line}/dibayar",
                             data={"bank_reference": "X"}).status_code == 404
    assert admin_client.post(f"/admin/pencairan/{first}/baris/{other_line}/gagal",
                             data={"reason": "X"}).status_code == 404
    for url in ("/admin/pencairan/987654", "/admin/pencairan/987654.csv", "/admin/saldo/987654/penyesuaian"):
        assert admin_client.get(url).status_code == 404
    for url in ("/admin/pencairan/987654/ekspor", "/admin/pencairan/987654/dibayar", "/admin/pencairan/987654/batalkan"):
        assert admin_client.post(url, data={"bank_reference": "X"}).status_code == 404
    assert fresh(PayoutLine, other_line).status == "pending"


def test_the_reconciliation_page_shows_the_identity_and_that_it_balances(admin_client, admin, sellers):
    make_batch(admin, sellers["ready"], exported=True)
    text = text_of(admin_client.get("/admin/rekonsiliasi").get_data(as_text=True))
    assert "Seimbang" in text and "Diterima dari pembeli" in text and "Sudah dicairkan" in text
    assert "Semua saldo berjalan cocok" in text and "Kopi Rekening Baru" in text
    entry = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id.desc())).first()
    entry.balance_after += 5
    db.session.commit()
    text = text_of(admin_client.get("/admin/rekonsiliasi").get_data(as_text=True))
    assert "1 masalah ditemukan" in text


def test_fee_rates_are_changed_in_percent_and_stored_as_basis_points(admin_client):
    text = text_of(admin_client.get("/admin/biaya-layanan").get_data(as_text=True))
    assert "Usaha menengah" in text
    form = {"mikro": "0", "kecil": "0", "menengah": "1", "koperasi": "0,25"}
    assert admin_client.post("/admin/biaya-layanan", data=form).status_code == 302
    assert ledger.fee_rates()["koperasi"] == 25
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "fee_rate.changed")) == 1
    for bad in ("abc", "0,125", "25"):
        response = admin_client.post("/admin/biaya-layanan", data={**form, "menengah": bad})
        assert response.status_code == 400
        assert "menengah" in text_of(response.get_data(as_text=True)).lower()
    assert ledger.fee_rates()["menengah"] == 100


def test_a_negative_adjustment_without_a_reason_is_refused(admin_client, sellers):
    seller = sellers["other"]
    url = f"/admin/saldo/{seller.id}/penyesuaian"
    assert "Batik Serpong" in text_of(admin_client.get(url).get_data(as_text=True))
    response = admin_client.post(url, data={"amount": "-25.000", "reason": ""})
    assert response.status_code == 400 and "alasan" in text_of(response.get_data(as_text=True)).lower()
    response = admin_client.post(url, data={"amount": "dua puluh", "reason": "Koreksi"})
    assert response.status_code == 400
    response = admin_client.post(url, data={"amount": "-100.000", "reason": "Koreksi ongkir ganda"})
    assert response.status_code == 400 and "negatif" in text_of(response.get_data(as_text=True))
    assert ledger.balance(seller.id) == 90_000
    response = admin_client.post(url, data={"amount": "Rp -25.000", "reason": "Koreksi ongkir ganda"})
    assert response.status_code == 400  # the sign goes first
    response = admin_client.post(url, data={"amount": "-25.000", "reason": "Koreksi ongkir ganda"})
    assert response.status_code == 302
    assert ledger.balance(seller.id) == 65_000
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ledger.adjustment")
                              .order_by(AuditEvent.id.desc()).limit(1))
    assert event.reason == "Koreksi ongkir ganda" and event.after["amount"] == -25_000


@pytest.mark.parametrize("role", ["shopper", "seller", "officer"])
def test_only_admins_may_open_or_post_any_of_it(client, admin, sellers, role):
    batch_id = make_batch(admin, sellers["ready"], exported=True)
    line_id = fresh(PayoutBatch, batch_id).lines[0].id
    user = gen_user(role=role)
    db.session.commit()
    log_in(client, user)
    for url in ("/admin/pencairan", f"/admin/pencairan/{batch_id}", f"/admin/pencairan/{batch_id}.csv",
                "/admin/rekonsiliasi", "/admin/biaya-layanan", f"/admin/saldo/{sellers['other'].id}/penyesuaian"):
        assert client.get(url).status_code == 403, url
    for url in ("/admin/pencairan", f"/admin/pencairan/{batch_id}/dibayar",
                f"/admin/pencairan/{batch_id}/baris/{line_id}/gagal", "/admin/biaya-layanan"):
        assert client.post(url, data={"bank_reference": "X", "reason": "X", "seller_id": "1"}).status_code == 403
    assert fresh(PayoutLine, line_id).status == "pending"


def test_a_post_without_the_csrf_token_is_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin = gen_user(role="admin")
        seller = banked_seller(150_000, admin_id=admin.id)
        seller_id = seller.id
        client = app.test_client()
        log_in(client, admin)
        assert client.post("/admin/pencairan", data={"seller_id": str(seller_id)}).status_code == 400
        assert client.post(f"/admin/saldo/{seller_id}/penyesuaian",
                           data={"amount": "-1.000", "reason": "Koreksi"}).status_code == 400
        assert db.session.scalar(select(func.count(PayoutBatch.id))) == 0 and ledger.balance(seller_id) == 150_000
        token = csrf_token_from(client.get("/admin/pencairan").get_data(as_text=True))
        response = client.post("/admin/pencairan", data={"seller_id": str(seller_id), "csrf_token": token})
        assert response.status_code == 302 and ledger.balance(seller_id) == 0
