"""Admin: the audit trail (/admin/audit) with filters, pages, its CSV and the chain check."""

from flask import Response, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from catalog.authz import admin_required
from catalog.services import audit_browse
from catalog.services.certificates import jakarta_today
from catalog.services.csv_tables import stream_csv
from catalog.web.admin import bp


class ChainCheckForm(FlaskForm):
    """The "Periksa rantai" button: no fields, only the CSRF token."""


@bp.get("/audit")
@admin_required
def audit():
    """The whole trail newest first, 50 a page (?sebelum=<id> for older), filtered by actor
    e-mail or name (?pelaku=), object type (?jenis=), object id (?objek=), action prefix
    (?aksi=) and Jakarta dates (?dari=, ?sampai=, YYYY-MM-DD). A date that cannot be read is
    named in a message and left out (status 400), never a 500. Admins only (403 otherwise)."""
    return _render_trail()


def _render_trail(extra_errors: tuple[str, ...] = ()):
    filters, errors = audit_browse.parse_filters(request.args)
    page = audit_browse.browse(filters, request.args.get("sebelum"))
    errors = [*extra_errors, *errors, *page.errors]
    return render_template("admin/audit.html", page=page, filters=filters, errors=errors,
                           object_types=audit_browse.object_types(), form=ChainCheckForm(),
                           cap=audit_browse.EXPORT_CAP), 400 if errors else 200


@bp.get("/audit.csv")
@admin_required
def audit_csv():
    """The filtered trail as CSV, newest first, at most 50.000 events, streamed. Same filters as
    the page (an unreadable date is left out). Admins only (403 otherwise)."""
    filters, _errors = audit_browse.parse_filters(request.args)
    body = stream_csv(audit_browse.export_header(), audit_browse.export_rows(filters))
    name = f"audit-{jakarta_today():%Y%m%d}.csv"
    return Response(stream_with_context(body), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})


@bp.post("/audit/periksa-rantai")
@admin_required
def audit_check_chain():
    """Recompute every hash of the trail and show the answer on the trail page: fine with the
    number of events checked, or the first event that was changed and how. Admins only (403
    otherwise); without a valid CSRF token → 400, nothing checked."""
    form = ChainCheckForm()
    if not form.validate_on_submit():
        return _render_trail((_("Formulir kedaluwarsa. Muat ulang halaman lalu tekan Periksa rantai lagi."),))
    result = audit_browse.check_chain()
    if result.ok:
        flash(_("Rantai audit utuh: %(n)s kejadian diperiksa, semua hash cocok.", n=result.checked), "success")
    else:
        flash(_("Rantai audit rusak mulai kejadian #%(id)s: %(problem)s. %(n)s kejadian sebelumnya cocok.",
                id=result.first_bad_id, problem=result.problem, n=result.checked), "danger")
    return redirect(url_for("admin.audit"))
