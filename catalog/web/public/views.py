"""Public pages anyone may open: home, categories, product pages, about."""

from dataclasses import dataclass, field
from urllib.parse import quote

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _

from catalog.authz import public
from catalog.models import Product, ProductImage, ProductVariant
from catalog.services import catalogue, seller_stats, variants
from catalog.services.errors import NotFound, ValidationFailed
from catalog.web.public import bp
from catalog.web.storefront.views import should_count_view


@bp.get("/")
@public
def home():
    """The home page: featured categories, newest products, sellers of one kota (?kota=).
    Anyone; never 403 or 404 (an unknown kota falls back to Kota Tangerang Selatan)."""
    page = catalogue.home_page(request.args.get("kota"))
    return render_template("public/home.html", page=page)


@bp.get("/kategori")
@public
def categories():
    """Every category, two levels. Anyone; never 403 or 404."""
    return render_template("public/categories.html", categories=catalogue.all_categories())


@bp.get("/kategori/<slug>")
@public
def category(slug: str):
    """One category's products (a top category includes its children's), sorted by ?urut= and
    paged by ?hal=. Anyone; 404 for an unknown slug. Bad ?urut=/?hal= fall back to defaults."""
    try:
        listing = catalogue.category_listing(
            slug,
            sort=request.args.get("urut"),
            page=request.args.get("hal"),
            per_page=current_app.config["PRODUCTS_PER_PAGE"],
        )
    except NotFound:
        abort(404)
    return render_template("public/category.html", listing=listing)


@bp.get("/produk/<slug>")
@public
def product(slug: str):
    """A product page. Anyone; 404 unless the product is active and its seller verified.

    For a product with options, ?varian=<id> shows that combination (its price, stock and own
    photo first). A combination of another product, a switched-off one or garbage shows a
    message and no choice instead, never an error page; a product without options ignores it."""
    try:
        detail = catalogue.product_detail(slug)
    except NotFound:
        abort(404)
    product = detail.product  # loaded with its options and combinations
    choice = variant_choice(product, request.args.get("varian"))
    # Built here rather than in the template: Jinja would HTML-escape "&" inside the message.
    message = _("Halo %(seller)s, saya tertarik dengan produk “%(title)s” di Katalog UMKM: %(url)s",
                seller=product.seller.business_name, title=product.title,
                url=url_for("public.product", slug=product.slug, _external=True))
    whatsapp_url = f"{product.seller.whatsapp_link}?text={quote(message, safe='')}"
    html = render_template("public/product.html", detail=detail, product=product, choice=choice,
                           whatsapp_url=whatsapp_url)
    # Counted after rendering, in memory: written in batches (seller_stats.count_view).
    if should_count_view(product.seller):
        seller_stats.count_view(product.seller_id)
    return html


@dataclass
class VariantChoice:
    """What the product page shows about options: the picker (None for a product without
    options), the combination chosen with ?varian= (if any, and valid), and why not."""

    picker: variants.Picker | None = None
    selected: ProductVariant | None = None
    error: str | None = None
    gallery: list[ProductImage] = field(default_factory=list)


def variant_choice(product: Product, raw: str | None) -> VariantChoice:
    """The shopper's ?varian= read against the product's active combinations."""
    gallery = list(product.images)
    if not variants.has_options(product):
        return VariantChoice(gallery=gallery)
    choice = VariantChoice(picker=variants.picker(product), gallery=gallery)
    raw = (raw or "").strip()
    if not raw:
        return choice
    # Garbage ("abc", "1.5", a thousand digits) is no id at all, which find_variant refuses too.
    variant_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None
    try:
        choice.selected = variants.find_variant(product, variant_id=variant_id)
    except ValidationFailed as error:
        choice.error = str(error.message)
        return choice
    # The chosen combination's own photo leads the gallery, as the shopper expects to see it.
    own = next((image for image in gallery if image.id == choice.selected.image_id), None)
    if own is not None:
        choice.gallery = [own, *(image for image in gallery if image is not own)]
    return choice


@bp.get("/tentang")
@public
def about():
    """What the platform is for (Inpres 2/2022, the Dinas, who uses it how). Anyone."""
    return render_template("public/about.html")
