"""The agency's Surat Pesanan (/pengadaan/sp) with deliveries, the PPK's BAST and rating; its
invoices (/pengadaan/tagihan) with the tax preview and the Bendahara's payment; and the agency's
audit trail (/pengadaan/audit).

Every view is for a confirmed officer (`agency_officer_required`, with the duty each action
needs: BAST and rating the PPK, payment the Bendahara; a wrong duty or an unconfirmed officer →
403). Objects are fetched through `orders.agency_order` / `orders.agency_invoice`, so another
agency's id answers 404 for GET and POST alike; the audit trail shows only rows stamped with the
officer's agency. A refusal (DomainError) is shown on the page and changes nothing."""

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from catalog.authz import agency_officer_required, current_membership
from catalog.extensions import db
from catalog.models import GovDelivery, Invoice, PurchaseOrder, Receipt
from catalog.models.agencies import DUTY_BENDAHARA, DUTY_PPK
from catalog.models.procurement import INVOICE_ISSUED, PO_ACCEPTED, PO_SHIPPED
from catalog.services import states
from catalog.services.catalogue import page_number
from catalog.services.certificates import jakarta_today
from catalog.services.errors import DomainError, NotFound, ValidationFailed
from catalog.services.money import parse_quantity
from catalog.services.procurement import agency_lists, orders
from catalog.web.procurement import bp
from catalog.web.procurement.forms import METHOD_LABELS, PaymentForm, RatingForm, ReceiptForm, attach_error
from catalog.web.procurement.requests import tabbed_list

ORDER_TAB_LABELS = {
    agency_lists.ORDER_TAB_ALL: _l("Semua"), "menunggu-penjual": _l("Menunggu penjual"),
    "perlu-bast": _l("Perlu BAST"), "ditagih": _l("Diterima/Ditagih"), "lunas": _l("Lunas"),
    "batal": _l("Ditolak/Batal"),
}
INVOICE_TAB_LABELS = {agency_lists.INVOICE_TAB_UNPAID: _l("Belum dibayar"), agency_lists.INVOICE_TAB_PAID: _l("Lunas"),
                      agency_lists.INVOICE_TAB_ALL: _l("Semua")}
AUDIT_KIND_LABELS = {
    "purchase_request": _l("Permintaan pembelian"), "purchase_order": _l("Surat Pesanan"),
    "invoice": _l("Tagihan"), "rfq": _l("Permintaan penawaran"),
}


def document_links(object_id: int, *endpoints: tuple[str, str]) -> list[tuple[str, str]]:
    """Links to the printable page and the PDF of a document (web/procurement/documents.py),
    only for the endpoints that exist."""
    return [(url_for(endpoint, id=object_id), label) for endpoint, label in endpoints
            if endpoint in current_app.view_functions]


def print_links(po: PurchaseOrder) -> list[tuple[str, str]]:
    return document_links(po.id, ("procurement.print_order", _("Cetak Surat Pesanan")),
                          ("procurement.order_pdf", _("Unduh PDF")))


def receipt_links(po: PurchaseOrder) -> dict[int, list[tuple[str, str]]]:
    return {receipt.id: document_links(receipt.id, ("procurement.print_receipt", _("Cetak BAST")),
                                       ("procurement.receipt_pdf", _("PDF")))
            for receipt in po.receipts}


def invoice_links(invoice: Invoice) -> list[tuple[str, str]]:
    return document_links(invoice.id, ("procurement.print_invoice", _("Cetak tagihan")),
                          ("procurement.invoice_pdf", _("Unduh PDF")))


# --- Surat Pesanan --------------------------------------------------------------------------------

@bp.get("/sp", endpoint="orders")
@agency_officer_required()
def orders_index():
    """The agency's Surat Pesanan, newest first, with tabs by state (?status=) and pages (?hal=).
    Confirmed officers; others 403. Never 404."""
    member = current_membership()
    page = agency_lists.order_page(member.agency_id, request.args.get("status"), page_number(request.args.get("hal")))
    return tabbed_list("procurement/orders/index.html", page, agency_lists.ORDER_TAB_ALL,
                       list(ORDER_TAB_LABELS.items()), state_name=states.state_name)


def _order_or_404(order_id: int) -> PurchaseOrder:
    try:
        return orders.agency_order(current_user, order_id)
    except NotFound:
        abort(404)


def _order_loaded(order_id: int) -> PurchaseOrder:
    po = _order_or_404(order_id)
    db.session.scalars(select(PurchaseOrder).where(PurchaseOrder.id == po.id).options(
        selectinload(PurchaseOrder.lines), selectinload(PurchaseOrder.seller),
        selectinload(PurchaseOrder.deliveries).selectinload(GovDelivery.lines),
        selectinload(PurchaseOrder.receipts).selectinload(Receipt.lines),
        selectinload(PurchaseOrder.receipts).selectinload(Receipt.recorded_by),
        selectinload(PurchaseOrder.invoice), selectinload(PurchaseOrder.rating),
    )).all()
    return po


def open_quantities(po: PurchaseOrder) -> dict[int, int]:
    """Per line, what the BAST form offers: shipped but not yet received (never below zero)."""
    return {line.id: max(line.quantity_shipped - line.quantity_received, 0) for line in po.lines}


def _order_page(po, *, receipt_form=None, rating_form=None, typed=None, status=200):
    member = current_membership()
    is_ppk = member.duty == DUTY_PPK
    return render_template(
        "procurement/orders/detail.html", po=po, member=member, state_name=states.state_name,
        can_receive=is_ppk and po.status in (PO_ACCEPTED, PO_SHIPPED),
        can_rate=is_ppk and po.status in ("received", "invoiced", "paid") and po.rating is None,
        receipt_form=receipt_form or ReceiptForm(formdata=None, data={"received_on": jakarta_today()}),
        rating_form=rating_form or RatingForm(formdata=None),
        quantities=typed if typed is not None else {k: str(v) for k, v in open_quantities(po).items()},
        print_links=print_links(po), receipt_links=receipt_links(po),
    ), status


@bp.get("/sp/<int:order_id>", endpoint="order_detail")
@agency_officer_required()
def order_detail(order_id: int):
    """One Surat Pesanan of the agency: lines with ordered / shipped / received, deliveries, BASTs,
    the invoice, the rating, and for the PPK the BAST and rating forms. Confirmed officers; others
    403; another agency's 404."""
    return _order_page(_order_loaded(order_id))


def read_quantities(po: PurchaseOrder, form_data) -> tuple[dict[int, int], dict[int, str]]:
    """The BAST's line-<id> inputs: ({line id: quantity}, {line id: what was typed}). A
    quantity written wrongly raises the money parser's ValidationFailed, named for its line."""
    typed = {line.id: (form_data.get(f"line-{line.id}") or "").strip() for line in po.lines}
    quantities = {}
    for line_id, text in typed.items():
        if not text:
            continue
        try:
            quantities[line_id] = parse_quantity(text)
        except ValidationFailed as error:
            raise ValidationFailed(error.message, field=f"line-{line_id}") from None
    return quantities, typed


@bp.post("/sp/<int:order_id>/bast", endpoint="order_receipt")
@agency_officer_required(DUTY_PPK)
def order_receipt(order_id: int):
    """The PPK records a BAST: the agency's number, the date and the quantity received per line
    (never more than ordered). Confirmed PPK; others 403; another agency's 404."""
    po = _order_or_404(order_id)
    form = ReceiptForm()
    typed = {line.id: (request.form.get(f"line-{line.id}") or "").strip() for line in po.lines}
    if not form.validate():
        return _order_page(_order_loaded(order_id), receipt_form=form, typed=typed, status=422)
    try:
        quantities, typed = read_quantities(po, request.form)
        orders.record_receipt(po, current_user, number=form.number.data, received_on=form.received_on.data,
                              quantities=quantities, notes=form.notes.data)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)  # a line's quantity has no form field: flashed on top
        return _order_page(_order_loaded(order_id), receipt_form=form, typed=typed, status=422)
    flash(_("BAST dicatat."), "success")
    return redirect(url_for("procurement.order_detail", order_id=order_id))


@bp.post("/sp/<int:order_id>/nilai", endpoint="order_rate")
@agency_officer_required(DUTY_PPK)
def order_rate(order_id: int):
    """The PPK rates the seller after the BAST (on time, quantity, quality, 1–5 each).
    Confirmed PPK; others 403; another agency's 404."""
    po = _order_or_404(order_id)
    form = RatingForm()
    if not form.validate():
        return _order_page(_order_loaded(order_id), rating_form=form, status=422)
    try:
        orders.rate(po, current_user, **form.scores(), comment=form.comment.data)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _order_page(_order_loaded(order_id), rating_form=form, status=422)
    flash(_("Terima kasih, penilaian penjual tersimpan."), "success")
    return redirect(url_for("procurement.order_detail", order_id=order_id))


# --- invoices ------------------------------------------------------------------------------------

@bp.get("/tagihan", endpoint="invoices")
@agency_officer_required()
def invoices_index():
    """The agency's invoices: unpaid first by due date (so the most overdue lead), with "terlambat
    N hari"; tabs ?status=belum-dibayar|lunas|semua, pages ?hal=. Confirmed officers; others 403."""
    member = current_membership()
    page = agency_lists.invoice_page(member.agency_id, request.args.get("status"),
                                     page_number(request.args.get("hal")))
    return tabbed_list("procurement/invoices/index.html", page, agency_lists.INVOICE_TAB_UNPAID,
                       list(INVOICE_TAB_LABELS.items()), overdue=page.overdue)


def _invoice_or_404(invoice_id: int) -> Invoice:
    try:
        return orders.agency_invoice(current_user, invoice_id)
    except NotFound:
        abort(404)


def _payment_form(formdata=None) -> PaymentForm:
    form = PaymentForm() if formdata else PaymentForm(formdata=None, data={"paid_on": jakarta_today()})
    form.set_methods(bool(current_app.config.get("STRIPE_SECRET_KEY")))
    return form


def _invoice_page(invoice, *, form=None, status=200):
    member = current_membership()
    return render_template(
        "procurement/invoices/detail.html", invoice=invoice, po=invoice.purchase_order, member=member,
        can_pay=member.duty == DUTY_BENDAHARA and invoice.status == INVOICE_ISSUED,
        form=form or _payment_form(), overdue=orders.days_overdue(invoice), method_labels=METHOD_LABELS,
        print_links=invoice_links(invoice),
    ), status


@bp.get("/tagihan/<int:invoice_id>", endpoint="invoice_detail")
@agency_officer_required()
def invoice_detail(invoice_id: int):
    """One invoice: seller, Surat Pesanan, total, DPP, PPN, PPh 22 and its rate, net payable, due
    date; for the Bendahara the payment form; once paid, how and when. Confirmed officers; others
    403; another agency's 404."""
    return _invoice_page(_invoice_or_404(invoice_id))


@bp.post("/tagihan/<int:invoice_id>/bayar", endpoint="invoice_pay")
@agency_officer_required(DUTY_BENDAHARA)
def invoice_pay(invoice_id: int):
    """The Bendahara records paying the net amount: method (transfer, virtual account, KKP; Stripe
    only when configured), reference, date. Paying twice is refused. Confirmed Bendahara; others
    403; another agency's 404."""
    invoice = _invoice_or_404(invoice_id)
    form = _payment_form(formdata=True)
    if not form.validate():
        return _invoice_page(invoice, form=form, status=422)
    try:
        if form.method.data not in form.allowed_methods:
            raise ValidationFailed(_l("Pilih cara pembayaran."), field="method")
        orders.record_payment(invoice, current_user, method=form.method.data, reference=form.reference.data,
                              paid_on=form.paid_on.data)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _invoice_page(_invoice_or_404(invoice_id), form=form, status=422)
    flash(_("Pembayaran tagihan %(number)s dicatat.", number=invoice.number), "success")
    return redirect(url_for("procurement.invoice_detail", invoice_id=invoice_id))


# --- the audit trail -----------------------------------------------------------------------------

def _day(raw) -> date | None:
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return None


@bp.get("/audit", endpoint="audit")
@agency_officer_required()
def audit():
    """The agency's own audit trail, newest first, 50 a page (?hal=), filtered by kind
    (?jenis=purchase_request|purchase_order|invoice|rfq) and date range (?dari=, ?sampai=,
    YYYY-MM-DD, Jakarta days). Only rows stamped with the officer's agency, never another's.
    Confirmed officers; others 403. Never 404."""
    member = current_membership()
    since, until = _day(request.args.get("dari")), _day(request.args.get("sampai"))
    page = agency_lists.audit_page(member.agency_id, request.args.get("jenis"), since, until,
                                   page_number(request.args.get("hal")))
    params = {k: v for k, v in (("jenis", page.kind), ("dari", since and since.isoformat()),
                                ("sampai", until and until.isoformat())) if v}
    return render_template("procurement/audit.html", page=page, params=params,
                           kinds=list(AUDIT_KIND_LABELS.items()), kind=page.kind, since=since, until=until)
