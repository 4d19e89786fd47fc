"""Stored files by key. Only renditions are ever stored under public prefixes."""

from flask import abort

from catalog import storage
from catalog.authz import public
from catalog.web.media import bp

PUBLIC_PREFIXES = ("p/", "s/")  # product photos, seller logos and banners
ONE_YEAR = 60 * 60 * 24 * 365


@bp.get("/<path:key>")
@public
def file(key: str):
    """A stored rendition; keys are random and never reused, so it may be cached for a year. Anyone."""
    if not key.startswith(PUBLIC_PREFIXES) or not storage.exists(key):
        abort(404)
    response = storage.send(key, max_age=ONE_YEAR)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response
