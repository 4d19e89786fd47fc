"""The search results page /cari and the suggestions the search bar offers while typing
(/api/saran). The engine is catalog/search/; these views only read the query string, call it
and render."""

import logging

from flask import current_app, jsonify, render_template, request, url_for
from flask_babel import get_locale

from catalog import search
from catalog.authz import current_membership, public
from catalog.search import SearchUnavailable
from catalog.services import catalogue
from catalog.web.search import bp, page, params

log = logging.getLogger(__name__)

SUGGEST_MAX_AGE = 60  # seconds: the same few letters are typed by many shoppers


@bp.get("/cari")
@public
def results():
    """Products matching ?q= with the filters of the query string (kategori, kota, kecamatan,
    skala, umkk, harga_min, harga_maks, sertifikat, tkdn, stok), sorted by ?urut= and paged by
    ?hal=. Anyone; never 403 or 404: unknown values are ignored with a note, an empty query
    shows a prompt, and a missing search index falls back to the basic search with a notice."""
    member = current_membership()  # an officer's office is where "terdekat" measures from
    near = (member.agency.kota_code, member.agency.kecamatan_code) if member else None
    asked = params.parse(request.args, near=near)
    results_page = page.build(asked, current_app.config["PRODUCTS_PER_PAGE"], str(get_locale()))
    return render_template("search/results.html", results=results_page, search_query=asked.query)


@bp.get("/api/saran")
@public
def suggestions():
    """Phrases and sellers for the words typed so far, as JSON: {"frasa": [...], "penjual":
    [{"nama", "url"}]}. Anyone; empty lists for an empty query or when the index is missing,
    never an error."""
    query = catalogue.clean_query(request.args.get("q"))
    phrases, sellers = [], []
    if query:
        try:
            found = search.suggest(query)
        except SearchUnavailable as error:
            log.warning("search index unavailable for suggestions: %s", error)
        else:
            phrases = found.phrases
            sellers = [{"nama": s.name, "url": url_for("storefront.profile", slug=s.slug)} for s in found.sellers]
    response = jsonify(frasa=phrases, penjual=sellers)
    response.headers["Cache-Control"] = f"public, max-age={SUGGEST_MAX_AGE}"
    return response
