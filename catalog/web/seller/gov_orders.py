"""Seller views: government orders (Surat Pesanan) — the list with state tabs, one order with the
actions its state allows (accept, decline with a reason, record a delivery, issue the invoice
after the BAST, with the tax preview first), and the printable Surat Pesanan, BAST and invoice
with their PDFs.

Every view is for a logged-in seller with a seller profile (`seller_profile_required`: anonymous
→ log-in page, other roles → 403, a seller without a profile → the registration wizard). Every
Surat Pesanan is fetched through `orders.seller_order`, so another seller's id answers 404 for
GET and POST alike. POSTs go through the global CSRF check (a bad token answers 400); a refusal
changes nothing and comes back in Indonesian beside the field or on top of the page.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import current_seller, seller_profile_required
from catalog.extensions import db
from catalog.models.procurement import PO_RECEIVED
from catalog.services import states
from catalog.services.catalogue import page_number
from catalog.services.certificates import jakarta_today
from catalog.services.errors import DomainError, NotFound
from catalog.services.procurement import documents, orders, seller_orders

# Modules, not names: web/procurement imports web/seller while loading (forms_onboarding), so its
# names may not exist yet when this module is imported; they are looked up per request.
from catalog.web.procurement import documents as agency_documents
from catalog.web.procurement import forms as procurement_forms
from catalog.web.seller import bp
from catalog.web.seller.forms_gov_orders import DeclineForm, DeliveryForm, line_field


def _order_or_404(order_id: int):
    try:
        return orders.seller_order(current_seller(), order_id)
    except NotFound:
        abort(404)


def _to_order(po):
    return redirect(url_for("seller.gov_order_detail", id=po.id))


@bp.get("/pesanan-pemerintah", endpoint="gov_orders")
@seller_profile_required
def gov_orders_index():
    """The seller's Surat Pesanan, newest first, with tabs by state (?status=semua|baru|diproses|
    dikirim|diterima|ditagih|dibayar|ditolak) and pages (?hal=). Sellers with a profile; others
    403. Never 404: an unknown tab shows every order."""
    seller = current_seller()
    tab = seller_orders.tab_key(request.args.get("status"))
    page = seller_orders.seller_gov_orders(seller, tab=tab, page=page_number(request.args.get("hal")),
                                           per_page=seller_orders.PER_PAGE)
    params = {"status": tab} if tab != seller_orders.DEFAULT_TAB else {}
    return render_template("seller/gov_orders/index.html", page=page, tab=tab, params=params,
                           state_name=states.state_name, days_overdue=orders.days_overdue)


@bp.get("/pesanan-pemerintah/<int:id>", endpoint="gov_order_detail")
@seller_profile_required
def gov_order_detail(id: int):
    """One Surat Pesanan with its lines, deliveries, BASTs, invoice and payment, and the actions
    its state allows. Sellers with a profile; others 403; another seller's or an unknown id 404."""
    return _detail_page(_order_or_404(id))


def _detail_page(po, *, decline_form=None, delivery_form=None, status=200):
    if delivery_form is None:
        delivery_form = DeliveryForm(formdata=None)
        delivery_form.prefill(po.lines, jakarta_today())
    invoice = po.invoice
    return render_template(
        "seller/gov_orders/detail.html", po=po, request_=po.request, invoice=invoice,
        payment=invoice.payment if invoice is not None else None,
        tax=orders.tax_preview(po) if po.status == PO_RECEIVED else documents.order_taxes(po),
        decline_form=decline_form or DeclineForm(formdata=None), delivery_form=delivery_form,
        line_field=line_field, state_name=states.state_name, method_labels=procurement_forms.METHOD_LABELS,
        overdue_days=orders.days_overdue(invoice) if invoice is not None else 0,
    ), status


def _button(id: int, act, done: str):
    """An action that is only a button: `act(po)`, then back to the order with `done` or the refusal."""
    po = _order_or_404(id)
    try:
        act(po)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        flash(done, "success")
    return _to_order(po)


@bp.post("/pesanan-pemerintah/<int:id>/terima", endpoint="gov_order_accept")
@seller_profile_required
def gov_order_accept(id: int):
    """issued → accepted. Sellers with a profile; others 403; another seller's order 404."""
    return _button(id, lambda po: orders.accept(po, current_seller(), actor_id=current_user.id),
                   _("Surat Pesanan diterima. Siapkan barangnya, lalu catat pengiriman."))


@bp.post("/pesanan-pemerintah/<int:id>/tolak", endpoint="gov_order_decline")
@seller_profile_required
def gov_order_decline(id: int):
    """issued → declined, with the reason the agency reads (required). Sellers with a profile;
    others 403; another seller's order 404."""
    po = _order_or_404(id)
    form = DeclineForm()
    if not form.validate():
        return _detail_page(po, decline_form=form, status=422)
    try:
        orders.decline(po, current_seller(), actor_id=current_user.id, reason=form.reason.data)
    except DomainError as error:
        db.session.rollback()
        procurement_forms.attach_error(form, error)
        return _detail_page(po, decline_form=form, status=422)
    flash(_("Surat Pesanan ditolak. Instansi sudah diberi tahu alasannya."), "success")
    return _to_order(po)


@bp.post("/pesanan-pemerintah/<int:id>/kirim", endpoint="gov_order_deliver")
@seller_profile_required
def gov_order_deliver(id: int):
    """Record a delivery (some or all of what is left, per line), with its date and a note.
    Sellers with a profile; others 403; another seller's order 404; more than is left, a date
    in the future or nothing to send is refused beside the field and changes nothing."""
    po = _order_or_404(id)
    form = DeliveryForm()
    quantities = form.quantities(po.lines, request.form)
    if not form.validate() or quantities is None:
        return _detail_page(po, delivery_form=form, status=422)
    try:
        orders.record_delivery(po, current_seller(), actor_id=current_user.id, quantities=quantities,
                               shipped_on=form.shipped_on.data, note=form.note.data)
    except DomainError as error:
        db.session.rollback()
        if not form.add_service_error(error):
            procurement_forms.attach_error(form, error)
        return _detail_page(po, delivery_form=form, status=422)
    flash(_("Pengiriman dicatat. Instansi diberi tahu untuk memeriksa barang dan mencatat BAST."), "success")
    return _to_order(po)


@bp.post("/pesanan-pemerintah/<int:id>/tagihan", endpoint="gov_order_invoice")
@seller_profile_required
def gov_order_invoice(id: int):
    """received → invoiced: the invoice with the tax figures shown on the page, due after the
    agency's payment term. Refused before the BAST covers every unit. Sellers with a profile;
    others 403; another seller's order 404."""
    return _button(id, lambda po: orders.issue_invoice(po, current_seller(), actor_id=current_user.id),
                   _("Tagihan diterbitkan dan dikirim ke Bendahara instansi."))


# --- printable documents ----------------------------------------------------------------------------

def _invoice_or_404(po):
    if po.invoice is None:
        abort(404)
    return po.invoice


def _receipt_or_404(po, receipt_id: int):
    receipt = next((r for r in po.receipts if r.id == receipt_id), None)
    if receipt is None:
        abort(404)
    return receipt


def _back(po) -> dict:
    return {"back_url": url_for("seller.gov_order_detail", id=po.id),
            "back_label": _("Kembali ke Surat Pesanan %(number)s", number=po.number)}


@bp.get("/pesanan-pemerintah/<int:id>/cetak", endpoint="gov_order_print")
@seller_profile_required
def gov_order_print(id: int):
    """The Surat Pesanan to print. Sellers with a profile; another seller's order 404."""
    po = _order_or_404(id)
    return agency_documents.print_page(documents.order_document(po), pdf_url=url_for("seller.gov_order_pdf", id=po.id), **_back(po))


@bp.get("/pesanan-pemerintah/<int:id>/sp.pdf", endpoint="gov_order_pdf")
@seller_profile_required
def gov_order_pdf(id: int):
    """The Surat Pesanan as a PDF. Sellers with a profile; another seller's order 404."""
    return agency_documents.pdf_download(documents.order_document(_order_or_404(id)))


@bp.get("/pesanan-pemerintah/<int:id>/bast/<int:receipt_id>/cetak", endpoint="gov_receipt_print")
@seller_profile_required
def gov_receipt_print(id: int, receipt_id: int):
    """One BAST of the order to print. Sellers with a profile; another seller's order, or a BAST
    of another order, 404."""
    po = _order_or_404(id)
    receipt = _receipt_or_404(po, receipt_id)
    return agency_documents.print_page(documents.receipt_document(receipt),
                      pdf_url=url_for("seller.gov_receipt_pdf", id=po.id, receipt_id=receipt.id), **_back(po))


@bp.get("/pesanan-pemerintah/<int:id>/bast/<int:receipt_id>.pdf", endpoint="gov_receipt_pdf")
@seller_profile_required
def gov_receipt_pdf(id: int, receipt_id: int):
    """One BAST as a PDF. Sellers with a profile; another seller's order 404."""
    return agency_documents.pdf_download(documents.receipt_document(_receipt_or_404(_order_or_404(id), receipt_id)))


@bp.get("/pesanan-pemerintah/<int:id>/tagihan/cetak", endpoint="gov_invoice_print")
@seller_profile_required
def gov_invoice_print(id: int):
    """The invoice (kuitansi) to print; 404 before it is issued. Sellers with a profile; another
    seller's order 404."""
    po = _order_or_404(id)
    invoice = _invoice_or_404(po)
    return agency_documents.print_page(documents.invoice_document(invoice), pdf_url=url_for("seller.gov_invoice_pdf", id=po.id),
                      **_back(po))


@bp.get("/pesanan-pemerintah/<int:id>/tagihan.pdf", endpoint="gov_invoice_pdf")
@seller_profile_required
def gov_invoice_pdf(id: int):
    """The invoice as a PDF; 404 before it is issued. Sellers with a profile; another seller's
    order 404."""
    return agency_documents.pdf_download(documents.invoice_document(_invoice_or_404(_order_or_404(id))))
