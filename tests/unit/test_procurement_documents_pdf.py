"""The procurement documents as PDF (services/procurement/documents.py): one template for the
print page and the PDF, rendered by fpdf2 in DejaVu Sans without a warning, with the number, the
parties, the lines and the money legible in the text; safe file names; the amount in words."""

import logging

import pytest
from flask import render_template

from catalog.extensions import db
from catalog.services.procurement import documents, orders
from catalog.web.procurement.forms import METHOD_LABELS
from tests.gov_documents_factories import gen_gov_order, pdf_text


def _html(doc) -> str:
    return render_template(doc.template, pdf=True, doc=doc, method_labels=METHOD_LABELS, **doc.context)


def _pdf_text(app, doc) -> str:
    with app.test_request_context("/"):
        data = documents.render_pdf(_html(doc), title=doc.title, compress=False)
    assert data.startswith(b"%PDF")
    return pdf_text(data)


@pytest.fixture
def received(app):
    """A Surat Pesanan delivered and received in two BASTs (Rp5.000.000, seller not PKP)."""
    po, team = gen_gov_order(quantity=100, price=50_000)
    seller, ppk = po.seller, team[2]
    seller.bank_name, seller.bank_account_number, seller.bank_account_name = "Bank BJB", "0012345678", "Siti Aminah"
    ppk.membership.employee_number = "198001012005011001"
    db.session.commit()
    line = po.lines[0]
    orders.accept(po, seller, actor_id=seller.user_id)
    orders.record_delivery(po, seller, actor_id=seller.user_id, quantities={line.id: 100}, note="Kurir toko")
    orders.record_receipt(po, ppk, number="BAST/007/KOMINFO/2026", received_on=None, quantities={line.id: 60})
    orders.record_receipt(po, ppk, number="BAST/008/KOMINFO/2026", received_on=None, quantities={line.id: 40})
    return po, team


def test_the_surat_pesanan_pdf_carries_number_parties_lines_and_tax_preview(app, received):
    po, _team = received
    text = _pdf_text(app, documents.order_document(po))
    for expected in ("SURAT PESANAN", po.number, "Dinas Kominfo Tangsel", "Kopi Pamulang", po.seller.nib,
                     "0123456789012345", "Kopi Robusta 250gr", "Rp 50.000", "Rp 5.000.000",
                     "PPh 22 1,5% dari DPP", "Rp 75.000", "Rp 4.925.000", "Pejabat Pengadaan", "Penyedia"):
        assert expected in text, expected


def test_the_bast_pdf_lists_only_what_that_receipt_took_in(app, received):
    po, _team = received
    text = _pdf_text(app, documents.receipt_document(po.receipts[0]))
    assert "BERITA ACARA SERAH TERIMA" in text and "BAST/007/KOMINFO/2026" in text and po.number in text
    assert "Rp 3.000.000" in text  # 60 × Rp50.000 received in this BAST
    assert "NIP 198001012005011001" in text and "BAST/008" not in text


def test_the_invoice_pdf_has_due_date_taxes_bank_account_and_amount_in_words(app, received):
    po, _team = received
    invoice = orders.issue_invoice(po, po.seller, actor_id=po.seller.user_id)
    text = _pdf_text(app, documents.invoice_document(invoice))
    for expected in ("TAGIHAN / KUITANSI", invoice.number, "Jatuh tempo", "Bank BJB", "0012345678", "Siti Aminah",
                     "Lima juta rupiah", "Rp 4.925.000", "BAST/007/KOMINFO/2026", "BELUM DIBAYAR"):
        assert expected in text, expected


def test_unicode_survives_in_dejavu(app):
    text = pdf_text(documents.render_pdf("<p>Rp 1.250.000 – “Kerupuk” Bu Sari · 40%</p>", title="x", compress=False))
    assert "Rp 1.250.000 – “Kerupuk” Bu Sari · 40%" in text


def test_compressed_pdf_is_the_default_and_smaller(app, received):
    po, _team = received
    doc = documents.order_document(po)
    with app.test_request_context("/"):
        html = _html(doc)
        packed = documents.render_pdf(html, title=doc.title)
        plain = documents.render_pdf(html, title=doc.title, compress=False)
    assert packed.startswith(b"%PDF") and b"/FlateDecode" in packed and len(packed) < len(plain)
    assert len(packed) < 120_000  # the fonts are subset, not embedded whole


def test_rendering_logs_no_fpdf_complaint(app, received, caplog):
    """fpdf2 logs (not warns) unsupported markup: the documents stay inside what it reads."""
    po, _team = received
    invoice = orders.issue_invoice(po, po.seller, actor_id=po.seller.user_id)
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        for doc in (documents.order_document(po), documents.receipt_document(po.receipts[0]),
                    documents.invoice_document(invoice)):
            _pdf_text(app, doc)
    assert not [r for r in caplog.records if r.name.startswith("fpdf")]


@pytest.mark.parametrize("number, name", [
    ("SP/DISKOMINFO-TGSL/2026/0001", "sp-SP-DISKOMINFO-TGSL-2026-0001.pdf"),
    ('BAST 7/"a";b\r\n', "sp-BAST-7-a-b.pdf"),
    ("///", "sp-dokumen.pdf"),
])
def test_file_names_are_safe_for_the_header(number, name):
    assert documents.pdf_filename("sp", number) == name


@pytest.mark.parametrize("amount, words", [
    (0, "Nol rupiah"),
    (11, "Sebelas rupiah"),
    (115, "Seratus lima belas rupiah"),
    (1_000, "Seribu rupiah"),
    (2_000_000, "Dua juta rupiah"),
    (1_250_000, "Satu juta dua ratus lima puluh ribu rupiah"),
    (4_925_000, "Empat juta sembilan ratus dua puluh lima ribu rupiah"),
    (1_001_001_001, "Satu miliar satu juta seribu satu rupiah"),
])
def test_terbilang(amount, words):
    assert documents.terbilang(amount) == words
