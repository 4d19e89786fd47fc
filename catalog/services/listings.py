"""A seller's listings: the rules a listing must meet, and creating, editing, duplicating,
archiving and deleting products with their photos, each in one transaction with an audit event.

`validate_listing` is pure (no writes) and takes a preloaded `ListingRules`, so a CSV import can
check thousands of rows before writing anything (services/listing_import.py does exactly that,
with the `_`-prefixed helpers below). Stock is never written here directly: every change goes
through services/inventory.py.

Price, stock and SKU belong to variants (services/variants.py). A listing without options has
one default variant, and the listing form edits its price, stock and SKU through ListingData; a
listing with options leaves ListingData's price, stock and SKU alone (the variant grid sets them).
"""

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from math import ceil
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy import delete as sa_delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from catalog import storage
from catalog.extensions import db
from catalog.models.base import utcnow
from catalog.models.products import (
    PRODUCT_ACTIVE,
    PRODUCT_ARCHIVED,
    PRODUCT_DRAFT,
    PRODUCT_HIDDEN,
    PRODUCT_STATUSES,
    UNITS,
    Category,
    Product,
    ProductImage,
)
from catalog.models.sellers import CERTIFICATE_KINDS, Seller, SellerDocument
from catalog.services import audit, inventory, moderation, variants
from catalog.services.catalogue import ProductPage
from catalog.services.errors import DomainError, InvalidTransition, NotFound, ValidationFailed
from catalog.services.identifiers import unique_slug
from catalog.services.images import FORMATS, RENDITION_WIDTHS, rendition_key, store_renditions
from catalog.services.money import MAX_QUANTITY
from catalog.services.richtext import sanitise_description
from catalog.services.uploads import Upload, load_image

TITLE_MIN = 5
TITLE_MAX = 140
PRICE_MIN = 100
PRICE_MAX = 10**12
LEAD_TIME_MIN = 1
LEAD_TIME_MAX = 90
WEIGHT_MAX_GRAMS = 1_000_000  # one tonne: more is a typo, or a freight quote rather than a listing
MAX_PHOTOS = 8
PHOTO_DECODE_SIZE = max(RENDITION_WIDTHS)
SLUG_FALLBACK = "produk"
COPY_PREFIX = "Salinan – "
MSG_HIDDEN_NO_COPY = _l("Produk ini disembunyikan oleh Dinas, jadi tidak dapat disalin. Perbaiki produknya, lalu "
                        "hubungi Dinas Koperasi dan UMKM agar ditampilkan kembali.")

# The fields an audit event compares (stock has its own events from services/inventory.py).
AUDITED_FIELDS = (
    "title", "category_id", "description", "price", "sku", "unit", "min_order", "made_to_order",
    "lead_time_days", "weight_grams", "tkdn_pct", "status", "certificate_ids",
)


# --- the data a listing is made of ------------------------------------------------------------


@dataclass
class ListingData:
    """What a seller submits for one listing (from the form or a CSV row), already parsed into
    integers. `description` is raw (typed text or pasted HTML); the service sanitises it.

    `stock` None means "leave the stock as it is" on edit (0 on create). `stock_seen` is the
    stock the form showed: when the submitted stock equals it, the seller did not touch the
    field, and orders that changed the stock meanwhile are not overwritten. `price`, `stock`,
    `stock_seen` and `sku` are the default variant's; a listing with options ignores them.
    """

    title: str
    category_id: int | None
    description: str = ""
    price: int | None = None
    unit: str = "pcs"
    min_order: int = 1
    stock: int | None = 0
    made_to_order: bool = False
    lead_time_days: int | None = None
    weight_grams: int | None = None
    tkdn_pct: int | None = None
    status: str = PRODUCT_DRAFT
    certificate_ids: list[int] = field(default_factory=list)
    stock_seen: int | None = None
    sku: str | None = None


class ListingInvalid(ValidationFailed):
    """A listing broke one or more rules. `errors` maps a ListingData field name to its message;
    `message`/`field` name the first one (for callers that show a single message)."""

    def __init__(self, errors: dict[str, Any]):
        field_name, message = next(iter(errors.items()))
        super().__init__(message, field=field_name)
        self.errors = errors


class PhotosRejected(ValidationFailed):
    """One or more uploaded photos were refused; `messages` says why for each (nothing was added)."""

    def __init__(self, messages: list):
        super().__init__(messages[0], field="photos")
        self.messages = messages


@dataclass(frozen=True)
class ListingRules:
    """What validation needs from the database, loaded once per seller (two queries)."""

    leaf_category_ids: frozenset[int]
    top_category_ids: frozenset[int]
    certificate_ids: frozenset[int]  # the seller's product certificates that are valid today


def listing_rules(seller: Seller) -> ListingRules:
    categories = db.session.execute(select(Category.id, Category.parent_id)).all()
    today = utcnow().date()
    documents = db.session.scalars(
        select(SellerDocument).where(
            SellerDocument.seller_id == seller.id, SellerDocument.kind.in_(CERTIFICATE_KINDS)
        )
    ).all()
    return ListingRules(
        leaf_category_ids=frozenset(cid for cid, parent in categories if parent is not None),
        top_category_ids=frozenset(cid for cid, parent in categories if parent is None),
        certificate_ids=frozenset(d.id for d in documents if d.is_valid_on(today)),
    )


def valid_certificates(seller: Seller) -> list[SellerDocument]:
    """The seller's certificates that may be attached to a product today (the form's checkboxes)."""
    today = utcnow().date()
    documents = db.session.scalars(
        select(SellerDocument)
        .where(SellerDocument.seller_id == seller.id, SellerDocument.kind.in_(CERTIFICATE_KINDS))
        .order_by(SellerDocument.kind, SellerDocument.id)
    ).all()
    return [d for d in documents if d.is_valid_on(today)]


def leaf_category_groups() -> list[tuple[Category, list[Category]]]:
    """Top categories with their children, for a grouped select (a product goes in a child)."""
    tops = db.session.scalars(
        select(Category)
        .where(Category.parent_id.is_(None))
        .options(selectinload(Category.children))
        .order_by(Category.position, Category.name)
    ).all()
    return [(top, list(top.children)) for top in tops if top.children]


def _normalised(data: ListingData) -> ListingData:
    """Whitespace trimmed and collapsed in the title, the unit lower-cased; a made-to-order
    listing keeps a lead time, a stocked one does not."""
    return replace(
        data,
        title=" ".join((data.title or "").split()),
        unit=(data.unit or "").strip().lower(),
        lead_time_days=data.lead_time_days if data.made_to_order else None,
        certificate_ids=sorted(set(data.certificate_ids or ())),
        sku=variants.clean_sku(data.sku),
    )


def validate_listing(seller: Seller, data: ListingData, *, rules: ListingRules | None = None,
                     has_options: bool = False) -> dict[str, Any]:
    """Every problem with `data` as {field: message}; empty when the listing may be saved.
    `has_options`: the listing's price, stock and SKU are set per variant, not checked here.

    Pure apart from loading `rules` when not given: pass `listing_rules(seller)` when checking
    many listings (a CSV import). Whether a SKU is already taken is checked on saving.
    """
    rules = rules or listing_rules(seller)
    data = _normalised(data)
    errors: dict[str, Any] = {}

    if len(data.title) < TITLE_MIN:
        errors["title"] = _l("Nama produk minimal %(min)d karakter.", min=TITLE_MIN)
    elif len(data.title) > TITLE_MAX:
        errors["title"] = _l("Nama produk maksimal %(max)d karakter.", max=TITLE_MAX)

    if data.category_id is None:
        errors["category_id"] = _l("Pilih kategori produk.")
    elif data.category_id in rules.top_category_ids:
        errors["category_id"] = _l("Pilih subkategori yang lebih spesifik, bukan kategori utama.")
    elif data.category_id not in rules.leaf_category_ids:
        errors["category_id"] = _l("Kategori tidak ditemukan. Silakan pilih dari daftar.")

    try:
        sanitise_description(data.description)
    except ValidationFailed as exc:
        errors["description"] = exc.message

    if has_options:
        pass
    elif data.price is None:
        errors["price"] = _l("Harga wajib diisi, misalnya 15.000.")
    elif data.price < PRICE_MIN:
        errors["price"] = _l("Harga minimal Rp%(min)s.", min="100")
    elif data.price > PRICE_MAX:
        errors["price"] = _l("Harga terlalu besar.")
    sku_problem = None if has_options else variants.validate_sku(data.sku)
    if sku_problem:
        errors["sku"] = sku_problem

    if data.unit not in UNITS:
        errors["unit"] = _l("Pilih satuan dari daftar.")

    if data.min_order is None or data.min_order < 1:
        errors["min_order"] = _l("Minimal pembelian paling sedikit 1.")
    elif data.min_order > MAX_QUANTITY:
        errors["min_order"] = _l("Minimal pembelian terlalu besar.")

    if has_options:
        pass
    elif data.stock is not None and data.stock < 0:
        errors["stock"] = inventory.MSG_BELOW_ZERO
    elif data.stock is not None and data.stock > MAX_QUANTITY:
        errors["stock"] = inventory.MSG_TOO_LARGE

    if data.made_to_order and (
        data.lead_time_days is None or not LEAD_TIME_MIN <= data.lead_time_days <= LEAD_TIME_MAX
    ):
        errors["lead_time_days"] = _l(
            "Lama pembuatan harus %(min)d sampai %(max)d hari.", min=LEAD_TIME_MIN, max=LEAD_TIME_MAX
        )

    if data.weight_grams is not None and not 1 <= data.weight_grams <= WEIGHT_MAX_GRAMS:
        errors["weight_grams"] = _l("Berat harus antara 1 dan 1.000.000 gram.")

    if data.tkdn_pct is not None and not 0 <= data.tkdn_pct <= 100:
        errors["tkdn_pct"] = _l("TKDN harus antara 0 dan 100 persen.")

    if data.status not in PRODUCT_STATUSES:
        errors["status"] = _l("Status produk tidak dikenal.")

    if any(cid not in rules.certificate_ids for cid in data.certificate_ids):
        errors["certificate_ids"] = _l("Sertifikat tidak ditemukan atau sudah tidak berlaku.")

    return errors


def _checked(seller: Seller, data: ListingData, product: Product | None = None) -> ListingData:
    has_options = product is not None and bool(product.options)
    errors = validate_listing(seller, data, has_options=has_options)
    sku = None if has_options else variants.clean_sku(data.sku)
    if not errors and sku:
        own = [v.id for v in product.variants] if product is not None else []
        if variants.taken_skus(seller.id, [sku], except_variant_ids=own):
            errors["sku"] = _l("SKU ini sudah dipakai produk lain di toko Anda. Gunakan SKU yang berbeda.")
    if errors:
        raise ListingInvalid(errors)
    return _normalised(data)


# --- writing ------------------------------------------------------------------------------------


def _slug_taken(slug: str) -> bool:
    return db.session.execute(select(Product.id).where(Product.slug == slug).limit(1)).first() is not None


def _snapshot(product: Product) -> dict[str, Any]:
    return {
        "title": product.title,
        "category_id": product.category_id,
        "description": product.description,
        "price": product.price,
        "sku": _default_sku(product),
        "unit": product.unit,
        "min_order": product.min_order,
        "made_to_order": product.made_to_order,
        "lead_time_days": product.lead_time_days,
        "weight_grams": product.weight_grams,
        "tkdn_pct": product.tkdn_pct,
        "status": product.status,
        "certificate_ids": sorted(d.id for d in product.certificates),
    }


def _default_sku(product: Product) -> str | None:
    if product.options or not product.variants:
        return None
    return variants.default_variant(product).sku


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    changed = [k for k in AUDITED_FIELDS if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after.get(k) for k in changed}


def _certificates(ids: Iterable[int]) -> list[SellerDocument]:
    ids = list(ids)
    if not ids:
        return []
    return list(db.session.scalars(select(SellerDocument).where(SellerDocument.id.in_(ids))))


def _apply(product: Product, data: ListingData, documents: dict[int, SellerDocument] | None = None) -> None:
    """Copy everything but price, stock, SKU and status from checked data onto the product
    (`documents`: the seller's certificates by id, preloaded by bulk callers).

    Only values that differ are set: an equal value still marks the row changed, and a CSV
    re-import of 5,000 unchanged rows would then reindex every product for search."""
    values = {
        "title": data.title, "category_id": data.category_id, "description": sanitise_description(data.description),
        "unit": data.unit, "min_order": data.min_order, "made_to_order": data.made_to_order,
        "lead_time_days": data.lead_time_days, "weight_grams": data.weight_grams, "tkdn_pct": data.tkdn_pct,
    }
    _set_changed(product, values)
    if sorted(d.id for d in product.certificates) != sorted(data.certificate_ids):
        if documents is not None:
            product.certificates = [documents[cid] for cid in data.certificate_ids]
        else:
            product.certificates = _certificates(data.certificate_ids)


def _set_changed(obj: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)


def _set_status(product: Product, status: str) -> None:
    if product.status != status:
        product.status = status
    if status == PRODUCT_ACTIVE and product.published_at is None:
        product.published_at = utcnow()


def _commit_retrying_slug(build):
    """Run `build()` and commit; when two requests took the same free slug at the same moment,
    the unique index refuses the second: roll back and build again once (a new slug is picked)."""
    for attempt in range(2):
        result = build()
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if attempt:
                raise
        else:
            return result
    raise AssertionError("unreachable")


def _new_product(seller: Seller, data: ListingData, actor_id: int | None, *, reason: str, slug: str | None = None,
                 extra_audit: dict | None = None) -> Product:
    product = Product(seller_id=seller.id, status=PRODUCT_DRAFT,
                      slug=slug or unique_slug(data.title, _slug_taken, fallback=SLUG_FALLBACK))
    _apply(product, data)
    _set_status(product, data.status)
    variant = variants.new_default_variant(product, price=data.price, stock=data.stock or 0, sku=data.sku)
    db.session.add_all([product, variant])
    db.session.flush()
    inventory.record_initial_stocks([variant], actor_id=actor_id, reason=reason)
    audit.record("product.created", product, actor_id=actor_id,
                 after={**_snapshot(product), "stock": product.stock, "slug": product.slug, **(extra_audit or {})})
    return product


def create_listing(seller: Seller, data: ListingData, actor_id: int | None) -> Product:
    """Add a listing for `seller` and commit. Raises ListingInvalid (a ValidationFailed with
    `.errors`) and writes nothing when a rule is broken."""
    data = _checked(seller, data)
    return _commit_retrying_slug(
        lambda: _new_product(seller, data, actor_id, reason=inventory.REASON_CREATED)
    )


def _update(product: Product, data: ListingData, actor_id: int | None, *, stock_reason: str) -> None:
    before = _snapshot(product)
    _apply(product, data)
    _set_status(product, data.status)
    if not product.options:
        variant = variants.default_variant(product)
        _set_changed(variant, {"price": data.price, "sku": data.sku})
        _set_changed(product, {"price": data.price, "price_max": data.price})
        db.session.flush()
        untouched = data.stock_seen is not None and data.stock == data.stock_seen
        if data.stock is not None and not untouched and data.stock != variant.stock:
            inventory.set_stock(variant, data.stock, actor_id=actor_id, reason=stock_reason)
    db.session.flush()
    old, new = _changes(before, _snapshot(product))
    if new:
        audit.record("product.updated", product, actor_id=actor_id, before=old, after=new)


def update_listing(product: Product, data: ListingData, actor_id: int | None) -> Product:
    """Save an edited listing and commit. The slug stays as it was (shared links keep working);
    published_at is set the first time the listing goes active. Raises ListingInvalid and
    changes nothing when a rule is broken.

    A listing hidden by the Dinas may be corrected (texts, photos, prices) but keeps its status
    whatever was sent: only the Dinas restores it (services/moderation.py)."""
    if product.is_hidden:
        data = replace(data, status=kept_status(product))
    data = _checked(product.seller, data, product)
    if product.is_hidden:
        data = replace(data, status=PRODUCT_HIDDEN)
    try:
        _update(product, data, actor_id, stock_reason=inventory.REASON_MANUAL)
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    return product


def duplicate_listing(product: Product, actor_id: int | None) -> Product:
    """A draft copy titled "Salinan – …" with the same fields, certificates, options, prices and
    stock; the photos are shared by key (renditions are never rewritten, so sharing is safe).
    SKUs are not copied: they are unique within the seller's catalogue. A listing hidden by
    the Dinas is not copied (the copy could be published around the hiding)."""
    if product.is_hidden:
        raise InvalidTransition(MSG_HIDDEN_NO_COPY)
    title = (COPY_PREFIX + product.title)[:TITLE_MAX].rstrip()
    today = utcnow().date()
    data = replace(_data_from(product), title=title, status=PRODUCT_DRAFT, sku=None,
                   stock=0 if product.options else product.stock,
                   certificate_ids=[d.id for d in product.certificates if d.is_valid_on(today)])

    def build() -> Product:
        copy = _new_product(product.seller, data, actor_id, reason=inventory.REASON_CREATED,
                            extra_audit={"duplicated_from": product.id})
        # The copy keeps the sanitised description as is (sanitising it again changes nothing).
        copy.description = product.description
        for image in product.images:
            copy.images.append(ProductImage(key=image.key, width=image.width, height=image.height,
                                            alt=image.alt, position=image.position))
        variants.copy_options(product, copy, actor_id)
        return copy

    return _commit_retrying_slug(build)


def kept_status(product: Product) -> str:
    """The status a hidden listing is checked with (what it returns to), so the listing rules,
    which know only the seller's statuses, can check the rest of it."""
    before = product.status_before_hidden
    return before if before in PRODUCT_STATUSES else PRODUCT_DRAFT


def _data_from(product: Product) -> ListingData:
    return ListingData(
        title=product.title, category_id=product.category_id, description=product.description,
        price=product.price, unit=product.unit, min_order=product.min_order, stock=product.stock,
        made_to_order=product.made_to_order, lead_time_days=product.lead_time_days,
        weight_grams=product.weight_grams, tkdn_pct=product.tkdn_pct, status=product.status,
        certificate_ids=[d.id for d in product.certificates], sku=_default_sku(product),
    )


def listing_data_from(product: Product) -> ListingData:
    """The listing as ListingData for filling the form or exporting a CSV row: the description
    is given back as the text a seller types (see description_as_text), not as stored HTML."""
    return replace(_data_from(product), description=description_as_text(product.description))


_TOKEN = re.compile(r"<(/?)(p|br|ul|ol|li|b|strong|i|em)>|([^<]+)|(<)")


def description_as_text(value: str | None) -> str:
    """Stored (sanitised) description → the plain text a seller edits in the textarea, in the
    form richtext.sanitise_description reads back: paragraphs separated by a blank line, "- "
    and "1. " list lines, <b>/<i> left as typed. sanitise_description(description_as_text(x))
    gives x back for anything the sanitiser produced."""
    out: list[str] = []
    numbers: list[int | None] = []  # one entry per open list: None for bullets, the count for numbered
    for closing, tag, text, stray in _TOKEN.findall(value or ""):
        if text or stray:
            out.append(html.unescape(text or stray))
        elif tag in ("b", "strong", "i", "em"):
            out.append(f"<{closing}{tag}>")
        elif tag == "br":
            out.append("\n")
        elif tag == "p":
            out.append("\n\n")
        elif tag in ("ul", "ol"):
            if closing and numbers:
                numbers.pop()
            elif not closing:
                numbers.append(0 if tag == "ol" else None)
            out.append("\n\n")
        elif tag == "li" and not closing:
            if numbers and numbers[-1] is not None:
                numbers[-1] += 1
                out.append(f"\n{numbers[-1]}. ")
            else:
                out.append("\n- ")
    text = "".join(out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def archive_listing(product: Product, actor_id: int | None) -> Product:
    """Take a listing off the storefront without losing it (it can be restored). Raises
    InvalidTransition for a listing hidden by the Dinas."""
    moderation.ensure_not_hidden(product)
    if product.status == PRODUCT_ARCHIVED:
        return product
    before = product.status
    product.status = PRODUCT_ARCHIVED
    audit.record("product.archived", product, actor_id=actor_id, before={"status": before},
                 after={"status": PRODUCT_ARCHIVED})
    db.session.commit()
    return product


def restore_listing(product: Product, actor_id: int | None) -> Product:
    """Bring an archived listing back as a draft: the seller checks price and stock, then
    publishes it again. Raises InvalidTransition for a listing hidden by the Dinas."""
    moderation.ensure_not_hidden(product)
    if product.status != PRODUCT_ARCHIVED:
        return product
    product.status = PRODUCT_DRAFT
    audit.record("product.restored", product, actor_id=actor_id, before={"status": PRODUCT_ARCHIVED},
                 after={"status": PRODUCT_DRAFT})
    db.session.commit()
    return product


def listing_has_orders(product: Product) -> bool:
    """Whether any order or purchase order ever named this product (then it may only be archived,
    so order history keeps pointing at it). A shop order line, a purchase request line or a
    Surat Pesanan line counts; so does a shopper's report (the Dinas must still see what was
    reported)."""
    from catalog.models import OrderItem, ProductReport, PurchaseOrderLine, PurchaseRequestLine

    return any(db.session.scalar(select(select(model.id).where(model.product_id == product.id).exists()))
               for model in (OrderItem, PurchaseRequestLine, PurchaseOrderLine, ProductReport))


def delete_listing(product: Product, actor_id: int | None) -> None:
    """Delete a listing that was never ordered, with its photo rows, certificate links and stock
    log. The rendition files stay: duplicates may share their keys."""
    if listing_has_orders(product):
        raise ValidationFailed(
            _l("Produk ini sudah pernah dipesan, jadi tidak dapat dihapus. Arsipkan saja agar tidak tampil.")
        )
    audit.record("product.deleted", product, actor_id=actor_id,
                 before={**_snapshot(product), "stock": product.stock, "slug": product.slug})
    # Officers' procurement carts may hold its variants (no cascade there): those lines go too.
    from catalog.models import ProcurementCartItem, ProductVariant

    db.session.execute(sa_delete(ProcurementCartItem).where(ProcurementCartItem.variant_id.in_(
        select(ProductVariant.id).where(ProductVariant.product_id == product.id))))
    db.session.delete(product)
    db.session.commit()


def change_stock(product: Product, new_stock: int, actor_id: int | None, note: str = "") -> int:
    """The quick stock form of a listing without options: set the stock of its one variant to
    what the seller counted, and commit. A listing with options sets stock per combination."""
    if product.options:
        raise ValidationFailed(
            _l("Produk ini punya beberapa kombinasi. Atur stok per kombinasi di halaman Varian."), field="stock")
    try:
        stock = inventory.set_stock(variants.default_variant(product), new_stock, actor_id=actor_id, reason=inventory.REASON_MANUAL,
                                    note=note)
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    return stock


# --- photos -----------------------------------------------------------------------------------


def photos_left(product: Product) -> int:
    return max(MAX_PHOTOS - len(product.images), 0)


def add_photos(product: Product, uploads: Sequence[tuple[str, Upload]], actor_id: int | None) -> list[ProductImage]:
    """Add photos (each (file name, file)) after the existing ones and commit.

    Each file is decoded by content (uploads.load_image: format, size and pixel limits, EXIF
    dropped) and stored only as renditions. All or nothing: when any file is refused, or the
    product would have more than MAX_PHOTOS, PhotosRejected says why and no photo is added.
    """
    if not uploads:
        raise PhotosRejected([_l("Pilih minimal satu foto.")])
    left = photos_left(product)
    if len(uploads) > left:
        if left == 0:
            message = _l("Produk ini sudah punya %(max)d foto (batas maksimal). Hapus satu foto dulu untuk "
                         "menambah yang baru.", max=MAX_PHOTOS)
        else:
            message = _l("Maksimal %(max)d foto per produk. Anda hanya dapat menambah %(left)d foto lagi.",
                         max=MAX_PHOTOS, left=left)
        raise PhotosRejected([message])

    stored, problems = [], []
    for name, source in uploads:
        try:
            image = load_image(source, reduce_to=PHOTO_DECODE_SIZE)
            stored.append(store_renditions(image))
        except ValidationFailed as exc:
            problems.append(_l("%(name)s: %(problem)s", name=_display_name(name), problem=exc.message))
    if problems:
        _remove_renditions(s.key for s in stored)
        raise PhotosRejected(problems)

    start = max((image.position for image in product.images), default=-1) + 1
    added = []
    for offset, item in enumerate(stored):
        image = ProductImage(key=item.key, width=item.width, height=item.height, alt=product.title[:160],
                             position=start + offset)
        product.images.append(image)
        added.append(image)
    db.session.flush()
    audit.record("product.photos_added", product, actor_id=actor_id,
                 after={"image_ids": [i.id for i in added], "keys": [i.key for i in added]})
    db.session.commit()
    return added


def _display_name(name: str | None) -> str:
    """The client's file name for messages only (never for storage), shortened."""
    name = " ".join((name or "").split()) or "foto"
    return name if len(name) <= 60 else name[:57] + "…"


def _remove_renditions(keys: Iterable[str]) -> None:
    for key in keys:
        for width in RENDITION_WIDTHS:
            for ext in FORMATS:
                storage.delete(rendition_key(key, width, ext))


def reorder_photos(product: Product, positions: dict[int, int], actor_id: int | None) -> None:
    """Put the photos in the order of the numbers the seller gave (1 = cover). Ties and photos
    without a number keep their current order; ids that are not this product's are ignored."""
    images = list(product.images)
    before = [i.id for i in images]
    ranked = sorted(images, key=lambda i: (positions.get(i.id, len(images) + 1 + i.position), i.position))
    for position, image in enumerate(ranked):
        image.position = position
    after = [i.id for i in ranked]
    if after != before:
        audit.record("product.photos_reordered", product, actor_id=actor_id, before={"image_ids": before},
                     after={"image_ids": after})
    db.session.commit()


def delete_photo(product: Product, image_id: int, actor_id: int | None) -> None:
    """Remove one photo row (the files stay: duplicates may share its key); raises NotFound
    when the photo is not this product's."""
    image = next((i for i in product.images if i.id == image_id), None)
    if image is None:
        raise NotFound(_l("Foto tidak ditemukan."))
    product.images.remove(image)
    for position, remaining in enumerate(product.images):
        remaining.position = position
    audit.record("product.photo_removed", product, actor_id=actor_id, before={"image_id": image_id, "key": image.key})
    db.session.commit()


# --- reading: the seller's own listings ---------------------------------------------------------


# The seller's own filter tabs: their statuses, and the listings the Dinas hid.
LISTED_STATUSES = (*PRODUCT_STATUSES, PRODUCT_HIDDEN)


@dataclass
class ListingPage(ProductPage):
    """A page of the seller's own products, with the count per status for the filter tabs."""

    counts: dict[str, int] = field(default_factory=dict)  # per status, plus "all"


def seller_listings(seller: Seller, *, status: str | None = None, query: str = "", page: int = 1,
                    per_page: int = 20) -> ListingPage:
    """One page of the seller's products (newest change first) with covers loaded, plus the
    count per status for the filter tabs: three queries whatever the page size."""
    conditions = [Product.seller_id == seller.id]
    if status in LISTED_STATUSES:
        conditions.append(Product.status == status)
    words = query.split()[:8]
    for word in words:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(func.lower(Product.title).like(f"%{escaped.lower()}%", escape="\\"))
    where = and_(*conditions)
    counts = dict(db.session.execute(
        select(Product.status, func.count()).where(Product.seller_id == seller.id).group_by(Product.status)
    ).all())
    counts["all"] = sum(counts.values())
    if words:
        total = db.session.scalar(select(func.count()).select_from(Product).where(where))
    else:
        total = counts.get(status, 0) if status in LISTED_STATUSES else counts["all"]
    page = min(max(page, 1), max(ceil(total / per_page), 1))
    items = db.session.scalars(
        select(Product)
        .where(where)
        .options(selectinload(Product.images))
        .order_by(Product.updated_at.desc(), Product.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    # One order only: the shared pagination macro's default sort.
    return ListingPage(items=list(items), total=total, page=page, per_page=per_page, sort="terbaru",
                       counts=counts)


def is_low_stock(product: Product, threshold: int) -> bool:
    """Running out: not made to order and at or below the seller's threshold."""
    return not product.made_to_order and product.stock <= threshold
