"""Reporting a listing to the Dinas (/produk/<slug>/laporkan): a short form reached from the
product page. Any logged-in user except the product's own seller; one report per user and
product. POSTs go through the global CSRF check."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField, SelectChoice, TextAreaField

from catalog.authz import login_required
from catalog.services import reports
from catalog.services.errors import DomainError, NotFound, PermissionDenied
from catalog.web.auth.forms import AccountBaseForm
from catalog.web.public import bp


class ReportForm(AccountBaseForm):
    """The rules (reason from the list, message length) live in services/reports.py."""

    reason = RadioField(_l("Apa masalahnya?"), validate_choice=False,
                        choices=[SelectChoice(key, label) for key, label in reports.REASON_LABELS.items()])
    message = TextAreaField(_l("Penjelasan (boleh dikosongkan)"),
                            description=_l("Maksimal 1.000 karakter. Penjual tidak melihat siapa yang melapor."))


@bp.route("/produk/<slug>/laporkan", methods=["GET", "POST"])
@login_required
def report_product(slug: str):
    """The report form for a visible product, or why it cannot be sent (already reported).
    Logged-in users (anonymous → log-in page); 404 for an unknown or hidden product; 403 for
    the product's own seller. Bad input shows the form again with the message (400; 409 for a
    second report) and changes nothing; success goes back to the product page."""
    try:
        product = reports.reportable_product(slug)
    except NotFound:
        abort(404)
    user = current_user._get_current_object()
    form = ReportForm()
    if reports.own_product(user, product):
        return render_template("public/report.html", form=form, product=product, own=True), 403
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                reports.report_product(user, product.id, form.reason.data, form.message.data)
            except NotFound:
                abort(404)
            except PermissionDenied:
                return render_template("public/report.html", form=form, product=product, own=True), 403
            except DomainError as error:
                form.add_domain_error(error)
                status = 400 if error.field else 409
            else:
                flash(_("Terima kasih. Laporan Anda sudah kami terima dan akan diperiksa Dinas Koperasi dan UMKM."),
                      "success")
                return redirect(url_for("public.product", slug=product.slug))
    existing = reports.existing_report(user, product.id)
    return render_template("public/report.html", form=form, product=product, existing=existing,
                           reason_labels=reports.REASON_LABELS), status
