"""Admin: the Inpres 2/2022 figures of every agency for a fiscal year, ranked by UMK-K share of
the pagu, and the ranking as CSV. Admins only (403 for other roles); a missing, bad or
out-of-range ?tahun= shows the current fiscal year."""

from flask import render_template, request

from catalog.authz import admin_required
from catalog.services import compliance, compliance_export
from catalog.services.certificates import jakarta_today
from catalog.web.admin import bp
from catalog.web.procurement.dashboard import send_export


def _ranking():
    today = jakarta_today()
    year = compliance.valid_year(request.args.get("tahun"), today)
    return today, year, compliance.all_agencies(year)


@bp.get("/inpres", endpoint="inpres")
@admin_required
def inpres():
    """Every agency ranked by UMK-K share of its pagu, with pagu, committed, realised, UMK-K
    committed, share and the gap to the target; a year chooser and the CSV link."""
    today, year, ranks = _ranking()
    return render_template("admin/inpres.html", ranks=ranks, year=year, years=compliance.year_choices(today),
                           today=today)


@bp.get("/inpres.csv", endpoint="inpres_csv")
@admin_required
def inpres_csv():
    """The ranking of the chosen year as CSV. Admins only."""
    today, year, ranks = _ranking()
    data = compliance_export.to_csv(compliance_export.ranking_tables(year, ranks))
    return send_export(data, f"inpres-umkk-semua-instansi-{year}-{today:%Y%m%d}.csv", compliance_export.CSV_MIMETYPE)
