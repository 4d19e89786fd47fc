"""Read-side queries for a seller's public storefront (/toko/<slug>): the seller, their valid
certificates and one sorted page of their visible products, in a fixed number of statements."""

from dataclasses import dataclass, field
from math import ceil

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from catalog.extensions import db
from catalog.models import Product, Seller, SellerDocument
from catalog.models.sellers import CERTIFICATE_KINDS, STATUS_VERIFIED, SellerSlugRedirect
from catalog.services import reviews, richtext
from catalog.services.catalogue import (
    SORT_CHEAPEST,
    SORT_DEAREST,
    SORT_NEWEST,
    SORTS,
    ProductPage,
    page_number,
    visible_product_clause,
    visible_products,
)
from catalog.services.errors import NotFound
from catalog.services.reviews import ShownReview
from catalog.services.seller_stats import today_in_jakarta

SORT_BEST_SELLING = "terlaris"
# The catalogue's sorts plus "best selling", which only makes sense within one shop.
STOREFRONT_SORTS = {
    **SORTS,
    SORT_BEST_SELLING: (Product.sold_count.desc(), Product.created_at.desc(), Product.id.desc()),
}
SORT_CHOICES = (SORT_NEWEST, SORT_CHEAPEST, SORT_DEAREST, SORT_BEST_SELLING)

OG_DESCRIPTION_CHARS = 200
NOT_FOUND = _l("Toko tidak ditemukan.")


@dataclass
class StorefrontPage:
    seller: Seller
    description_html: str
    description_text: str  # one line, for OpenGraph and the meta description
    certificates: list[SellerDocument]
    products: ProductPage
    # The first product photo (by the chosen sort) for link previews when the seller has
    # neither a logo nor a banner.
    fallback_image_key: str | None
    reviews: list[ShownReview] = field(default_factory=list)  # the seller's latest ratings


@dataclass(frozen=True)
class Moved:
    """The slug asked for is an old address of a seller now found at `slug`."""

    slug: str


def sort_key(raw: object) -> str:
    """?urut= as one of the storefront's sorts; anything else is "terbaru"."""
    return raw if isinstance(raw, str) and raw in STOREFRONT_SORTS else SORT_NEWEST


def find_seller(slug: str) -> Seller | Moved:
    """The verified seller at `slug`, or Moved(current slug) for an address kept after a
    rename. Raises NotFound for an unknown slug and for a seller who is not verified (pending,
    rejected or suspended sellers have no public page, under either address)."""
    seller = db.session.scalar(
        select(Seller)
        .where(Seller.slug == slug, Seller.status == STATUS_VERIFIED)
        .options(joinedload(Seller.kecamatan), joinedload(Seller.kota))
    )
    if seller is not None:
        return seller
    current = db.session.scalar(
        select(Seller.slug)
        .join(SellerSlugRedirect, SellerSlugRedirect.seller_id == Seller.id)
        .where(SellerSlugRedirect.slug == slug, Seller.status == STATUS_VERIFIED)
    )
    if current is None or current == slug:
        raise NotFound(NOT_FOUND)
    return Moved(current)


def storefront_page(seller: Seller, *, sort: object = None, page: object = None, per_page: int = 24) -> StorefrontPage:
    """What /toko/<slug> shows for a seller found by find_seller()."""
    sort = sort_key(sort)
    products = _product_page(seller, sort=sort, page=page_number(page), per_page=per_page)
    cover = next((p.cover for p in products.items if p.cover), None)
    description_html = _safe_description(seller.description)
    return StorefrontPage(
        seller=seller,
        description_html=description_html,
        description_text=richtext.plain_text(description_html, OG_DESCRIPTION_CHARS),
        certificates=valid_certificates(seller),
        products=products,
        fallback_image_key=cover.key if cover else None,
        reviews=reviews.latest_for_seller(seller.id) if seller.rating_count else [],
    )


def _product_page(seller: Seller, *, sort: str, page: int, per_page: int) -> ProductPage:
    """Count, clamp the page into range (past the end shows the last page), fetch one page;
    photos come in one more statement."""
    total = db.session.scalar(
        select(func.count(Product.id)).join(Product.seller).where(visible_product_clause(), Product.seller_id == seller.id)
    ) or 0
    page = min(page, max(ceil(total / per_page), 1))
    items: list[Product] = []
    if total:
        items = list(
            db.session.scalars(
                visible_products()
                .where(Product.seller_id == seller.id)
                .order_by(*STOREFRONT_SORTS[sort])
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
        )
    return ProductPage(items=items, total=total, page=page, per_page=per_page, sort=sort)


def valid_certificates(seller: Seller) -> list[SellerDocument]:
    """Certificates buyers look for (halal, P-IRT, BPOM, SNI) that still hold today; expired or
    revoked ones stay with the seller to renew but are not shown."""
    today = today_in_jakarta()
    return list(
        db.session.scalars(
            select(SellerDocument)
            .where(
                SellerDocument.seller_id == seller.id,
                SellerDocument.kind.in_(CERTIFICATE_KINDS),
                SellerDocument.expired.is_(False),
                or_(SellerDocument.expires_on.is_(None), SellerDocument.expires_on >= today),
            )
            .order_by(SellerDocument.kind, SellerDocument.id)
        )
    )


def _safe_description(value: str | None) -> str:
    """The description as safe HTML. It is sanitised when the seller saves it; cleaning it again
    here costs microseconds and also shapes older plain-text descriptions into paragraphs."""
    text = (value or "")[: richtext.MAX_INPUT_CHARS]
    return richtext.sanitise_description(text, max_chars=richtext.MAX_INPUT_CHARS)
