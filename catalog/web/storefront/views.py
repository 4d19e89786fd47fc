"""Storefront views: a verified seller's public page at /toko/<slug>."""

from urllib.parse import quote

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from catalog.authz import public
from catalog.services import seller_stats, storefront
from catalog.services.errors import NotFound
from catalog.web.storefront import bp


def should_count_view(seller) -> bool:
    """A page view worth counting for the seller's chart: a person's GET, not a crawler, a link
    preview or a browser prefetch, and not the seller looking at their own shop."""
    if request.method != "GET":
        return False
    if request.headers.get("Sec-Purpose", request.headers.get("Purpose", "")).startswith("prefetch"):
        return False
    if seller_stats.looks_like_bot(request.headers.get("User-Agent")):
        return False
    return not (current_user.is_authenticated and current_user.id == seller.user_id)


@bp.get("/toko/<slug>")
@public
def profile(slug: str):
    """A seller's storefront: profile, certificates and products sorted by ?urut= and paged by
    ?hal=. Anyone. An old address (renamed shop) answers 301 to the current one; 404 for an
    unknown slug and for a seller who is pending, rejected or suspended."""
    try:
        found = storefront.find_seller(slug)
    except NotFound:
        abort(404)
    if isinstance(found, storefront.Moved):
        # Only the known parameters travel along (never request.args wholesale into url_for).
        params = {key: request.args[key] for key in ("urut", "hal") if request.args.get(key)}
        return redirect(url_for("storefront.profile", slug=found.slug, **params), code=301)
    seller = found
    page = storefront.storefront_page(
        seller,
        sort=request.args.get("urut"),
        page=request.args.get("hal"),
        per_page=current_app.config["PRODUCTS_PER_PAGE"],
    )
    shop_url = url_for("storefront.profile", slug=seller.slug, _external=True)
    # Built here rather than in the template: Jinja would HTML-escape "&" inside the message.
    message = _("Halo %(seller)s, saya melihat toko Anda di Katalog UMKM dan ingin bertanya: %(url)s",
                seller=seller.business_name, url=shop_url)
    html = render_template(
        "storefront/profile.html",
        page=page,
        seller=seller,
        shop_url=shop_url,
        sort_choices=storefront.SORT_CHOICES,
        whatsapp_url=f"{seller.whatsapp_link}?text={quote(message, safe='')}",
    )
    # Counted after rendering, in memory: written in batches (seller_stats.count_view).
    if should_count_view(seller):
        seller_stats.count_view(seller.id)
    return html
