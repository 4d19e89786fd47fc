"""The public transparency page (/transparansi): aggregate figures of the platform, no login."""

from flask import render_template

from catalog.authz import public
from catalog.services import transparency
from catalog.web.public import bp


@bp.get("/transparansi")
@public
def transparency_page():
    """Verified UMKM per kecamatan of Tangerang Raya, products listed, and this year's
    government spend with UMK-K per agency against the 40 % target. Anyone; never 403 or 404.
    Only aggregates: no personal data, and a sum of money paid to fewer than five sellers is
    shown as "–"."""
    return render_template("public/transparency.html", page=transparency.current(),
                           min_sellers=transparency.MIN_SELLERS)
