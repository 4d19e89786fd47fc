"""Printable Surat Pesanan, BAST and invoice, for the agency (/pengadaan/…/cetak and .pdf) and the
seller (/penjual/pesanan-pemerintah/…): the print page shows what the paper needs (agency,
seller with NIB and NPWP, lines, totals, taxes, signatures) with a print stylesheet and a Cetak
button that works without JS; the PDF is an attachment with a safe name, never cached, whose text
carries the number; another agency's officer and another seller get 404."""

from functools import partial

import pytest
from werkzeug.security import generate_password_hash

from catalog.extensions import db
from catalog.models.agencies import MEMBERSHIP_PENDING
from catalog.services.procurement import documents, orders
from tests.factories import gen_agency_team, gen_officer, gen_seller, gen_user
from tests.gov_documents_factories import gen_gov_order, pdf_text
from tests.integration.test_seller_dashboard import log_in, text_of


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    from catalog.models import users

    monkeypatch.setattr(users, "generate_password_hash",
                        lambda password, method=None: generate_password_hash(password, method="pbkdf2:sha256:1"))


@pytest.fixture
def paid(app):
    """A Surat Pesanan delivered, received in two BASTs, invoiced and paid (PKP seller):
    (po, receipts, invoice, team)."""
    po, team = gen_gov_order(quantity=100, price=50_000, is_pkp=True, address="Jl. Siliwangi No. 5")
    _agency, _pp, ppk, bendahara = team
    seller, line = po.seller, po.lines[0]
    seller.bank_name, seller.bank_account_number, seller.bank_account_name = "Bank BJB", "0012345678", "Siti Aminah"
    db.session.commit()
    orders.accept(po, seller, actor_id=seller.user_id)
    orders.record_delivery(po, seller, actor_id=seller.user_id, quantities={line.id: 100})
    orders.record_receipt(po, ppk, number="BAST/007/2026", received_on=None, quantities={line.id: 70})
    orders.record_receipt(po, ppk, number="BAST/008/2026", received_on=None, quantities={line.id: 30})
    invoice = orders.issue_invoice(po, seller, actor_id=seller.user_id)
    orders.record_payment(invoice, bendahara, method="transfer", reference="TRX-0099", paid_on=None)
    return po, list(po.receipts), invoice, team


def agency_urls(po, receipts, invoice):
    return {
        "print_order": f"/pengadaan/sp/{po.id}/cetak", "order_pdf": f"/pengadaan/sp/{po.id}.pdf",
        "print_receipt": f"/pengadaan/bast/{receipts[0].id}/cetak", "receipt_pdf": f"/pengadaan/bast/{receipts[0].id}.pdf",
        "print_invoice": f"/pengadaan/tagihan/{invoice.id}/cetak", "invoice_pdf": f"/pengadaan/tagihan/{invoice.id}.pdf",
    }


def seller_urls(po, receipts):
    base = f"/penjual/pesanan-pemerintah/{po.id}"
    return {"print_order": f"{base}/cetak", "order_pdf": f"{base}/sp.pdf",
            "print_receipt": f"{base}/bast/{receipts[0].id}/cetak", "receipt_pdf": f"{base}/bast/{receipts[0].id}.pdf",
            "print_invoice": f"{base}/tagihan/cetak", "invoice_pdf": f"{base}/tagihan.pdf"}


@pytest.fixture
def readable_pdfs(monkeypatch):
    """PDFs rendered without compression, so a test can also check the raw bytes."""
    monkeypatch.setattr(documents, "render_pdf", partial(documents.render_pdf, compress=False))


def check_print_page(response, expected):
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(html)
    for item in expected:
        assert item in text, item
    assert "css/print.css" in html and "js/print.js" in html
    assert 'data-print' in html and "Ctrl+P" in text  # the button opens the PDF without JS
    assert response.headers["Cache-Control"] == "private, no-store"
    return html


def check_pdf(response, filename, expected):
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename={filename}"
    assert "no-store" in response.headers["Cache-Control"] and "private" in response.headers["Cache-Control"]
    data = response.get_data()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for item in expected:
        assert item in text, item


@pytest.mark.parametrize("who", ["agency", "seller"])
def test_the_surat_pesanan_print_page_and_pdf(client, paid, who, readable_pdfs):
    po, receipts, invoice, (agency, pp, _ppk, _b) = paid
    log_in(client, pp if who == "agency" else po.seller.user)
    urls = agency_urls(po, receipts, invoice) if who == "agency" else seller_urls(po, receipts)
    html = check_print_page(client.get(urls["print_order"]), [
        "SURAT PESANAN", po.number, "Dinas Kominfo Tangsel", "Jl. Maruga No. 1", "Kopi Pamulang", po.seller.nib,
        "0123456789012345 · PKP", "Jl. Siliwangi No. 5", "Kopi Robusta 250gr", "100", "pcs", "Rp 50.000",
        "Total Rp 5.000.000", "PPh 22 1,5% dari DPP", "Diterima penyedia Rp 4.436.937", "Pejabat penandatangan,",
        "Pejabat Pengadaan " + agency.name, "Penyedia,"])
    assert urls["order_pdf"] in html
    number = po.number.replace("/", "-")
    check_pdf(client.get(urls["order_pdf"]), f"sp-{number}.pdf", ["SURAT PESANAN", po.number, po.seller.nib,
                                                                    "Rp 5.000.000", "Kopi Robusta 250gr"])


@pytest.mark.parametrize("who", ["agency", "seller"])
def test_a_bast_print_page_and_pdf_show_what_that_receipt_took_in(client, paid, who, readable_pdfs):
    po, receipts, invoice, (_agency, _pp, ppk, _b) = paid
    log_in(client, ppk if who == "agency" else po.seller.user)
    urls = agency_urls(po, receipts, invoice) if who == "agency" else seller_urls(po, receipts)
    check_print_page(client.get(urls["print_receipt"]), [
        "BERITA ACARA SERAH TERIMA BARANG", "BAST/007/2026", po.number, "Kopi Robusta 250gr", "100 70",
        "Nilai barang yang diterima: Rp 3.500.000.", "Yang menerima,", "PPK Instansi", "Yang menyerahkan,"])
    check_pdf(client.get(urls["receipt_pdf"]), "bast-BAST-007-2026.pdf", ["BAST/007/2026", "Rp 3.500.000"])


@pytest.mark.parametrize("who", ["agency", "seller"])
def test_the_invoice_print_page_and_pdf(client, paid, who, readable_pdfs):
    po, receipts, invoice, (_agency, _pp, _ppk, bendahara) = paid
    log_in(client, bendahara if who == "agency" else po.seller.user)
    urls = agency_urls(po, receipts, invoice) if who == "agency" else seller_urls(po, receipts)
    check_print_page(client.get(urls["print_invoice"]), [
        "TAGIHAN / KUITANSI", invoice.number, "Jatuh tempo:", "LUNAS — dibayar", "ref. TRX-0099",
        "Uang sejumlah Rp 5.000.000", "Terbilang Lima juta rupiah", "DPP) Rp 4.504.505",
        "PPN 11% (termasuk dalam harga) Rp 495.495", "Rp 67.568", "Diterima penyedia Rp 4.436.937",
        "Bank BJB", "0012345678", "Siti Aminah", "Transfer bank", "BAST BAST/007/2026", "BAST BAST/008/2026"])
    check_pdf(client.get(urls["invoice_pdf"]), f"tagihan-{invoice.number.replace('/', '-')}.pdf",
              [invoice.number, "Rp 4.436.937", "Bank BJB"])


def test_the_pdf_is_compressed_when_served(client, paid):
    po, _receipts, _invoice, (_agency, pp, _ppk, _b) = paid
    log_in(client, pp)
    data = client.get(f"/pengadaan/sp/{po.id}.pdf").get_data()
    assert data.startswith(b"%PDF") and b"/FlateDecode" in data
    assert po.number in pdf_text(data)


def test_an_officer_of_another_agency_gets_404_on_every_document(client, paid):
    po, receipts, invoice, _team = paid
    _other, other_pp, other_ppk, other_bendahara = gen_agency_team()
    db.session.commit()
    for officer in (other_pp, other_ppk, other_bendahara):
        log_in(client, officer)
        for name, address in agency_urls(po, receipts, invoice).items():
            assert client.get(address).status_code == 404, (name, officer.membership.duty)
    for address in ("/pengadaan/sp/999999/cetak", "/pengadaan/bast/999999.pdf", "/pengadaan/tagihan/999999/cetak"):
        assert client.get(address).status_code == 404, address


def test_sellers_shoppers_and_unconfirmed_officers_may_not_open_agency_documents(client, paid):
    po, receipts, invoice, team = paid
    waiting = gen_officer(agency=team[0], status=MEMBERSHIP_PENDING)
    db.session.commit()
    for user in (po.seller.user, gen_user(), waiting):
        db.session.commit()
        log_in(client, user)
        for address in agency_urls(po, receipts, invoice).values():
            assert client.get(address).status_code == 403, address


def test_another_seller_gets_404_on_every_seller_document(client, paid):
    po, receipts, _invoice, _team = paid
    other = gen_seller(business_name="Penjual Lain")
    db.session.commit()
    log_in(client, other.user)
    for address in seller_urls(po, receipts).values():
        assert client.get(address).status_code == 404, address


def test_anonymous_visitors_are_sent_to_log_in(client, paid):
    po, receipts, invoice, _team = paid
    for address in [*agency_urls(po, receipts, invoice).values(), *seller_urls(po, receipts).values()]:
        response = client.get(address)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"], address


def test_before_payment_the_invoice_says_unpaid_and_how_late(client, app):
    po, (_agency, _pp, ppk, bendahara) = gen_gov_order(quantity=10, price=50_000)
    seller = po.seller
    orders.accept(po, seller, actor_id=seller.user_id)
    orders.record_receipt(po, ppk, number="BAST/1", received_on=None, quantities={po.lines[0].id: 10})
    invoice = orders.issue_invoice(po, seller, actor_id=seller.user_id)
    log_in(client, bendahara)
    text = text_of(client.get(f"/pengadaan/tagihan/{invoice.id}/cetak").get_data(as_text=True))
    assert "BELUM DIBAYAR" in text and "PPh 22 (tidak dipungut: sampai Rp2.000.000) Rp 0" in text
    assert "PPN (penyedia bukan PKP) Rp 0" in text and "Bank belum diisi penyedia" in text
    invoice.due_on = invoice.issued_on.replace(year=invoice.issued_on.year - 1)
    db.session.commit()
    text = text_of(client.get(f"/pengadaan/tagihan/{invoice.id}/cetak").get_data(as_text=True))
    assert "BELUM DIBAYAR — terlambat" in text
