"""The agency's Inpres 2/2022 dashboard (/pengadaan/dasbor?tahun=YYYY) and its CSV and XLSX
exports for auditors.

For every confirmed officer of the agency, whatever the duty (`agency_officer_required()`):
anonymous → log-in page, other roles and officers the Dinas has not confirmed → 403. Only the
officer's own agency is ever shown: there is no agency parameter to forge. A missing, bad or
out-of-range year shows the current fiscal year (never a 500)."""

import io

from flask import render_template, request, send_file

from catalog.authz import agency_officer_required, current_membership
from catalog.services import compliance, compliance_export
from catalog.services.certificates import jakarta_today
from catalog.web.procurement import bp


def send_export(data: bytes, name: str, mimetype: str):
    """A download of figures that belong to one agency (or the Dinas): never kept by a cache."""
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _own_figures(*, with_sellers: bool = True):
    member = current_membership()
    today = jakarta_today()
    year = compliance.valid_year(request.args.get("tahun"), today)
    return member, compliance.figures(member.agency, year, today=today, with_sellers=with_sellers)


@bp.get("/dasbor", endpoint="dashboard")
@agency_officer_required()
def dashboard():
    """Headline cards (pagu, committed, realised, UMK-K share against the pagu and the target,
    the Rupiah still needed, the projection to 31 December), charts by month, scale, category
    and kecamatan, TKDN coverage and local UMK-K sellers for what the agency buys most. Any
    confirmed officer of the agency; others 403."""
    member, fig = _own_figures()
    return render_template("procurement/dashboard.html", fig=fig, member=member,
                           years=compliance.year_choices(fig.as_of))


def _export_name(fig, ext: str) -> str:
    return f"inpres-umkk-{fig.agency_code.lower()}-{fig.year}-{fig.as_of:%Y%m%d}.{ext}"


def _tables(fig):
    return compliance_export.agency_tables(fig, compliance.order_rows(fig.agency_id, fig.year))


@bp.get("/dasbor.csv", endpoint="dashboard_csv")
@agency_officer_required()
def dashboard_csv():
    """Every figure and breakdown of the year, then its Surat Pesanan (number, date, seller,
    NIB, scale, koperasi, counted or not, total, paid date), as CSV. Same audience as the
    dashboard."""
    _member, fig = _own_figures(with_sellers=False)
    return send_export(compliance_export.to_csv(_tables(fig)), _export_name(fig, "csv"),
                       compliance_export.CSV_MIMETYPE)


@bp.get("/dasbor.xlsx", endpoint="dashboard_xlsx")
@agency_officer_required()
def dashboard_xlsx():
    """The same as the CSV as an Excel workbook, one sheet per table. Same audience."""
    _member, fig = _own_figures(with_sellers=False)
    return send_export(compliance_export.to_xlsx(_tables(fig)), _export_name(fig, "xlsx"),
                       compliance_export.XLSX_MIMETYPE)

