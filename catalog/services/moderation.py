"""Listing moderation by the Dinas: hide a product with a reason the seller sees, restore it.

A hidden product has status "hidden", so every rule that shows only active products (the public
visibility clause, carts, search documents, procurement) drops it without knowing about
moderation; the status it had is kept in `status_before_hidden` and comes back on restore. Each
decision is one transaction with its audit event and a notification to the seller; the search
index follows the commit through its after-commit hook like any other product change.
"""

from flask_babel import lazy_gettext as _l

from catalog.extensions import db
from catalog.models import Product
from catalog.models.base import utcnow
from catalog.models.products import PRODUCT_ACTIVE, PRODUCT_HIDDEN, PRODUCT_STATUSES
from catalog.services import audit, notifications
from catalog.services.errors import InvalidTransition, NotFound
from catalog.services.verification import clean_reason

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
    reason = clean_reason(reason, required=True)
    product = _load(product_id)
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
           title=product.title, reason=reason),
        link=SELLER_LISTINGS_PATH,
    )
    db.session.commit()
    return product


def restore_product(product_id: int, admin_id: int, reason: str | None = None) -> Product:
    """Lift the hiding: the product returns to the status it had (public again if it was active)."""
    reason = clean_reason(reason, required=False)
    product = _load(product_id)
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
