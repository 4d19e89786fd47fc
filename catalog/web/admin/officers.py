"""Admin: officers' applications to act for an agency — the queue (tabs, search, waiting time),
one application with its letter of assignment beside the details, the confirm / reject decision
and the private letter file."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog import storage
from catalog.authz import admin_required
from catalog.extensions import db
from catalog.models import OfficerMembership
from catalog.services import officer_onboarding
from catalog.services.errors import NotFound
from catalog.web.admin import bp
from catalog.web.admin.forms_queues import (
    ACTION_CONFIRM,
    ACTION_REJECT,
    OfficerDecisionForm,
    decision_forms,
    run_decision,
)

DECISIONS = {
    ACTION_CONFIRM: lambda membership_id, admin_id, _reason: officer_onboarding.confirm(membership_id, admin_id),
    ACTION_REJECT: officer_onboarding.reject,
}


@bp.get("/petugas")
@admin_required
def officer_queue():
    """Officers' applications: tabs (?status=menunggu|dikonfirmasi|ditolak), search by name,
    email, agency or NIP (?q=), pages (?hal=); the oldest waiting first. Admins only (403 for
    other roles); unknown parameters fall back to the defaults, never 404."""
    queue = officer_onboarding.officer_queue(request.args.get("status"), request.args.get("q"),
                                             request.args.get("hal"))
    return render_template("admin/officer_queue.html", queue=queue, tabs=officer_onboarding.TABS,
                           duty_labels=officer_onboarding.DUTY_LABELS)


@bp.get("/petugas/<int:membership_id>")
@admin_required
def officer_detail(membership_id: int):
    """One application: the officer, agency, duty, NIP and the letter of assignment side by side,
    with confirm / reject while it is pending, and its history. Admins only (403 for other
    roles); 404 for an unknown application."""
    return _render_detail(membership_id)


@bp.post("/petugas/<int:membership_id>/keputusan")
@admin_required
def officer_decide(membership_id: int):
    """Confirm or reject (form fields `action`: confirm|reject, `reason`). Admins only (403 for
    other roles); 404 for an unknown application. A refused decision (no reason, already
    decided, a forged action) shows the page again with the message (400 or 409) and changes
    nothing."""
    form = OfficerDecisionForm()
    done, status = run_decision(form, lambda action, reason: DECISIONS[action](membership_id, current_user.id, reason))
    if not done:
        return _render_detail(membership_id, failed=form), status
    name = db.session.get(OfficerMembership, membership_id).user.name
    flash(_("%(name)s dikonfirmasi sebagai pejabat instansi. Ia sudah diberi tahu.", name=name)
          if form.action.data == ACTION_CONFIRM else
          _("Pendaftaran %(name)s ditolak. Ia sudah diberi tahu alasannya.", name=name), "success")
    return redirect(url_for("admin.officer_detail", membership_id=membership_id))


def _render_detail(membership_id: int, failed: OfficerDecisionForm | None = None) -> str:
    try:
        application = officer_onboarding.application(membership_id)
    except NotFound:
        abort(404)
    forms, general_errors = decision_forms(
        OfficerDecisionForm, (ACTION_CONFIRM, ACTION_REJECT) if application.can_decide else (), failed,
        _("Pendaftaran ini sudah diputuskan."))
    return render_template("admin/officer_detail.html", application=application,
                           membership=application.membership, forms=forms, general_errors=general_errors,
                           decision_failed=failed is not None, duty_labels=officer_onboarding.DUTY_LABELS)


@bp.get("/petugas/<int:membership_id>/surat")
@admin_required
def officer_letter(membership_id: int):
    """The officer's letter of assignment: shown inline (a photo, or a PDF in the application's
    page), ?unduh=1 downloads it. Admins only (403 for other roles); 404 for an unknown
    application or one without a letter. Never cached by shared caches: these are private."""
    try:
        key, mimetype, download_name = officer_onboarding.letter_file(membership_id)
    except NotFound:
        abort(404)
    response = storage.send(key, mimetype=mimetype, as_attachment=bool(request.args.get("unduh")),
                            download_name=download_name)
    response.headers["Cache-Control"] = "private, no-store"
    # Embedded in the application page only (same origin); a stored file never runs anything.
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    policy = "default-src 'none'; img-src 'self'; frame-ancestors 'self'"
    if mimetype != "application/pdf":
        policy += "; sandbox"  # the browser's PDF viewer does not open inside a sandbox
    response.headers["Content-Security-Policy"] = policy
    return response
