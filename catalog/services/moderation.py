"""Listing moderation by the Dinas: hide a product with a reason the seller sees, restore it.

A hidden product has status "hidden", so every rule that shows only active products (the public
visibility clause, carts, search documents, procurement) drops it without knowing about
moderation; the status it had is kept in `status_before_hidden` and comes back on restore. Each
decision is one transaction with its audit event and a notification to the seller; the search
index follows the commit through its after-commit hook like any other product change.
"""

from dataclasses import dataclass
from math import ceil

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from catalog.extensions import db
from catalog.models import AuditEvent, Product, Seller, User
from catalog.models.base import utcnow
from catalog.models.products import (
    PRODUCT_ACTIVE,
    PRODUCT_ARCHIVED,
    PRODUCT_DRAFT,
    PRODUCT_HIDDEN,
    PRODUCT_STATUSES,
)
from catalog.services import audit, notifications
from catalog.services.catalogue import ProductPage, clean_query, page_number
from catalog.services.errors import InvalidTransition, NotFound
from catalog.services.verification import _sentence, clean_reason

MSG_NOT_FOUND = _l("Produk tidak ditemukan.")
MSG_ALREADY_HIDDEN = _l("Produk ini sudah disembunyikan.")
MSG_NOT_HIDDEN = _l("Produk ini tidak sedang disembunyikan.")

SELLER_LISTINGS_PATH = "/penjual/produk"  # the fixed path of seller.listings (no request in services)


def _load(product_id: int) -> Product:
    # Locked on PostgreSQL: two admins deciding at once are serialised, the second gets a refusal.
    product = db.session.get(Product, product_id, with_for_update=True)
    if product is None:
        raise NotFound(MSG_NOT_FOUND)
    return product


def hide_product(product_id: int, admin_id: int, reason: str | None) -> Product:
    """Take a listing off the site at once; the seller is told why and cannot republish it."""
    product = _load(product_id)  # an unknown id is "not found" whatever the reason says
    reason = clean_reason(reason, required=True)
    if product.is_hidden:
        raise InvalidTransition(MSG_ALREADY_HIDDEN)
    before = product.status
    product.status_before_hidden = before
    product.status = PRODUCT_HIDDEN
    product.moderation_reason = reason
    product.moderated_by_id = admin_id
    product.moderated_at = utcnow()
    audit.record("product.hidden", product, actor_id=admin_id, before={"status": before},
                 after={"status": PRODUCT_HIDDEN}, reason=reason)
    notifications.notify(
        product.seller.user, "product.hidden",
        _l("Produk Anda disembunyikan Dinas"),
        _l("Dinas menyembunyikan “%(title)s” dari Katalog UMKM. Alasannya: %(reason)s "
           "Perbaiki produknya lalu hubungi Dinas Koperasi dan UMKM agar ditampilkan kembali.",
           title=product.title, reason=_sentence(reason)),
        link=SELLER_LISTINGS_PATH,
    )
    db.session.commit()
    return product


def restore_product(product_id: int, admin_id: int, reason: str | None = None) -> Product:
    """Lift the hiding: the product returns to the status it had (public again if it was active)."""
    product = _load(product_id)
    reason = clean_reason(reason, required=False)
    if not product.is_hidden:
        raise InvalidTransition(MSG_NOT_HIDDEN)
    restored = product.status_before_hidden if product.status_before_hidden in PRODUCT_STATUSES else PRODUCT_ACTIVE
    product.status = restored
    product.status_before_hidden = None
    product.moderation_reason = None
    product.moderated_by_id = admin_id
    product.moderated_at = utcnow()
    audit.record("product.unhidden", product, actor_id=admin_id, before={"status": PRODUCT_HIDDEN},
                 after={"status": restored}, reason=reason)
    notifications.notify(
        product.seller.user, "product.unhidden",
        _l("Produk Anda ditampilkan kembali"),
        _l("Dinas mencabut penyembunyian “%(title)s”.", title=product.title),
        link=SELLER_LISTINGS_PATH,
    )
    db.session.commit()
    return product


def ensure_not_hidden(product: Product) -> None:
    """For the seller's own status changes: a hidden product stays hidden until the Dinas restores it."""
    if product.is_hidden:
        raise InvalidTransition(_l("Produk ini disembunyikan oleh Dinas dan tidak dapat diubah statusnya. "
                                   "Alasannya: %(reason)s", reason=product.moderation_reason or "-"))


# --- the admin's listing search and one product's file ------------------------------------------

# ?status= values of /admin/produk (Indonesian, as in the address bar) → stored statuses.
STATUS_FILTERS = {"aktif": PRODUCT_ACTIVE, "draf": PRODUCT_DRAFT, "arsip": PRODUCT_ARCHIVED,
                  "disembunyikan": PRODUCT_HIDDEN}
PER_PAGE = 20
SEARCH_MAX = 100
HISTORY_LIMIT = 50


@dataclass
class ListingSearch:
    query: str
    status_key: str  # "" for every status
    page: ProductPage
    counts: dict[str, int]  # per status key, plus "" for all


def _like(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_listings(query: object = None, status: object = None, page: object = None,
                    per_page: int = PER_PAGE) -> ListingSearch:
    """Listings of every seller and status, searched by title or seller name, newest change
    first. Four statements whatever the page size: the counts per status, the row count, the
    page with seller and category joined, and the covers."""
    query = clean_query(query)[:SEARCH_MAX]
    status_key = status if isinstance(status, str) and status in STATUS_FILTERS else ""
    criteria = []
    if query:
        pattern = _like(query)
        criteria.append(or_(Product.title.ilike(pattern, escape="\\"),
                            Seller.business_name.ilike(pattern, escape="\\")))
    by_status = dict(db.session.execute(
        select(Product.status, func.count(Product.id)).join(Product.seller).where(*criteria).group_by(Product.status)
    ).all())
    counts = {key: by_status.get(value, 0) for key, value in STATUS_FILTERS.items()}
    counts[""] = sum(by_status.values())
    total = counts[status_key]
    if status_key:
        criteria.append(Product.status == STATUS_FILTERS[status_key])
    pages = max(ceil(total / per_page), 1)
    number = min(page_number(page), pages)
    items: list[Product] = []
    if total:
        items = list(db.session.scalars(
            select(Product).join(Product.seller).where(*criteria)
            .options(joinedload(Product.seller), joinedload(Product.category), selectinload(Product.images))
            .order_by(Product.updated_at.desc(), Product.id.desc())
            .limit(per_page).offset((number - 1) * per_page)
        ))
    return ListingSearch(query=query, status_key=status_key, counts=counts,
                         page=ProductPage(items=items, total=total, page=number, per_page=per_page, sort="terbaru"))


@dataclass
class ProductReview:
    product: Product
    history: list[AuditEvent]  # the product's audit events, newest first

    @property
    def can_hide(self) -> bool:
        return not self.product.is_hidden

    @property
    def can_restore(self) -> bool:
        return self.product.is_hidden


def product_review(product_id: int) -> ProductReview:
    """One product for the moderation page: seller (with account), category, the admin who last
    moderated it, photos and its audit history. Raises NotFound."""
    product = db.session.scalar(
        select(Product).where(Product.id == product_id).options(
            joinedload(Product.seller).joinedload(Seller.user), joinedload(Product.category),
            selectinload(Product.images),
        )
    )
    if product is None:
        raise NotFound(MSG_NOT_FOUND)
    return ProductReview(product=product, history=audit.history("product", product.id, HISTORY_LIMIT))


def moderator_name(product: Product) -> str | None:
    """Who hid or restored the product last (the model keeps only the id)."""
    if product.moderated_by_id is None:
        return None
    user = db.session.get(User, product.moderated_by_id)
    return user.name if user else None
