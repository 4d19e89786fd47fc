"""Admin: platform statistics (/admin/statistik) with one CSV per table. Admins only (403 for
other roles); a missing, bad or out-of-range ?tahun= shows the current fiscal year."""

from flask import abort, render_template, request

from catalog.authz import admin_required
from catalog.services import compliance, platform_stats
from catalog.services.certificates import jakarta_today
from catalog.services.compliance_export import CSV_MIMETYPE, month_name, scale_label
from catalog.services.csv_tables import table_csv
from catalog.services.errors import NotFound
from catalog.web.admin import bp
from catalog.web.procurement.dashboard import send_export


def _year_and_today():
    today = jakarta_today()
    return compliance.valid_year(request.args.get("tahun"), today), today


@bp.get("/statistik")
@admin_required
def stats():
    """UMKM by kota, kecamatan, scale and category; listings by status; shopper orders and GMV
    by month; government spend with UMK-K by agency for the chosen year; the slowest
    verifications and the monthly median; overdue government invoices. Each table has its CSV.
    Admins only (403 for other roles)."""
    year, today = _year_and_today()
    return render_template(
        "admin/stats.html", year=year, years=compliance.year_choices(today), today=today,
        by_kota=platform_stats.umkm_by_kota(), by_kecamatan=platform_stats.umkm_by_kecamatan(),
        by_scale=platform_stats.umkm_by_scale(), by_category=platform_stats.by_category(),
        listings=platform_stats.listings_by_status(), months=platform_stats.orders_by_month(today),
        spend=platform_stats.government_spend(year), slowest=platform_stats.slowest_verifications(),
        medians=platform_stats.verification_median_by_month(today),
        overdue=platform_stats.overdue_invoices(today), scale_label=scale_label, month_name=month_name,
        status_label=platform_stats.listing_status_label)


@bp.get("/statistik/<name>.csv")
@admin_required
def stats_csv(name: str):
    """One table of the statistics page as CSV (names in platform_stats.CSV_TABLES; the
    government spend for ?tahun=). Admins only (403 for other roles); 404 for another name."""
    year, today = _year_and_today()
    try:
        table = platform_stats.csv_table(name, year, today)
    except NotFound:
        abort(404)
    suffix = f"-{year}" if name == "belanja-pemerintah" else ""
    return send_export(table_csv(table), f"statistik-{name}{suffix}-{today:%Y%m%d}.csv", CSV_MIMETYPE)
