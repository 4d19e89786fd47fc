"""Admin: seller money — payouts (who can be paid, batches, the bank file, the bank's answer),
the reconciliation of the platform's books, the platform fee rates and balance adjustments."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import admin_required
from catalog.extensions import db
from catalog.models import PayoutBatch
from catalog.models.ledger import ENTRY_KINDS
from catalog.services import ledger, payouts
from catalog.services.compliance_export import CSV_MIMETYPE
from catalog.services.errors import NotFound
from catalog.web.admin import bp
from catalog.web.admin.agencies import attempt
from catalog.web.admin.forms_payouts import (
    FEE_KEYS,
    ActionForm,
    AdjustmentForm,
    FailureForm,
    FeeRateForm,
    PayoutBatchForm,
    ReferenceForm,
)
from catalog.web.procurement.dashboard import send_export


def entry_names() -> dict[str, str]:
    names = {
        "order_completed": _("Pesanan selesai"), "platform_fee": _("Biaya layanan"), "refund": _("Pengembalian dana"),
        "payout": _("Pencairan"), "payout_reversal": _("Pencairan gagal, dana kembali"),
        "adjustment": _("Penyesuaian Dinas"),
    }
    return {kind: names.get(kind, kind) for kind in ENTRY_KINDS}


# --- payouts --------------------------------------------------------------------------------------------

@bp.get("/pencairan")
@admin_required
def payouts_home():
    """Sellers ready to be paid (ticked by default) and the held ones with the reason, the form
    that makes a batch, and the latest batches. Admins only (403 for other roles)."""
    return _render_home(PayoutBatchForm(formdata=None))


def _render_home(form: PayoutBatchForm, chosen: set[int] | None = None):
    listing = payouts.eligible_sellers()
    chosen = chosen if chosen is not None else {row.seller.id for row in listing.ready}
    return render_template("admin/payout_home.html", listing=listing, form=form, chosen=chosen,
                           batches=payouts.recent_batches(), batch_name=payouts.batch_name)


@bp.post("/pencairan")
@admin_required
def payout_create():
    """Make a draft batch of the ticked sellers (their whole balances leave at once). Admins
    only (403 for other roles). Nothing ticked, or nobody that can still be paid: the page again
    with the message, status 400, nothing made; sellers that could no longer be paid are left
    out and named."""
    form = PayoutBatchForm()
    ids = form.seller_ids()
    done, result, status = attempt(form, lambda: payouts.create_batch(ids, current_user.id))
    if not done:
        return _render_home(form, set(ids)), status
    flash(_("Batch %(number)s dibuat: %(count)s penjual, total %(total)s. Ekspor CSV-nya untuk bank.",
            number=result.batch.number, count=len(result.batch.lines), total=_rupiah(result.batch.total)), "success")
    for skipped in result.skipped:
        flash(_("Tidak ikut batch: %(why)s", why=skipped), "warning")
    return redirect(url_for("admin.payout_detail", batch_id=result.batch.id))


def _rupiah(amount: int) -> str:
    from catalog.formatting import rupiah

    return rupiah(amount)


@bp.get("/pencairan/<int:batch_id>")
@admin_required
def payout_detail(batch_id: int):
    """One batch: its lines with bank accounts and references, the export button or the
    download link, and the bank's answer (whole batch paid, or each line paid or failed).
    Admins only (403 for other roles); 404 for an unknown batch."""
    return _render_detail(batch_id)


def _render_detail(batch_id: int, *, batch_form=None, line_forms=None, failed_line: int | None = None,
                   errors=None):
    try:
        batch = payouts.get_batch(batch_id)
    except NotFound:
        abort(404)
    line_forms = line_forms or {}
    return render_template(
        "admin/payout_detail.html", batch=batch, refs=payouts.references(batch), batch_name=payouts.batch_name,
        line_name=payouts.line_name, action_form=ActionForm(formdata=None),
        batch_form=batch_form or ReferenceForm(formdata=None), paid_form=line_forms.get("paid"),
        fail_form=line_forms.get("failed"), failed_line=failed_line, errors=errors or [],
        blank_reference=ReferenceForm(formdata=None), blank_failure=FailureForm(formdata=None),
        pending=[line for line in batch.lines if line.status == "pending"],
    )


@bp.post("/pencairan/<int:batch_id>/ekspor")
@admin_required
def payout_export(batch_id: int):
    """Download the bulk-transfer CSV; the first download moves the draft to "exported" (the
    lines can then be marked). Admins only (403 for other roles); 404 for an unknown batch; a
    cancelled batch is refused with the message (409)."""
    form = ActionForm()
    done, content, status = attempt(form, lambda: payouts.export_csv(batch_id, current_user.id))
    if not done:
        return _render_detail(batch_id, errors=form.non_field_errors), status
    return _send_csv(batch_id, content)


@bp.get("/pencairan/<int:batch_id>.csv")
@admin_required
def payout_csv(batch_id: int):
    """The bank file of an exported batch again (the same content; nothing changes). Admins only
    (403 for other roles); 404 for an unknown batch; a draft (not yet exported) or cancelled
    batch goes back to its page with a message."""
    try:
        batch = payouts.get_batch(batch_id)
    except NotFound:
        abort(404)
    if batch.exported_at is None:
        flash(_("Batch ini belum diekspor. Gunakan tombol “Ekspor CSV untuk bank”."), "warning")
        return redirect(url_for("admin.payout_detail", batch_id=batch_id))
    return _send_csv(batch_id, payouts.batch_csv(batch))


def _send_csv(batch_id: int, content: bytes):
    batch = db.session.get(PayoutBatch, batch_id)
    return send_export(content, payouts.csv_filename(batch), CSV_MIMETYPE)


@bp.post("/pencairan/<int:batch_id>/dibayar")
@admin_required
def payout_mark_paid(batch_id: int):
    """Every line still waiting was paid, under one bank reference (required). Admins only (403
    for other roles); 404 for an unknown batch. A draft that was never exported, or a batch
    with nothing left waiting (marked paid twice), is refused (409) and nothing changes."""
    form = ReferenceForm()
    done, count, status = attempt(form, lambda: payouts.mark_batch_paid(batch_id, form.bank_reference.data,
                                                                       current_user.id))
    if not done:
        return _render_detail(batch_id, batch_form=form, errors=form.non_field_errors), status
    flash(_("%(count)s baris ditandai dibayar. Penjual sudah diberi tahu.", count=count), "success")
    return redirect(url_for("admin.payout_detail", batch_id=batch_id))


@bp.post("/pencairan/<int:batch_id>/baris/<int:line_id>/dibayar")
@admin_required
def payout_line_paid(batch_id: int, line_id: int):
    """One line was paid (bank reference required); its seller is told. Admins only (403 for
    other roles); 404 for an unknown batch or line, or a line of another batch. A line already
    decided or a batch not yet exported is refused (409); nothing changes."""
    form = ReferenceForm()
    return _decide_line(batch_id, line_id, form, "paid",
                        lambda: payouts.mark_line_paid(line_id, form.bank_reference.data, current_user.id,
                                                       batch_id=batch_id),
                        _("Baris ditandai dibayar. Penjual sudah diberi tahu."))


@bp.post("/pencairan/<int:batch_id>/baris/<int:line_id>/gagal")
@admin_required
def payout_line_failed(batch_id: int, line_id: int):
    """One line failed at the bank (reason required): the amount returns to the seller's
    balance and the seller is told why. Admins only (403 for other roles); 404 for an unknown
    batch or line, or a line of another batch. A line already decided or a batch not yet
    exported is refused (409); nothing changes."""
    form = FailureForm()
    return _decide_line(batch_id, line_id, form, "failed",
                        lambda: payouts.mark_line_failed(line_id, form.reason.data, current_user.id,
                                                         batch_id=batch_id),
                        _("Baris ditandai gagal. Dananya kembali ke saldo penjual dan penjual sudah diberi tahu."))


def _decide_line(batch_id: int, line_id: int, form, key: str, call, done_message: str):
    """Run one line's decision: back to the batch on success, else its page again with the
    form (and what was typed) on that line."""
    done, _line, status = attempt(form, call)
    if not done:
        return _render_detail(batch_id, line_forms={key: form}, failed_line=line_id,
                              errors=form.non_field_errors), status
    flash(done_message, "success")
    return redirect(url_for("admin.payout_detail", batch_id=batch_id))


@bp.post("/pencairan/<int:batch_id>/batalkan")
@admin_required
def payout_cancel(batch_id: int):
    """Cancel a draft the bank never saw: every line's money returns to its seller. Admins only
    (403 for other roles); 404 for an unknown batch; an exported batch is refused (409)."""
    form = ActionForm()
    done, _batch, status = attempt(form, lambda: payouts.cancel_draft(batch_id, current_user.id))
    if not done:
        return _render_detail(batch_id, errors=form.non_field_errors), status
    flash(_("Batch dibatalkan. Dana setiap baris sudah kembali ke saldo penjualnya."), "success")
    return redirect(url_for("admin.payout_detail", batch_id=batch_id))


# --- the books ------------------------------------------------------------------------------------------

@bp.get("/rekonsiliasi")
@admin_required
def payout_reconciliation():
    """The platform's books as one identity with each term (green when it balances, red with
    the difference), the ledger check's problems and the largest balances. Admins only (403
    for other roles)."""
    return render_template("admin/reconciliation.html", books=ledger.reconcile(), problems=ledger.verify(),
                           balances=payouts.top_balances())


# --- fee rates ------------------------------------------------------------------------------------------

@bp.route("/biaya-layanan", methods=["GET", "POST"])
@admin_required
def payout_fee_rates():
    """The platform fee per scale and for koperasi (percent, up to 2 decimals); a change
    applies to orders completed from then on. Admins only (403 for other roles). A bad rate
    shows the form again with the message on its box (400) and changes nothing."""
    rates = ledger.fee_rates()
    if request.method == "GET":
        form = FeeRateForm.for_rates(rates)
        return render_template("admin/fee_rates.html", form=form, keys=FEE_KEYS, rates=rates)
    form = FeeRateForm()
    new = form.rates(ledger.MAX_FEE_BP) if form.validate_on_submit() else None
    if new is None:
        return render_template("admin/fee_rates.html", form=form, keys=FEE_KEYS, rates=rates), 400
    changed = [key for key in FEE_KEYS if new[key] != rates.get(key, 0)]
    for key in changed:  # every rate was checked above: none of these is refused
        ledger.set_fee_rate(key, new[key], actor_id=current_user.id)
    if changed:
        flash(_("Tarif biaya layanan disimpan. Berlaku untuk pesanan yang selesai mulai sekarang."), "success")
    else:
        flash(_("Tidak ada yang berubah."), "info")
    return redirect(url_for("admin.payout_fee_rates"))


# --- adjustments ----------------------------------------------------------------------------------------

@bp.route("/saldo/<int:seller_id>/penyesuaian", methods=["GET", "POST"])
@admin_required
def payout_adjust(seller_id: int):
    """A seller's balance with its latest entries and the adjustment form (signed amount,
    reason required: the seller sees it). Admins only (403 for other roles); 404 for an unknown
    seller. Bad input (no reason, zero, a balance that would go negative) shows the form again
    with the message (400) and changes nothing."""
    try:
        payouts.statement(seller_id)
    except NotFound:
        abort(404)
    form = AdjustmentForm()
    status = 200
    if request.method == "POST":
        done, entry, status = attempt(form, lambda: ledger.adjust(seller_id, form.signed_amount(), form.reason.data,
                                                                   actor_id=current_user.id))
        if done:
            flash(_("Saldo disesuaikan %(amount)s. Saldo sekarang %(balance)s.", amount=_rupiah(entry.amount),
                    balance=_rupiah(entry.balance_after)), "success")
            return redirect(url_for("admin.payout_adjust", seller_id=seller_id))
    else:
        form = AdjustmentForm(formdata=None)
    return render_template("admin/payout_adjust.html", statement=payouts.statement(seller_id), form=form,
                           entry_names=entry_names()), status
