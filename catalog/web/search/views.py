"""The search results page. The backend is a basic title/seller-name match for now; the
full-text engine (catalog/search/) replaces the service call, not this view."""

from flask import current_app, render_template, request

from catalog.authz import public
from catalog.services import catalogue
from catalog.web.search import bp


@bp.get("/cari")
@public
def results():
    """Products matching ?q=, sorted by ?urut= and paged by ?hal=. Anyone; never 403 or 404:
    an empty query shows a prompt, any other input (however long or odd) a result page."""
    results = catalogue.search_products(
        request.args.get("q"),
        sort=request.args.get("urut"),
        page=request.args.get("hal"),
        per_page=current_app.config["PRODUCTS_PER_PAGE"],
    )
    return render_template("search/results.html", results=results)
