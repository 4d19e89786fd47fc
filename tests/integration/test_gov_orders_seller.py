"""The seller's side of government orders (/penjual/pesanan-pemerintah): the list with state tabs
and the invoice's due date or lateness, one Surat Pesanan with the actions its state allows —
accept, decline with a reason, partial deliveries, the invoice after the PPK's BAST with the tax
preview shown first, the payment — and who may see what. The agency's steps (BAST, payment) go
through the services, as the agency's own pages would."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from catalog.extensions import db
from catalog.models import AuditEvent, GovDelivery, Invoice, PurchaseOrder
from catalog.services.certificates import jakarta_today
from catalog.services.procurement import orders
from catalog.services.procurement import seller_orders as seller_orders_service
from tests.conftest import csrf_token_from
from tests.factories import gen_officer, gen_seller, gen_user
from tests.gov_documents_factories import gen_gov_order
from tests.integration.test_seller_dashboard import log_in, text_of
from tests.querycount import count_queries


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    from catalog.models import users

    monkeypatch.setattr(users, "generate_password_hash",
                        lambda password, method=None: generate_password_hash(password, method="pbkdf2:sha256:1"))


@pytest.fixture
def sp(app):
    """A fresh Surat Pesanan of 100 × Rp50.000 (seller not PKP, no Suket PP 55): (po, team)."""
    return gen_gov_order(quantity=100, price=50_000)


@pytest.fixture
def seller_client(client, sp):
    log_in(client, sp[0].seller.user)
    return client


def url(po, tail=""):
    return f"/penjual/pesanan-pemerintah/{po.id}{tail}"


def page(client, address, status=200) -> str:
    response = client.get(address)
    assert response.status_code == status, address
    return text_of(response.get_data(as_text=True))


def fresh(po) -> PurchaseOrder:
    db.session.expire_all()
    return db.session.get(PurchaseOrder, po.id)


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def receive(po, ppk, quantity, number):
    po = fresh(po)
    orders.record_receipt(po, ppk, number=number, received_on=None, quantities={po.lines[0].id: quantity})


# --- the whole way, through the pages ---------------------------------------------------------------

def test_accept_deliver_in_parts_invoice_after_the_bast_and_see_the_payment(seller_client, sp):
    po, (_agency, _pp, ppk, bendahara) = sp
    line_field = f"line-{po.lines[0].id}"

    listing = page(seller_client, "/penjual/pesanan-pemerintah")
    assert po.number in listing and "Dinas Kominfo Tangsel" in listing and "Rp 5.000.000" in listing
    assert "Menunggu jawaban penjual" in listing
    detail = page(seller_client, url(po))
    for expected in ("Dinas Kominfo Tangsel", po.number, "Pengadaan contoh", "Jl. Maruga No. 1, Serua, Ciputat",
                     "Kopi Robusta 250gr", "Terima Surat Pesanan", "Tolak"):
        assert expected in detail, expected
    assert "Terbitkan tagihan" not in detail

    assert seller_client.post(url(po, "/terima")).status_code == 302
    assert fresh(po).status == "accepted"
    detail = page(seller_client, url(po))
    assert "Catat pengiriman" in detail and "sisa 100 pcs dari 100" in detail

    response = seller_client.post(url(po, "/kirim"), data={line_field: "60", "note": "Diantar Pak Budi"})
    assert response.status_code == 302
    po = fresh(po)
    assert po.status == "shipped" and po.lines[0].quantity_shipped == 60
    detail = page(seller_client, url(po))
    assert "sisa 40 pcs dari 100" in detail and "Diantar Pak Budi" in detail and "Terbitkan tagihan" not in detail

    receive(po, ppk, 60, "BAST/001/2026")
    seller_client.post(url(po, "/kirim"), data={line_field: "40"})
    detail = page(seller_client, url(po))
    assert "Semua barang sudah dikirim" in detail and "BAST BAST/001/2026" in detail
    receive(po, ppk, 40, "BAST/002/2026")

    detail = page(seller_client, url(po))
    assert "Terbitkan tagihan" in detail
    # Not PKP: no PPN; above Rp2 juta without a Suket PP 55: PPh 22 1,5% of Rp5.000.000.
    for expected in ("Total harga Rp 5.000.000", "PPN — Anda bukan PKP Rp 0", "PPh 22 1,5% dari DPP − Rp 75.000",
                     "Yang Anda terima Rp 4.925.000", "BAST BAST/002/2026"):
        assert expected in detail, expected

    assert seller_client.post(url(po, "/tagihan")).status_code == 302
    po = fresh(po)
    invoice = po.invoice
    assert po.status == "invoiced" and (invoice.pph22, invoice.net) == (75_000, 4_925_000)
    detail = page(seller_client, url(po))
    assert invoice.number in detail and "Jatuh tempo" in detail and "Belum dibayar" in detail
    listing = page(seller_client, "/penjual/pesanan-pemerintah?status=ditagih")
    assert po.number in listing and "jatuh tempo" in listing

    orders.record_payment(db.session.get(Invoice, invoice.id), bendahara, method="transfer", reference="TRX-778",
                          paid_on=None)
    today = jakarta_today()
    detail = page(seller_client, url(po))
    day = f"{today.day} "
    assert "Dibayar " + day in detail and "ref. TRX-778" in detail and "Transfer bank" in detail
    listing = page(seller_client, "/penjual/pesanan-pemerintah?status=dibayar")
    assert po.number in listing and "dibayar " + day in listing


# --- the seller's answer ------------------------------------------------------------------------------

def test_declining_without_a_reason_is_refused_and_changes_nothing(seller_client, sp):
    po, _team = sp
    before = audit_count()
    response = seller_client.post(url(po, "/tolak"), data={"reason": "  "})
    assert response.status_code == 422
    assert "Tuliskan alasan menolak pesanan." in text_of(response.get_data(as_text=True))
    assert fresh(po).status == "issued" and audit_count() == before


def test_declining_with_a_reason_tells_the_agency_why(seller_client, sp):
    po, _team = sp
    response = seller_client.post(url(po, "/tolak"), data={"reason": "Bahan baku habis sampai bulan depan."})
    assert response.status_code == 302
    po = fresh(po)
    assert po.status == "declined" and po.decline_reason == "Bahan baku habis sampai bulan depan."
    assert po.request.status == "cancelled"  # its only Surat Pesanan
    detail = page(seller_client, url(po))
    assert "Anda menolak Surat Pesanan ini. Alasan: Bahan baku habis sampai bulan depan." in detail
    assert "Terima Surat Pesanan" not in detail
    assert po.number in page(seller_client, "/penjual/pesanan-pemerintah?status=ditolak")


def test_a_decline_reason_over_500_characters_is_refused(seller_client, sp):
    po, _team = sp
    response = seller_client.post(url(po, "/tolak"), data={"reason": "x" * 501})
    assert response.status_code == 422 and "Paling banyak 500 karakter." in response.get_data(as_text=True)
    assert fresh(po).status == "issued"


def test_accepting_twice_is_refused_with_a_message(seller_client, sp):
    po, _team = sp
    seller_client.post(url(po, "/terima"))
    response = seller_client.post(url(po, "/terima"), follow_redirects=True)
    assert "tidak dapat diubah" in text_of(response.get_data(as_text=True))
    assert fresh(po).status == "accepted"


# --- deliveries -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, message", [
    ({"qty": "101"}, "paling banyak 100 lagi yang belum dikirim"),
    ({"qty": "0"}, "Isi jumlah untuk sedikitnya satu barang."),
    ({"qty": ""}, "Isi jumlah untuk sedikitnya satu barang."),
    ({"qty": "sepuluh"}, "angka"),
    ({"qty": "-3"}, "negatif"),
    ({"qty": "10", "shipped_on": "2999-01-01"}, "Tanggal tidak boleh setelah hari ini."),
    ({"qty": "10", "shipped_on": "kemarin"}, "Tanggal tidak valid."),
    ({"qty": "10", "note": "n" * 501}, "Paling banyak 500 karakter."),
])
def test_a_bad_delivery_is_refused_with_a_message_and_changes_nothing(seller_client, sp, data, message):
    po, _team = sp
    seller_client.post(url(po, "/terima"))
    before = audit_count()
    form = {f"line-{po.lines[0].id}": data.pop("qty"), **data}
    response = seller_client.post(url(po, "/kirim"), data=form)
    assert response.status_code == 422
    assert message in text_of(response.get_data(as_text=True))
    po = fresh(po)
    assert po.status == "accepted" and po.lines[0].quantity_shipped == 0 and not po.deliveries
    assert audit_count() == before
    assert db.session.scalar(select(func.count(GovDelivery.id))) == 0


def test_what_was_typed_comes_back_beside_the_line(seller_client, sp):
    po, _team = sp
    seller_client.post(url(po, "/terima"))
    name = f"line-{po.lines[0].id}"
    html = seller_client.post(url(po, "/kirim"), data={name: "250", "note": "Kurir JNE"}).get_data(as_text=True)
    assert f'name="{name}" maxlength="9"' in html and 'value="250"' in html and 'aria-invalid="true"' in html
    assert 'value="Kurir JNE"' in html


def test_no_delivery_before_accepting(seller_client, sp):
    po, _team = sp
    response = seller_client.post(url(po, "/kirim"), data={f"line-{po.lines[0].id}": "5"})
    assert response.status_code == 422 and "setelah Surat Pesanan Anda terima" in response.get_data(as_text=True)
    assert fresh(po).lines[0].quantity_shipped == 0


# --- the invoice ------------------------------------------------------------------------------------------

def test_no_invoice_before_the_bast_covers_everything(seller_client, sp):
    po, (_agency, _pp, ppk, _b) = sp
    seller_client.post(url(po, "/terima"))
    seller_client.post(url(po, "/kirim"), data={f"line-{po.lines[0].id}": "100"})
    receive(po, ppk, 99, "BAST/1")
    assert "Terbitkan tagihan" not in page(seller_client, url(po))
    before = audit_count()
    response = seller_client.post(url(po, "/tagihan"), follow_redirects=True)
    assert "Tagihan baru dapat diterbitkan setelah PPK mencatat BAST untuk semua barang." in text_of(
        response.get_data(as_text=True))
    assert fresh(po).status == "shipped" and fresh(po).invoice is None and audit_count() == before
    assert seller_client.get(url(po, "/tagihan/cetak")).status_code == 404
    assert seller_client.get(url(po, "/tagihan.pdf")).status_code == 404


def _received(client, po, ppk):
    client.post(url(po, "/terima"))
    client.post(url(po, "/kirim"), data={f"line-{po.lines[0].id}": str(po.lines[0].quantity)})
    receive(po, ppk, po.lines[0].quantity, "BAST/9")


@pytest.mark.parametrize("setup, expected, absent", [
    # PKP: PPN 11% inside the price (DPP = total × 100/111), PPh 22 1,5% of the DPP.
    ({"is_pkp": True}, ["DPP Rp 4.504.505", "PPN 11% (sudah termasuk dalam harga) − Rp 495.495",
                        "PPh 22 1,5% dari DPP − Rp 67.568", "Yang Anda terima Rp 4.436.937"], ["bukan PKP"]),
    # A valid Suket PP 55: 0,5% final.
    ({"pp55": True}, ["PPh 22 final 0,5% (Suket PP 55) − Rp 25.000", "Yang Anda terima Rp 4.975.000"], ["1,5%"]),
    # Rp2.000.000 or less: no PPh 22.
    ({"quantity": 40}, ["Total harga Rp 2.000.000", "PPh 22 — tidak dipungut (sampai Rp2.000.000) Rp 0",
                        "Yang Anda terima Rp 2.000.000"], ["1,5%"]),
])
def test_the_tax_preview_before_invoicing(client, app, setup, expected, absent):
    po, (_agency, _pp, ppk, _b) = gen_gov_order(price=50_000, **{"quantity": 100, **setup})
    log_in(client, po.seller.user)
    _received(client, po, ppk)
    detail = page(client, url(po))
    for text in expected:
        assert text in detail, text
    for text in absent:
        assert text not in detail, text


def test_an_overdue_invoice_says_how_late_it_is(seller_client, sp):
    po, (_agency, _pp, ppk, _b) = sp
    _received(seller_client, po, ppk)
    seller_client.post(url(po, "/tagihan"))
    invoice = fresh(po).invoice
    invoice.due_on = jakarta_today() - timedelta(days=12)
    db.session.commit()
    assert "terlambat 12 hari" in page(seller_client, "/penjual/pesanan-pemerintah")
    detail = page(seller_client, url(po))
    assert "terlambat 12 hari" in detail and "melewati jatuh tempo" in detail


# --- the list -----------------------------------------------------------------------------------------------

def test_the_list_shows_only_the_sellers_own_orders_with_tab_counts(seller_client, sp):
    po, _team = sp
    other, _ = gen_gov_order(business_name="Batik Pak Darto")
    listing = page(seller_client, "/penjual/pesanan-pemerintah")
    assert po.number in listing and other.number not in listing
    assert "Baru 1" in listing and "Dibayar 0" in listing
    assert "Tidak ada Surat Pesanan dengan status ini." in page(seller_client, "/penjual/pesanan-pemerintah?status=dikirim")
    assert po.number in page(seller_client, "/penjual/pesanan-pemerintah?status=apa-saja")  # unknown tab: all


def test_the_list_is_paginated_newest_first(seller_client, sp, monkeypatch):
    po, _team = sp
    monkeypatch.setattr(seller_orders_service, "PER_PAGE", 2)
    more = [gen_gov_order(seller=po.seller, title=f"Barang {n}")[0] for n in range(3)]
    first = page(seller_client, "/penjual/pesanan-pemerintah")
    second = page(seller_client, "/penjual/pesanan-pemerintah?hal=2")
    assert more[2].number in first and more[1].number in first and po.number not in first
    assert po.number in second and "dari 4 Surat Pesanan" in first


def test_the_list_issues_the_same_statements_whatever_the_rows(app, seller_client, sp):
    po, _team = sp

    def statements():
        seller_client.get("/penjual/pesanan-pemerintah")
        with count_queries(app) as counter:
            assert seller_client.get("/penjual/pesanan-pemerintah").status_code == 200
        return counter.count

    few = statements()
    for n in range(4):  # other agencies, with invoices
        other_po, (_a, _pp, ppk, _b) = gen_gov_order(seller=po.seller, title=f"Barang {n}")
        _received(seller_client, other_po, ppk)
        seller_client.post(url(other_po, "/tagihan"))
    assert statements() == few


# --- who may see what -------------------------------------------------------------------------------------------

GET_TAILS = ["", "/cetak", "/sp.pdf", "/tagihan/cetak", "/tagihan.pdf"]
POST_TAILS = ["/terima", "/tolak", "/kirim", "/tagihan"]


def test_another_sellers_order_is_not_found_on_every_route(client, sp):
    po, (_agency, _pp, ppk, _b) = sp
    log_in(client, po.seller.user)
    _received(client, po, ppk)
    client.post(url(po, "/tagihan"))
    receipt_id = fresh(po).receipts[0].id
    other = gen_seller(business_name="Penjual Lain")
    db.session.commit()
    log_in(client, other.user)
    for tail in [*GET_TAILS, f"/bast/{receipt_id}/cetak", f"/bast/{receipt_id}.pdf"]:
        assert client.get(url(po, tail)).status_code == 404, tail
    for tail in POST_TAILS:
        assert client.post(url(po, tail), data={"reason": "x", f"line-{po.lines[0].id}": "1"}).status_code == 404, tail
    assert fresh(po).status == "invoiced"
    assert client.get("/penjual/pesanan-pemerintah/999999").status_code == 404


def test_a_bast_of_another_order_is_not_found_under_this_one(seller_client, sp):
    po, _team = sp
    other, other_team = gen_gov_order(seller=po.seller, title="Barang lain")
    _received(seller_client, other, other_team[2])
    receipt_id = fresh(other).receipts[0].id
    assert seller_client.get(url(po, f"/bast/{receipt_id}/cetak")).status_code == 404
    assert seller_client.get(url(other, f"/bast/{receipt_id}/cetak")).status_code == 200


def test_anonymous_visitors_log_in_and_other_roles_get_403(client, sp):
    po, _team = sp
    for address in ["/penjual/pesanan-pemerintah", url(po), url(po, "/sp.pdf")]:
        response = client.get(address)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    for user in (gen_user(), gen_officer()):
        db.session.commit()
        log_in(client, user)
        assert client.get("/penjual/pesanan-pemerintah").status_code == 403
        assert client.get(url(po)).status_code == 403
        assert client.post(url(po, "/terima")).status_code == 403
    assert fresh(po).status == "issued"


def test_actions_need_the_pages_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        po, _team = gen_gov_order()
        log_in(client, po.seller.user)
        assert client.post(url(po, "/terima")).status_code == 400
        assert client.post(url(po, "/tolak"), data={"reason": "Habis", "csrf_token": "palsu"}).status_code == 400
        assert fresh(po).status == "issued"
        html = client.get(url(po)).get_data(as_text=True)
        token = csrf_token_from(html[html.index("/terima"):])
        assert client.post(url(po, "/terima"), data={"csrf_token": token}).status_code == 302
        assert fresh(po).status == "accepted"
