"""Ratings after a completed order: one review per order line (1–5 stars, text, optional photo)
and one of the seller per order, written once, with the product's and the seller's rating sums
moved in the same transaction; and the latest reviews the product and shop pages show."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from catalog import storage
from catalog.extensions import db
from catalog.models import Order, OrderItem, Product, ProductReview, Seller, SellerReview, User
from catalog.models.orders import ORDER_COMPLETED
from catalog.search import hooks as search_hooks
from catalog.services import audit
from catalog.services.errors import InvalidTransition, NotFound, ValidationFailed
from catalog.services.images import FORMATS, RENDITION_WIDTHS, rendition_key, store_renditions
from catalog.services.uploads import Upload, load_image

RATING_MIN, RATING_MAX = 1, 5
BODY_MAX = 2000
LATEST = 5  # reviews shown on a product or shop page

MSG_NOT_COMPLETED = _l("Ulasan dapat diberikan setelah pesanan selesai (barang sudah Anda terima).")
MSG_ALREADY = _l("Anda sudah memberi ulasan untuk pesanan ini. Ulasan hanya dapat dikirim sekali.")


@dataclass
class LineRating:
    """What the shopper gave one order line."""

    order_item_id: int
    rating: int | None
    body: str = ""
    photo: Upload | None = None


@dataclass
class SellerRating:
    rating: int | None
    body: str = ""


def reviewable_items(order: Order) -> list[OrderItem]:
    """The lines that can be rated: those whose product still exists."""
    return [item for item in order.items if item.product_id is not None]


def reviewed_order_ids(order_ids: Iterable[int]) -> set[int]:
    """Which of these orders already have their review (one statement for a whole checkout)."""
    ids = list(order_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(SellerReview.order_id).where(SellerReview.order_id.in_(ids))))


def can_review(order: Order, reviewed: set[int]) -> bool:
    return order.status == ORDER_COMPLETED and order.id not in reviewed


def _rating(value: object, message, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not RATING_MIN <= value <= RATING_MAX:
        raise ValidationFailed(message, field=field_name)
    return value


def _body(text: str | None, field_name: str) -> str:
    text = (text or "").strip()
    if len(text) > BODY_MAX:
        raise ValidationFailed(_l("Ulasan paling banyak %(n)s karakter.", n=BODY_MAX), field=field_name)
    return text


def _checked(order: Order, product_ratings: Sequence[LineRating], seller_rating: SellerRating
             ) -> tuple[list[tuple[OrderItem, LineRating]], SellerRating]:
    items = {item.id: item for item in reviewable_items(order)}
    given: dict[int, LineRating] = {}
    for line in product_ratings:
        if line.order_item_id not in items:
            raise ValidationFailed(_l("Barang ini tidak ada di pesanan Anda. Muat ulang halaman ulasan."))
        given[line.order_item_id] = line
    checked = []
    for item_id, item in items.items():
        line = given.get(item_id) or LineRating(order_item_id=item_id, rating=None)
        rating = _rating(line.rating, _l("Beri bintang 1 sampai 5 untuk %(title)s.", title=item.title),
                         f"rating_{item_id}")
        checked.append((item, LineRating(item_id, rating, _body(line.body, f"body_{item_id}"), line.photo)))
    seller = SellerRating(
        _rating(seller_rating.rating, _l("Beri bintang 1 sampai 5 untuk penjualnya."), "seller_rating"),
        _body(seller_rating.body, "seller_body"),
    )
    return checked, seller


def _store_photos(lines: list[tuple[OrderItem, LineRating]]) -> dict[int, str]:
    """Decode and store every photo first (by content, metadata dropped, renditions only), so a
    refused photo leaves nothing behind and nothing is written to the database."""
    keys: dict[int, str] = {}
    try:
        for item, line in lines:
            if line.photo is None:
                continue
            try:
                image = load_image(line.photo, reduce_to=max(RENDITION_WIDTHS))
            except ValidationFailed as error:
                raise ValidationFailed(_l("Foto untuk %(title)s: %(problem)s", title=item.title, problem=error.message),
                                       field=f"photo_{item.id}") from None
            keys[item.id] = store_renditions(image).key
    except ValidationFailed:
        _remove_photos(keys.values())
        raise
    return keys


def _remove_photos(keys: Iterable[str]) -> None:
    for key in keys:
        for width in RENDITION_WIDTHS:
            for ext in FORMATS:
                storage.delete(rendition_key(key, width, ext))


def submit_reviews(order: Order, user: User, product_ratings: Sequence[LineRating], seller_rating: SellerRating) -> None:
    """Rate every line of a completed order and its seller, once. Only the order's shopper;
    every line needs 1–5 stars (text ≤ BODY_MAX and a photo are optional), the seller too.
    The product and seller rating sums move with `x = x + :n` UPDATEs (no lost update when two
    shoppers rate the same product at once); a second submission, even a simultaneous one, is
    refused by the unique order line / order and changes nothing. Commits."""
    if order.user_id != user.id:
        raise NotFound(_l("Pesanan tidak ditemukan."))
    if order.status != ORDER_COMPLETED:
        raise InvalidTransition(MSG_NOT_COMPLETED)
    if reviewed_order_ids([order.id]):
        raise InvalidTransition(MSG_ALREADY)
    lines, seller = _checked(order, product_ratings, seller_rating)
    photos = _store_photos(lines)

    for item, line in lines:
        db.session.add(ProductReview(order_item_id=item.id, product_id=item.product_id, seller_id=order.seller_id,
                                     user_id=user.id, rating=line.rating, body=line.body, image_key=photos.get(item.id)))
    db.session.add(SellerReview(order_id=order.id, seller_id=order.seller_id, user_id=user.id, rating=seller.rating,
                                body=seller.body))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        _remove_photos(photos.values())
        raise InvalidTransition(MSG_ALREADY) from None

    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for item, line in lines:
        sums[item.product_id][0] += line.rating
        sums[item.product_id][1] += 1
    for product_id in sorted(sums):  # id order, like every other multi-row write
        rating_sum, count = sums[product_id]
        db.session.execute(
            update(Product).where(Product.id == product_id)
            .values(rating_sum=Product.rating_sum + rating_sum, rating_count=Product.rating_count + count)
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        update(Seller).where(Seller.id == order.seller_id)
        .values(rating_sum=Seller.rating_sum + seller.rating, rating_count=Seller.rating_count + 1)
        .execution_options(synchronize_session=False)
    )
    # Core UPDATEs are invisible to the search hooks: the "rating" sort must see the new average.
    search_hooks.mark_products(db.session(), sums)
    audit.record("order.reviewed", order, actor_id=user.id,
                 after={"seller_rating": seller.rating, "ratings": {str(i.id): line.rating for i, line in lines}})
    db.session.commit()


# --- what product and shop pages show ------------------------------------------------------------

@dataclass(frozen=True)
class ShownReview:
    rating: int
    body: str
    image_key: str | None
    reviewer: str  # the first name only: enough to feel real, not enough to find someone
    created_at: datetime


def first_name(name: str | None) -> str:
    parts = (name or "").split()
    return parts[0] if parts else str(_l("Pembeli"))


def latest_for_product(product_id: int, limit: int = LATEST) -> list[ShownReview]:
    """The newest reviews of one product, in one statement (the product/created index)."""
    rows = db.session.execute(
        select(ProductReview.rating, ProductReview.body, ProductReview.image_key, User.name, ProductReview.created_at)
        .join(User, User.id == ProductReview.user_id)
        .where(ProductReview.product_id == product_id)
        .order_by(ProductReview.created_at.desc(), ProductReview.id.desc())
        .limit(limit)
    )
    return [ShownReview(rating, body, key, first_name(name), at) for rating, body, key, name, at in rows]


def latest_for_seller(seller_id: int, limit: int = LATEST) -> list[ShownReview]:
    """The newest ratings of one seller, in one statement (the seller/created index)."""
    rows = db.session.execute(
        select(SellerReview.rating, SellerReview.body, User.name, SellerReview.created_at)
        .join(User, User.id == SellerReview.user_id)
        .where(SellerReview.seller_id == seller_id)
        .order_by(SellerReview.created_at.desc(), SellerReview.id.desc())
        .limit(limit)
    )
    return [ShownReview(rating, body, None, first_name(name), at) for rating, body, name, at in rows]


__all__ = [
    "BODY_MAX", "LineRating", "SellerRating", "ShownReview", "can_review", "latest_for_product", "latest_for_seller",
    "reviewable_items", "reviewed_order_ids", "submit_reviews",
]
