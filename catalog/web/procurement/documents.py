"""Printable procurement documents for the agency: the Surat Pesanan, each BAST and the invoice,
as a print page (the browser's print, with static/css/print.css) and as a PDF download. One
template per document serves both (rendered with pdf=True the page's chrome is left out).

Every view is for a confirmed officer of the agency, whatever the duty
(`agency_officer_required()`: anonymous → log-in page, other roles and unconfirmed officers →
403). Documents are fetched through the officer's agency (orders.agency_order,
orders.agency_invoice; a BAST through its Surat Pesanan's agency), so another agency's id
answers 404. The seller's side reuses print_page() and pdf_download() (web/seller/gov_orders.py)."""

import io

from flask import abort, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import agency_officer_required
from catalog.extensions import db
from catalog.models import Receipt
from catalog.services.errors import NotFound
from catalog.services.procurement import documents, orders

# Module imports (not names): web/seller imports this module while web/procurement may still be
# loading, and the names are only needed when a page is rendered.
from catalog.web.procurement import bp, forms

PRIVATE_NO_STORE = "private, no-store"


def print_page(doc: documents.PrintDocument, *, back_url: str, back_label: str, pdf_url: str):
    """The document on a page of its own, with the way back, the PDF link and a print button."""
    response = render_template(doc.template, pdf=False, doc=doc, back_url=back_url, back_label=back_label,
                               pdf_url=pdf_url, method_labels=forms.METHOD_LABELS, **doc.context)
    return response, 200, {"Cache-Control": PRIVATE_NO_STORE}


def pdf_download(doc: documents.PrintDocument):
    """The same template without the page around it, as an A4 PDF attachment named after the
    document's number; never kept by a shared cache."""
    html = render_template(doc.template, pdf=True, doc=doc, method_labels=forms.METHOD_LABELS, **doc.context)
    data = documents.render_pdf(html, title=doc.title,
                                footer=_("%(title)s · Katalog UMKM Tangerang Raya", title=doc.title))
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=doc.filename, max_age=0)
    response.headers["Cache-Control"] = PRIVATE_NO_STORE
    return response


# --- scoped to the officer's agency ---------------------------------------------------------------

def _order_or_404(order_id: int):
    try:
        return orders.agency_order(current_user, order_id)
    except NotFound:
        abort(404)


def _invoice_or_404(invoice_id: int):
    try:
        return orders.agency_invoice(current_user, invoice_id)
    except NotFound:
        abort(404)


def _receipt_or_404(receipt_id: int) -> Receipt:
    receipt = db.session.get(Receipt, receipt_id)
    if receipt is None:
        abort(404)
    _order_or_404(receipt.purchase_order_id)  # another agency's BAST: 404 like a missing one
    return receipt


def _back_to_order(po) -> dict:
    # The agency's Surat Pesanan page (web/procurement/orders.py) lives at the address the
    # procurement notifications link to.
    return {"back_url": f"{bp.url_prefix}/sp/{po.id}",
            "back_label": _("Kembali ke Surat Pesanan %(number)s", number=po.number)}


@bp.get("/sp/<int:id>/cetak", endpoint="print_order")
@agency_officer_required()
def print_order(id: int):
    """The Surat Pesanan to print. Confirmed officers of the agency; another agency's 404."""
    po = _order_or_404(id)
    return print_page(documents.order_document(po), pdf_url=url_for("procurement.order_pdf", id=po.id),
                      **_back_to_order(po))


@bp.get("/sp/<int:id>.pdf", endpoint="order_pdf")
@agency_officer_required()
def order_pdf(id: int):
    """The Surat Pesanan as a PDF. Confirmed officers of the agency; another agency's 404."""
    return pdf_download(documents.order_document(_order_or_404(id)))


@bp.get("/bast/<int:id>/cetak", endpoint="print_receipt")
@agency_officer_required()
def print_receipt(id: int):
    """One BAST to print (the lines received in it). Confirmed officers of the agency of its
    Surat Pesanan; another agency's 404."""
    receipt = _receipt_or_404(id)
    return print_page(documents.receipt_document(receipt), pdf_url=url_for("procurement.receipt_pdf", id=receipt.id),
                      **_back_to_order(receipt.purchase_order))


@bp.get("/bast/<int:id>.pdf", endpoint="receipt_pdf")
@agency_officer_required()
def receipt_pdf(id: int):
    """One BAST as a PDF. Confirmed officers of the agency; another agency's 404."""
    return pdf_download(documents.receipt_document(_receipt_or_404(id)))


@bp.get("/tagihan/<int:id>/cetak", endpoint="print_invoice")
@agency_officer_required()
def print_invoice(id: int):
    """The seller's invoice (kuitansi) to print. Confirmed officers of the agency; another
    agency's 404."""
    invoice = _invoice_or_404(id)
    return print_page(documents.invoice_document(invoice), pdf_url=url_for("procurement.invoice_pdf", id=invoice.id),
                      **_back_to_order(invoice.purchase_order))


@bp.get("/tagihan/<int:id>.pdf", endpoint="invoice_pdf")
@agency_officer_required()
def invoice_pdf(id: int):
    """The invoice as a PDF. Confirmed officers of the agency; another agency's 404."""
    return pdf_download(documents.invoice_document(_invoice_or_404(id)))
