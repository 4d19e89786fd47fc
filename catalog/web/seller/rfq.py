"""Seller views of requests for quotation (/penjual/rfq): the list of open RFQs the seller may
answer and those it has quoted, and one RFQ with its lines, the quotation form, its own quotation
(never another seller's prices), the counter-offer to accept or decline, and the outcome.

Every view is for a logged-in seller with a seller profile (`seller_profile_required`). An RFQ
the seller is not eligible for (and has not quoted) answers 404, for GET and POST alike. A
refusal changes nothing and comes back in Indonesian beside the line it names.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from catalog.authz import current_seller, seller_profile_required
from catalog.models.base import utcnow
from catalog.services import regions
from catalog.services.errors import DomainError, NotFound
from catalog.services.procurement import rfq as rfqs
from catalog.web.seller import bp
from catalog.web.seller.forms_rfq import QuotationForm


def _rfq_or_404(rfq_id: int):
    try:
        return rfqs.seller_rfq(current_seller(), rfq_id)
    except NotFound:
        abort(404)


@bp.get("/rfq", endpoint="rfqs")
@seller_profile_required
def rfq_index():
    """Open RFQs the seller may quote on and those it has quoted, latest deadline first.
    Sellers with a profile; others 403."""
    seller = current_seller()
    now = utcnow()
    rows = rfqs.open_rfqs_for(seller, now=now)
    return render_template("seller/rfq/index.html", rows=rows, now=now, seller=seller)


@bp.route("/rfq/<int:rfq_id>", methods=["GET", "POST"], endpoint="rfq_detail")
@seller_profile_required
def rfq_detail(rfq_id: int):
    """One RFQ; POST sends (or, before the deadline, replaces) the seller's quotation. Sellers
    with a profile; an RFQ it is not eligible for 404."""
    seller = current_seller()
    rfq = _rfq_or_404(rfq_id)
    rfqs.expire_if_due(rfq)
    quotation = rfqs.own_quotation(rfq, seller)
    if request.method == "GET":
        return _page(rfq, quotation, QuotationForm.for_rfq(rfq, quotation))
    form = QuotationForm()
    if not form.validate():
        return _page(rfq, quotation, form, status=422)
    try:
        rfqs.submit_quotation(rfq, seller, form.to_lines(), notes=form.notes.data)
    except rfqs.RfqClosed as error:  # the form is gone from the page: say it on top
        flash(str(error.message), "danger")
        return _page(rfq, quotation, form, status=422)
    except DomainError as error:
        form.add_error(error)
        return _page(rfq, quotation, form, status=422)
    flash(_("Penawaran Anda terkirim. Anda masih dapat mengubahnya sampai batas waktu.") if quotation is None
          else _("Penawaran Anda diperbarui."), "success")
    return redirect(url_for("seller.rfq_detail", rfq_id=rfq.id))


def _page(rfq, quotation, form, status=200):
    now = utcnow()
    kecamatan = regions.get(rfq.delivery_kecamatan_code)
    entries = list(zip(form.lines, rfq.lines, strict=False))
    return render_template("seller/rfq/detail.html", rfq=rfq, pr=rfq.request, quotation=quotation, form=form,
                           entries=entries, now=now, may_quote=rfq.status == "open" and now < rfq.deadline,
                           kecamatan_name=kecamatan.name if kecamatan else None,
                           counter=quotation.counter_offer if quotation else None,
                           expiry_days=rfqs.EXPIRY_WORKING_DAYS), status


@bp.post("/rfq/<int:rfq_id>/tawar-balik", endpoint="rfq_counter_answer")
@seller_profile_required
def rfq_counter_answer(rfq_id: int):
    """Accept (jawaban=terima) or decline (jawaban=tolak) the agency's counter-offer to the
    seller's own quotation. Sellers with a profile; someone else's RFQ 404."""
    seller = current_seller()
    rfq = _rfq_or_404(rfq_id)
    quotation = rfqs.own_quotation(rfq, seller)
    answer = request.form.get("jawaban")
    if quotation is None or quotation.counter_offer is None:
        abort(404)
    if answer not in ("terima", "tolak"):
        abort(400)  # the form's two buttons send one of these; anything else is a malformed request
    try:
        rfqs.answer_counter_offer(quotation.counter_offer, seller, accept=answer == "terima")
    except DomainError as error:
        flash(str(error.message), "danger")
    else:
        flash(_("Penawaran balik diterima; harga penawaran Anda sudah diperbarui.") if answer == "terima"
              else _("Penawaran balik ditolak; harga penawaran Anda tetap."), "success")
    return redirect(url_for("seller.rfq_detail", rfq_id=rfq.id))
