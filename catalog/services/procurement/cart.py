"""The officer's procurement cart: catalogue items an agency means to buy, grouped by seller,
with what Inpres 2/2022 cares about beside each seller (scale, koperasi, TKDN)."""

from dataclasses import dataclass, field
from itertools import groupby

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from catalog.extensions import db
from catalog.models import ProcurementCart, ProcurementCartItem, Product, ProductVariant, Seller, User
from catalog.models.products import PRODUCT_ACTIVE
from catalog.models.sellers import STATUS_VERIFIED
from catalog.services.errors import NotFound, ValidationFailed
from catalog.services.money import MAX_QUANTITY
from catalog.services.procurement import officers

MAX_LINES = 100


def cart_for(user: User) -> ProcurementCart | None:
    return db.session.scalar(
        select(ProcurementCart).where(ProcurementCart.user_id == user.id)
        .options(selectinload(ProcurementCart.items).selectinload(ProcurementCartItem.variant)
                 .selectinload(ProductVariant.product).selectinload(Product.seller)))


def _buyable_variant(variant_id: int) -> ProductVariant:
    variant = db.session.get(ProductVariant, variant_id)
    if variant is None:
        raise NotFound(_l("Produk tidak ditemukan."))
    product = variant.product
    if product.status != PRODUCT_ACTIVE or product.seller.status != STATUS_VERIFIED or not variant.active:
        raise ValidationFailed(_l("Produk ini sedang tidak dijual."), field="variant")
    return variant


def _check_quantity(quantity: int, variant: ProductVariant) -> None:
    product = variant.product
    if quantity < 1:
        raise ValidationFailed(_l("Jumlah minimal 1."), field="quantity")
    if quantity > MAX_QUANTITY:
        raise ValidationFailed(_l("Jumlah terlalu besar."), field="quantity")
    if quantity < product.min_order:
        raise ValidationFailed(_l("Pembelian minimal %(n)s %(unit)s.", n=product.min_order, unit=product.unit),
                               field="quantity")


def add(user: User, variant_id: int, quantity: int) -> ProcurementCartItem:
    """Add (or add to) a line. Government orders do not take stock from the shop: the seller
    accepts or declines the Surat Pesanan knowing what it can make. Commits."""
    member = officers.membership(user)
    variant = _buyable_variant(variant_id)
    cart = cart_for(user)
    if cart is None:
        cart = ProcurementCart(user_id=user.id, agency_id=member.agency_id)
        db.session.add(cart)
        db.session.flush()
    item = next((i for i in cart.items if i.variant_id == variant.id), None)
    new_quantity = quantity + (item.quantity if item else 0)
    _check_quantity(new_quantity, variant)
    if item is None:
        if len(cart.items) >= MAX_LINES:
            raise ValidationFailed(_l("Keranjang pengadaan paling banyak %(n)s baris.", n=MAX_LINES))
        item = ProcurementCartItem(cart=cart, variant=variant, quantity=new_quantity)
        db.session.add(item)
    else:
        item.quantity = new_quantity
    db.session.commit()
    return item


def _own_item(user: User, item_id: int) -> ProcurementCartItem:
    item = db.session.get(ProcurementCartItem, item_id)
    if item is None or item.cart.user_id != user.id:
        raise NotFound(_l("Baris keranjang tidak ditemukan."))
    return item


def set_quantity(user: User, item_id: int, quantity: int) -> None:
    item = _own_item(user, item_id)
    _check_quantity(quantity, item.variant)
    item.quantity = quantity
    db.session.commit()


def remove(user: User, item_id: int) -> None:
    item = _own_item(user, item_id)
    db.session.delete(item)
    db.session.commit()


@dataclass
class SellerGroup:
    seller: Seller
    items: list[ProcurementCartItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(i.quantity * i.variant.price for i in self.items)

    @property
    def counts_as_umkk(self) -> bool:
        return self.seller.is_koperasi or self.seller.scale in ("mikro", "kecil")


@dataclass
class CartView:
    groups: list[SellerGroup]
    problems: list[str]

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)

    @property
    def umkk_total(self) -> int:
        return sum(g.total for g in self.groups if g.counts_as_umkk)


def review(cart: ProcurementCart | None) -> CartView:
    """The cart grouped by seller, with what no longer can be ordered named."""
    if cart is None or not cart.items:
        return CartView(groups=[], problems=[])
    problems = []
    items = sorted(cart.items, key=lambda i: (i.variant.product.seller_id, i.id))
    groups = []
    for _seller_id, seller_items in groupby(items, key=lambda i: i.variant.product.seller_id):
        seller_items = list(seller_items)
        groups.append(SellerGroup(seller=seller_items[0].variant.product.seller, items=seller_items))
        for item in seller_items:
            product = item.variant.product
            if product.status != PRODUCT_ACTIVE or product.seller.status != STATUS_VERIFIED or not item.variant.active:
                problems.append(str(_l("%(product)s sedang tidak dijual; hapus dari keranjang.", product=product.title)))
    return CartView(groups=groups, problems=problems)
