"""Admin: reported listings — the queue grouped by product (how many reports, how long the first
has waited), one product's reports, and the decision: hide the product (uphold) or dismiss."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import admin_required
from catalog.services import reports
from catalog.services.errors import NotFound
from catalog.web.admin import bp
from catalog.web.admin.forms_queues import (
    ACTION_DISMISS,
    ACTION_UPHOLD,
    ReportDecisionForm,
    decision_forms,
    run_decision,
)

DECISIONS = {ACTION_UPHOLD: reports.uphold, ACTION_DISMISS: reports.dismiss}


@bp.get("/laporan")
@admin_required
def report_queue():
    """Reported products: ?status=terbuka (open reports, the longest waiting first) or selesai
    (decided, newest decision first), with the number of reports. Admins only (403 for other
    roles); an unknown ?status= is the open tab."""
    tab, groups, counts = reports.report_queue(request.args.get("status"))
    return render_template("admin/report_queue.html", tab=tab, groups=groups, counts=counts, tabs=reports.TABS)


@bp.get("/laporan/produk/<int:product_id>")
@admin_required
def report_detail(product_id: int):
    """One reported product with every report (reason, message, reporter) and, while reports
    are open, the buttons "Sembunyikan produk" (with a reason) and "Abaikan". Admins only (403
    for other roles); 404 for an unknown product or one nobody reported."""
    return _render_detail(product_id)


@bp.post("/laporan/produk/<int:product_id>/keputusan")
@admin_required
def report_decide(product_id: int):
    """Decide the product's open reports (form fields `action`: uphold|dismiss, `reason`).
    Admins only (403 for other roles); 404 for an unknown product or one nobody reported. A
    refused decision (no reason for hiding, already decided, a forged action) shows the page
    again with the message (400 or 409) and changes nothing."""
    try:
        case = reports.product_reports(product_id)
    except NotFound:
        abort(404)
    form = ReportDecisionForm()
    done, status = run_decision(form, lambda action, reason: DECISIONS[action](case.decision_report_id,
                                                                                current_user.id, reason))
    if not done:
        return _render_detail(product_id, failed=form), status
    flash(_("Produk “%(title)s” disembunyikan. Penjual sudah diberi tahu alasannya.", title=case.product.title)
          if form.action.data == ACTION_UPHOLD else
          _("Laporan tentang “%(title)s” diabaikan.", title=case.product.title), "success")
    return redirect(url_for("admin.report_detail", product_id=product_id))


def _render_detail(product_id: int, failed: ReportDecisionForm | None = None) -> str:
    try:
        case = reports.product_reports(product_id)
    except NotFound:
        abort(404)
    forms, general_errors = decision_forms(
        ReportDecisionForm, (ACTION_UPHOLD, ACTION_DISMISS) if case.open_reports else (), failed,
        _("Laporan tentang produk ini sudah diputuskan."))
    return render_template("admin/report_detail.html", case=case, product=case.product, forms=forms,
                           general_errors=general_errors, decision_failed=failed is not None,
                           reason_labels=reports.REASON_LABELS)
