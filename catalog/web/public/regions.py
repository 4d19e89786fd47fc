"""The region drop-downs' data as JSON: GET /api/wilayah?induk=<kota or kecamatan code>."""

from flask import jsonify, request
from flask_babel import gettext as _

from catalog.authz import public
from catalog.services import regions
from catalog.web.public import bp

# Static reference data: browsers and proxies may keep it for a day.
CACHE_SECONDS = 60 * 60 * 24


@bp.get("/api/wilayah")
@public
def regions_api():
    """The kecamatan of a kota, or the kelurahan/desa of a kecamatan, as [{code, name}] sorted
    by name (used by static/js/region-select.js). Anyone; 400 with a JSON message for a missing
    or unknown code, or one that has no children to list. Never 403/404."""
    code = (request.args.get("induk") or "").strip()
    if not regions.is_parent_code(code):
        response = jsonify(error=_("Kode wilayah tidak dikenal."))
        response.status_code = 400
        return response
    response = jsonify([{"code": r.code, "name": r.name} for r in regions.children(code)])
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return response
