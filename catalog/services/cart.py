"""The shopper's cart: add, change and remove lines, merge a guest cart at login, and review it
against the catalogue as it is now (prices, stock, minimum order, products or sellers gone)."""

import secrets
from dataclasses import dataclass, field
from itertools import groupby

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from catalog.extensions import db
from catalog.models import Cart, CartItem, Product, ProductVariant, Seller
from catalog.models.products import PRODUCT_ACTIVE
from catalog.models.sellers import STATUS_VERIFIED
from catalog.services.errors import NotFound, ValidationFailed
from catalog.services.money import MAX_QUANTITY

MAX_LINES = 100  # lines in one cart; a cart is not a warehouse
# A seller buying its own goods would only inflate its sales figures and ratings.
MSG_OWN_PRODUCT = _l("Ini produk toko Anda sendiri; produk ini tidak dapat Anda beli.")


def new_token() -> str:
    return secrets.token_urlsafe(32)


# --- finding the cart -------------------------------------------------------------------------

def cart_for(*, user_id: int | None = None, token: str | None = None) -> Cart | None:
    """The user's cart, or the guest cart of a session token; None when there is none yet."""
    if user_id is not None:
        return db.session.scalar(select(Cart).where(Cart.user_id == user_id))
    if token:
        return db.session.scalar(select(Cart).where(Cart.token == token, Cart.user_id.is_(None)))
    return None


def _cart_or_new(user_id: int | None, token: str | None) -> Cart:
    cart = cart_for(user_id=user_id, token=token)
    if cart is None:
        if user_id is None and not token:
            raise ValueError("a guest cart needs a token")
        cart = Cart(user_id=user_id, token=None if user_id is not None else token)
        db.session.add(cart)
        db.session.flush()
    return cart


def item_count(cart: Cart | None) -> int:
    """Units in the cart (the badge on the cart icon)."""
    return sum(item.quantity for item in cart.items) if cart else 0


# --- changing it --------------------------------------------------------------------------------

def _sellable_variant(variant_id: int) -> ProductVariant:
    variant = db.session.get(ProductVariant, variant_id)
    if variant is None:
        raise NotFound(_l("Produk tidak ditemukan."))
    product = variant.product
    if product.status != PRODUCT_ACTIVE or product.seller.status != STATUS_VERIFIED:
        raise ValidationFailed(_l("Produk ini sedang tidak dijual."), field="variant")
    if not variant.active:
        raise ValidationFailed(_l("Pilihan ini sedang tidak dijual."), field="variant")
    return variant


def _check_quantity(quantity: int, variant: ProductVariant) -> None:
    product = variant.product
    if quantity < 1:
        raise ValidationFailed(_l("Jumlah minimal 1. Untuk mengeluarkan barang, pakai tombol Hapus."), field="quantity")
    if quantity > MAX_QUANTITY:
        raise ValidationFailed(_l("Jumlah terlalu besar."), field="quantity")
    if quantity < product.min_order:
        raise ValidationFailed(_l("Pembelian minimal %(n)s %(unit)s.", n=product.min_order, unit=product.unit),
                               field="quantity")
    if quantity > variant.stock and not product.made_to_order:  # made to order: no stock needed
        if variant.stock <= 0:
            raise ValidationFailed(_l("Stok habis."), field="quantity")
        raise ValidationFailed(_l("Stok tersisa %(n)s %(unit)s.", n=variant.stock, unit=product.unit), field="quantity")


def add_item(*, user_id: int | None, token: str | None, variant_id: int, quantity: int) -> CartItem:
    """Put `quantity` of a variant in the cart (added to what is already there). Commits.

    Two requests of one visitor at once (a double tap on a phone; measured under load by
    bench/http.py) may both find no cart, or no line for the variant, and both create it: the
    unique keys refuse the second, which then runs once more and adds to what the first made."""
    try:
        return _add_item(user_id=user_id, token=token, variant_id=variant_id, quantity=quantity)
    except IntegrityError:
        db.session.rollback()
    return _add_item(user_id=user_id, token=token, variant_id=variant_id, quantity=quantity)


def _add_item(*, user_id: int | None, token: str | None, variant_id: int, quantity: int) -> CartItem:
    variant = _sellable_variant(variant_id)
    if user_id is not None and variant.product.seller.user_id == user_id:
        raise ValidationFailed(MSG_OWN_PRODUCT, field="variant")
    cart = _cart_or_new(user_id, token)
    item = next((i for i in cart.items if i.variant_id == variant.id), None)
    if quantity < 1:
        raise ValidationFailed(_l("Jumlah minimal 1."), field="quantity")
    total = quantity + (item.quantity if item else 0)
    _check_quantity(total, variant)
    if item is None:
        if len(cart.items) >= MAX_LINES:
            raise ValidationFailed(_l("Keranjang sudah berisi %(n)s barang. Selesaikan dulu pesanan ini.", n=MAX_LINES))
        item = CartItem(cart=cart, variant_id=variant.id, quantity=total, price_seen=variant.price)
        db.session.add(item)
    else:
        item.quantity = total
    db.session.commit()
    return item


def _own_item(cart: Cart | None, item_id: int) -> CartItem:
    item = next((i for i in cart.items if i.id == item_id), None) if cart else None
    if item is None:
        raise NotFound(_l("Barang ini tidak ada di keranjang Anda."))
    return item


def set_quantity(cart: Cart | None, item_id: int, quantity: int) -> CartItem:
    """Change one line's quantity. The line must be in this cart. Commits."""
    item = _own_item(cart, item_id)
    _check_quantity(quantity, item.variant)
    item.quantity = quantity
    db.session.commit()
    return item


def remove_item(cart: Cart | None, item_id: int) -> None:
    item = _own_item(cart, item_id)
    cart.items.remove(item)
    db.session.commit()


def accept_prices(cart: Cart) -> None:
    """The shopper has seen the new prices: stop pointing them out. Commits."""
    for item in cart.items:
        item.price_seen = item.variant.price
    db.session.commit()


def merge_guest_cart(token: str | None, user_id: int) -> int:
    """At login: move the guest cart's lines into the user's cart (quantities added, capped at
    the stock) and drop the guest cart. Returns the number of lines moved. Commits."""
    guest = cart_for(token=token) if token else None
    if guest is None or not guest.items:
        if guest is not None:
            db.session.delete(guest)
            db.session.commit()
        return 0
    cart = _cart_or_new(user_id, None)
    mine = {i.variant_id: i for i in cart.items}
    moved = 0
    for item in list(guest.items):
        have = mine.get(item.variant_id)
        if have is None:
            if len(cart.items) >= MAX_LINES:
                break
            cart.items.append(CartItem(variant_id=item.variant_id, quantity=item.quantity, price_seen=item.price_seen))
        else:
            room = have.quantity + item.quantity
            if not item.variant.product.made_to_order:
                room = min(room, item.variant.stock)
            have.quantity = max(room, have.quantity)
        moved += 1
    db.session.delete(guest)
    db.session.commit()
    return moved


def remove_variants(cart: Cart, variant_ids: set[int]) -> None:
    """Drop the lines just ordered (in the caller's transaction)."""
    for item in [i for i in cart.items if i.variant_id in variant_ids]:
        cart.items.remove(item)


# --- reviewing it --------------------------------------------------------------------------------

@dataclass
class CartLine:
    item: CartItem
    variant: ProductVariant
    product: Product
    problem: str | None = None  # why this line cannot be ordered as it is
    price_was: int | None = None  # the price when added, when it has changed since

    @property
    def unit_price(self) -> int:
        return self.variant.price

    @property
    def line_total(self) -> int:
        return self.variant.price * self.item.quantity


@dataclass
class SellerLines:
    seller: Seller
    lines: list[CartLine] = field(default_factory=list)

    @property
    def orderable(self) -> list[CartLine]:
        return [line for line in self.lines if line.problem is None]

    @property
    def items_total(self) -> int:
        return sum(line.line_total for line in self.orderable)


@dataclass
class CartReview:
    groups: list[SellerLines]

    @property
    def lines(self) -> list[CartLine]:
        return [line for group in self.groups for line in group.lines]

    @property
    def problems(self) -> list[CartLine]:
        return [line for line in self.lines if line.problem]

    @property
    def price_changes(self) -> list[CartLine]:
        return [line for line in self.lines if line.price_was is not None]

    @property
    def items_total(self) -> int:
        return sum(group.items_total for group in self.groups)

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def can_checkout(self) -> bool:
        return bool(self.groups) and not self.problems


def load_items(cart: Cart | None) -> list[CartItem]:
    """The cart's lines with variant, option values, product, photos and seller in a few
    queries (no query per line)."""
    if cart is None or cart.id is None:
        return []
    return list(db.session.scalars(
        select(CartItem).where(CartItem.cart_id == cart.id).order_by(CartItem.id).options(
            selectinload(CartItem.variant).selectinload(ProductVariant.value1),
            selectinload(CartItem.variant).selectinload(ProductVariant.value2),
            selectinload(CartItem.variant).selectinload(ProductVariant.value3),
            selectinload(CartItem.variant).selectinload(ProductVariant.product).selectinload(Product.images),
            selectinload(CartItem.variant).selectinload(ProductVariant.product)
            .selectinload(Product.seller).selectinload(Seller.kecamatan),
        )
    ).all())


def _problem(item: CartItem, user_id: int | None) -> str | None:
    variant, product = item.variant, item.variant.product
    if product.status != PRODUCT_ACTIVE or product.seller.status != STATUS_VERIFIED:
        return str(_l("Produk ini sudah tidak dijual."))
    if user_id is not None and product.seller.user_id == user_id:
        return str(MSG_OWN_PRODUCT)  # a guest's cart merged into a seller's account
    if not variant.active:
        return str(_l("Pilihan ini sudah tidak dijual."))
    counts_stock = not product.made_to_order  # made within the lead time: no stock to run out of
    if counts_stock and variant.stock <= 0:
        return str(_l("Stok habis."))
    if counts_stock and item.quantity > variant.stock:
        return str(_l("Stok tinggal %(n)s %(unit)s: kurangi jumlahnya.", n=variant.stock, unit=product.unit))
    if item.quantity < product.min_order:
        return str(_l("Pembelian minimal %(n)s %(unit)s.", n=product.min_order, unit=product.unit))
    return None


def review(cart: Cart | None) -> CartReview:
    """The cart as it can be ordered now, grouped by seller (sellers in the order their first
    line was added)."""
    lines = [
        CartLine(item=item, variant=item.variant, product=item.variant.product, problem=_problem(item, cart.user_id),
                 price_was=item.price_seen if item.price_seen != item.variant.price else None)
        for item in load_items(cart)
    ]
    first_seen: dict[int, int] = {}
    for index, line in enumerate(lines):
        first_seen.setdefault(line.product.seller_id, index)
    lines.sort(key=lambda line: (first_seen[line.product.seller_id], line.item.id))
    groups = [SellerLines(seller=seller_lines[0].product.seller, lines=seller_lines)
              for seller_lines in (list(g) for _k, g in groupby(lines, key=lambda line: line.product.seller_id))]
    return CartReview(groups=groups)
