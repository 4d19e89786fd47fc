"""Officer views of requests for quotation (/pengadaan/rfq): open one, the agency's list, one RFQ
with the sellers × lines comparison grid, counter-offers, the award and cancelling.

Opening, counter-offers, the award and cancelling are for a Pejabat Pengadaan or PPK of the
agency (others 403); any confirmed officer of the agency may look. Every RFQ is fetched through
rfq.agency_rfq, so another agency's id answers 404 for GET and POST alike. Quoted prices stay
sealed until the deadline (a mini-competition is fair only if nobody sees prices early). A
refusal changes nothing and comes back in Indonesian on the page; POSTs carry the CSRF token.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import agency_officer_required, current_membership
from catalog.extensions import db
from catalog.models import Quotation
from catalog.models.agencies import DUTY_PP, DUTY_PPK
from catalog.models.base import utcnow
from catalog.services import regions
from catalog.services.errors import DomainError, NotFound
from catalog.services.procurement import requests
from catalog.services.procurement import rfq as rfqs
from catalog.web.procurement import bp
from catalog.web.procurement.forms_rfq import (
    AwardForm,
    ReasonForm,
    RfqForm,
    compact_formdata,
    read_choice,
    read_prices,
)

WRITE_DUTIES = (DUTY_PP, DUTY_PPK)


def _rfq_or_404(rfq_id: int):
    try:
        return rfqs.agency_rfq(current_user, rfq_id)
    except NotFound:
        abort(404)


def _to_rfq(rfq):
    return redirect(url_for("procurement.rfq_detail", rfq_id=rfq.id))


@bp.route("/rfq/baru", methods=["GET", "POST"], endpoint="rfq_new")
@agency_officer_required(DUTY_PP, DUTY_PPK)
def rfq_new():
    """Open a request for quotation: details, line rows ("Tambah baris" re-renders with more
    rows, no JavaScript needed), deadline, who may answer. A Pejabat Pengadaan or PPK; other
    officers 403. On success the eligible sellers are told and the RFQ page opens."""
    ppks = requests.confirmed_ppks(current_membership().agency_id)
    if request.method == "GET":
        form = RfqForm(formdata=None)
        form.set_choices(ppks)
        return render_template("procurement/rfq/new.html", form=form)
    form = RfqForm(formdata=compact_formdata(request.form))
    form.set_choices(ppks)
    if form.more_rows.data:
        form.add_rows()
        return render_template("procurement/rfq/new.html", form=form)
    if not form.validate():
        return render_template("procurement/rfq/new.html", form=form), 422
    try:
        rfq = rfqs.create_rfq(current_user, **form.to_kwargs())
    except DomainError as error:
        form.add_error(error)
        return render_template("procurement/rfq/new.html", form=form), 422
    flash(_("Permintaan penawaran terbit. %(n)s penjual yang memenuhi syarat sudah diberi tahu.",
            n=rfqs.eligible_count(rfq)), "success")
    return _to_rfq(rfq)


@bp.get("/rfq", endpoint="rfqs")
@agency_officer_required()
def rfq_index():
    """The agency's requests for quotation, newest first. Any confirmed officer of the agency."""
    rows = rfqs.agency_rfqs(current_user)
    return render_template("procurement/rfq/index.html", rows=rows, now=utcnow(),
                           may_write=current_membership().duty in WRITE_DUTIES)


@bp.get("/rfq/<int:rfq_id>", endpoint="rfq_detail")
@agency_officer_required()
def rfq_detail(rfq_id: int):
    """One RFQ: lines, eligible sellers, the comparison grid after the deadline, counter-offers,
    the award form, cancelling. Any confirmed officer of the agency; another agency's RFQ 404.
    What is due to expire is expired first (the cron may not have run yet)."""
    rfq = _rfq_or_404(rfq_id)
    rfqs.expire_if_due(rfq)
    return _detail_page(rfq)


def _detail_page(rfq, *, status=200, award_form=None, cancel_form=None, counter_errors=None, picked=None):
    member = current_membership()
    now = utcnow()
    grid = rfqs.comparison(rfq)
    ppks = requests.confirmed_ppks(member.agency_id)
    award_form = award_form or AwardForm(formdata=None, data={
        "ppk_id": str(rfq.request.ppk_id or ""), "route": "ppk" if member.duty == DUTY_PPK else "langsung"})
    award_form.set_choices(ppks, may_order_directly=member.duty == DUTY_PP)
    picked = picked or {}
    if not picked:
        pick_all = request.args.get("pilih", type=int)
        row = next((r for r in grid.rows if r.quotation.id == pick_all), None)
        chosen_rows = {line.id: row for line in grid.lines if row is not None and line.id in row.cells}
        source = chosen_rows or grid.cheapest
        picked = {line_id: str(r.cells[line_id].quotation_line.id) for line_id, r in source.items()}
    cheapest_total = sum(r.cells[line_id].subtotal for line_id, r in grid.cheapest.items())
    kota = regions.get(rfq.kota_code)
    kecamatan = regions.get(rfq.delivery_kecamatan_code)
    return render_template(
        "procurement/rfq/detail.html", rfq=rfq, pr=rfq.request, grid=grid, now=now,
        sealed=now < rfq.deadline, may_write=member.duty in WRITE_DUTIES, eligible=rfqs.eligible_count(rfq),
        expires_at=rfqs.expires_at(rfq), award_form=award_form, cancel_form=cancel_form or ReasonForm(formdata=None),
        counter_errors=counter_errors or {}, picked=picked, cheapest_total=cheapest_total,
        expiry_days=rfqs.EXPIRY_WORKING_DAYS,
        kota_name=kota.name if kota else None, kecamatan_name=kecamatan.name if kecamatan else None,
    ), status


@bp.post("/rfq/<int:rfq_id>/tawar-balik/<int:quotation_id>", endpoint="rfq_counter")
@agency_officer_required(DUTY_PP, DUTY_PPK)
def rfq_counter(rfq_id: int, quotation_id: int):
    """Send the one counter-offer to a quotation of this RFQ (lower unit prices per line, a
    message). Pejabat Pengadaan or PPK of the agency; another agency's RFQ or a quotation of
    another RFQ 404."""
    rfq = _rfq_or_404(rfq_id)
    quotation = db.session.get(Quotation, quotation_id)
    if quotation is None or quotation.rfq_id != rfq.id:
        abort(404)
    prices, problems = read_prices(request.form, "counter-", [(q.rfq_line.position, q.rfq_line_id)
                                                              for q in quotation.lines])
    if not problems:
        try:
            rfqs.counter_offer(rfq, quotation, current_user, prices, request.form.get("message", ""))
        except DomainError as error:
            problems = [str(error.message)]
    if problems:
        return _detail_page(rfq, status=422, counter_errors={quotation.id: problems})
    flash(_("Penawaran balik dikirim ke %(seller)s. Penjual diminta menjawab dalam %(n)s hari kerja.",
            seller=quotation.seller.business_name, n=rfqs.EXPIRY_WORKING_DAYS), "success")
    return _to_rfq(rfq)


@bp.post("/rfq/<int:rfq_id>/pemenang", endpoint="rfq_award")
@agency_officer_required(DUTY_PP, DUTY_PPK)
def rfq_award(rfq_id: int):
    """Award per line (radio groups line-<id>) and send the request on: ordered directly by the
    Pejabat Pengadaan (up to Rp200 juta) or to the chosen PPK. Pejabat Pengadaan or PPK of the
    agency; another agency's RFQ 404; forged ids are refused with a message."""
    rfq = _rfq_or_404(rfq_id)
    form = AwardForm()
    choice = read_choice(request.form, [line.id for line in rfq.lines])
    if not form.validate():
        return _detail_page(rfq, status=422, award_form=form, picked=choice)
    try:
        pr = rfqs.award(rfq, current_user, choice=choice, direct=form.direct, ppk_id=form.chosen_ppk)
    except DomainError as error:
        flash(str(error.message), "danger")
        return _detail_page(rfq, status=422, award_form=form, picked=choice)
    if pr.status == "submitted":
        flash(_("Pemenang dipilih. Permintaan %(number)s dikirim ke PPK untuk disetujui.", number=pr.number), "success")
    else:
        flash(_("Pemenang dipilih dan Surat Pesanan terbit untuk %(n)s penjual.", n=len(pr.purchase_orders)),
              "success")
    return _to_rfq(rfq)


@bp.post("/rfq/<int:rfq_id>/batalkan", endpoint="rfq_cancel")
@agency_officer_required(DUTY_PP, DUTY_PPK)
def rfq_cancel(rfq_id: int):
    """Cancel the RFQ and its request, with a reason (the sellers who quoted are told). The
    requester or a PPK of the agency; another agency's RFQ 404."""
    rfq = _rfq_or_404(rfq_id)
    form = ReasonForm()
    if not form.validate():
        return _detail_page(rfq, status=422, cancel_form=form)
    try:
        rfqs.cancel(rfq, current_user, reason=form.reason.data)
    except DomainError as error:
        form.reason.errors = [*form.reason.errors, error.message]
        return _detail_page(rfq, status=422, cancel_form=form)
    flash(_("Permintaan penawaran dibatalkan."), "success")
    return _to_rfq(rfq)
