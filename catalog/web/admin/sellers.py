"""Admin: seller verification — the queue, one seller's file with documents and history, the
decisions (verify, reject, suspend, reinstate) and the private document files."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog import storage
from catalog.authz import admin_required
from catalog.models.base import utcnow
from catalog.services import certificates, sellers, verification
from catalog.services.errors import DomainError, NotFound
from catalog.web.admin import bp
from catalog.web.admin.forms import (
    ACTION_REINSTATE,
    ACTION_REJECT,
    ACTION_SUSPEND,
    ACTION_VERIFY,
    SellerDecisionForm,
    decision_form,
)

# Each decision is one service call with the same arguments (verify ignores the reason).
DECISIONS = {
    ACTION_VERIFY: lambda seller_id, admin_id, _reason: verification.verify_seller(seller_id, admin_id),
    ACTION_REJECT: verification.reject_seller,
    ACTION_SUSPEND: verification.suspend_seller,
    ACTION_REINSTATE: verification.reinstate_seller,
}


def _done_message(action: str, name: str) -> str:
    return {
        ACTION_VERIFY: _("%(name)s sudah diverifikasi. Penjual sudah diberi tahu.", name=name),
        ACTION_REJECT: _("Pendaftaran %(name)s ditolak. Penjual sudah diberi tahu alasannya.", name=name),
        ACTION_SUSPEND: _("%(name)s dibekukan. Semua produknya sudah disembunyikan.", name=name),
        ACTION_REINSTATE: _("%(name)s aktif kembali. Produk aktifnya tampil lagi.", name=name),
    }[action]


@bp.get("/penjual")
@admin_required
def seller_queue():
    """The verification queue: tabs by status (?status=menunggu|terverifikasi|ditolak|dibekukan),
    search by name or NIB (?q=), pages (?hal=). Admins only (403 for other roles); unknown
    parameters fall back to the defaults, never 404."""
    queue = verification.seller_queue(request.args.get("status"), request.args.get("q"), request.args.get("hal"))
    return render_template("admin/seller_queue.html", queue=queue, tabs=verification.TABS)


@bp.get("/penjual/<int:seller_id>")
@admin_required
def seller_detail(seller_id: int):
    """One seller's registration, documents and audit history, with the decisions the seller's
    status allows. Admins only (403 for other roles); 404 for an unknown seller."""
    return _render_detail(seller_id)


@bp.post("/penjual/<int:seller_id>/keputusan")
@admin_required
def seller_decide(seller_id: int):
    """Apply one decision (form field `action`: verify, reject, suspend, reinstate; `reason`).
    Admins only (403 for other roles); 404 for an unknown seller. A refused decision (missing
    reason, a status that does not allow it, a forged action) shows the page again with the
    message, status 400 or 409, and changes nothing."""
    form = SellerDecisionForm()
    status = 400
    if form.validate_on_submit():
        try:
            seller = DECISIONS[form.action.data](seller_id, current_user.id, form.reason.data)
        except NotFound:
            abort(404)
        except DomainError as error:
            form.add_domain_error(error)
            status = 400 if error.field else 409
        else:
            flash(_done_message(form.action.data, seller.business_name), "success")
            return redirect(url_for("admin.seller_detail", seller_id=seller_id))
    return _render_detail(seller_id, failed=form), status


def _render_detail(seller_id: int, failed: SellerDecisionForm | None = None) -> str:
    try:
        review = verification.seller_review(seller_id)
    except NotFound:
        abort(404)
    available = [
        action for action, allowed in (
            (ACTION_VERIFY, review.can_verify), (ACTION_REJECT, review.can_reject),
            (ACTION_SUSPEND, review.can_suspend), (ACTION_REINSTATE, review.can_reinstate),
        ) if allowed
    ]
    forms = {action: decision_form(action) for action in available}
    general_errors = []
    if failed is not None:
        if failed.action.data in forms:
            # Back on the form that was sent, with what was typed and the message beside it.
            forms[failed.action.data] = decision_form(failed.action.data, failed)
            general_errors = list(failed.form_errors)
        else:
            general_errors = failed.general_errors or [_("Tindakan ini tidak tersedia untuk status penjual sekarang.")]
    return render_template("admin/seller_detail.html", review=review, seller=review.seller, forms=forms,
                           general_errors=general_errors, decision_failed=failed is not None, document_names=certificates.DOCUMENT_NAMES,
                           today=utcnow().date())


@bp.get("/penjual/dokumen/<int:document_id>")
@admin_required
def seller_document_file(document_id: int):
    """A seller's uploaded document: photos shown inline, PDFs downloaded. Admins only (403 for
    other roles); 404 for an unknown document or one without a stored file. Never cached by
    shared caches: these are private papers."""
    try:
        document = verification.document_for_admin(document_id)
        key = sellers.document_key(document)
    except NotFound:
        abort(404)
    mimetype = sellers.document_mimetype(document)
    is_pdf = mimetype == "application/pdf"
    response = storage.send(key, mimetype=mimetype, as_attachment=is_pdf,
                            download_name=f"{document.seller.slug}-{document.kind}{storage.suffix(key)}")
    response.headers["Cache-Control"] = "private, no-store"
    # A stored file is never a page: keep the browser from running anything in it.
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
